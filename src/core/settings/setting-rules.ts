// Every setting's rule, written once. A flag, a TOOLBOX_* variable, a toolboxrc line, a value
// stored in config.json and `toolbox config set` are all checked here, by the same rule, so a
// value one of them refuses can never come in through another.
import { ToolboxError, UsageError } from '../errors.js';
import { ENGINES, MODES } from '../ports.js';
import { validateImage, validateName, validateRegistry } from './names.js';

export { ENGINES, MODES };

export const EXEC_PATHS = ['auto', 'podman', 'direct'] as const;

/** "auto, podman or direct": choices as a sentence names them. */
export function wordList(words: readonly string[]): string {
  return words.length < 2 ? words.join('') : `${words.slice(0, -1).join(', ')} or ${words.at(-1) ?? ''}`;
}

export type SettingValue = string | boolean | number;

export interface SettingRule {
  description: string;
  /** what config.json holds: a JSON string, boolean or number */
  type: 'string' | 'boolean' | 'number';
  /** the value, or a UsageError saying what is wrong with it */
  check(raw: string): SettingValue;
}

const BOOLEAN_WORDS: Record<string, boolean> = {
  true: true,
  yes: true,
  1: true,
  on: true,
  false: false,
  no: false,
  0: false,
  off: false,
};

// Names no key: the same rule reads TOOLBOX_NOSTOP, the opposite of autostop.
const bool: SettingRule['check'] = (raw) => {
  const value = BOOLEAN_WORDS[raw.toLowerCase()];
  if (value === undefined) throw new UsageError(`expected true or false, got ${JSON.stringify(raw)}`);
  return value;
};

function oneOf<T extends string>(what: string, choices: readonly T[]): (raw: string) => T {
  return (raw) => {
    if (!(choices as readonly string[]).includes(raw))
      throw new UsageError(`invalid ${what} ${JSON.stringify(raw)}: expected ${choices.join(' or ')}`);
    return raw as T;
  };
}

const atLeastOne: SettingRule['check'] = (raw) => {
  if (!/^[1-9][0-9]{0,8}$/.test(raw))
    throw new UsageError(`expected a whole number from 1, got ${JSON.stringify(raw)}`);
  return Number(raw);
};

const absolutePath =
  (what: string): SettingRule['check'] =>
  (raw) => {
    if (!raw.startsWith('/') || /[\0\n]/.test(raw))
      throw new UsageError(`invalid ${what} ${JSON.stringify(raw)}: expected an absolute path`);
    return raw;
  };

export const SETTING_RULES = {
  engine: { description: `container engine: ${wordList(ENGINES)}`, type: 'string', check: oneOf('engine', ENGINES) },
  registry: { description: 'registry the image is pulled from', type: 'string', check: (raw) => validateRegistry(raw) },
  image: { description: 'image name, or a full image reference', type: 'string', check: (raw) => validateImage(raw) },
  name: {
    description: 'base name of the toolbox (default toolbox-$USER)',
    type: 'string',
    check: (raw) => validateName(raw),
  },
  shell: { description: 'shell started by enter (default /bin/bash)', type: 'string', check: absolutePath('shell') },
  autostop: { description: 'stop the toolbox when its last session ends (default true)', type: 'boolean', check: bool },
  mode: { description: `${wordList(MODES)} (default system)`, type: 'string', check: oneOf('mode', MODES) },
  pull: { description: 'pull the image on create (default true)', type: 'boolean', check: bool },
  exec: {
    description: `how run enters a toolbox: ${wordList(EXEC_PATHS)} (default auto)`,
    type: 'string',
    check: oneOf('exec path', EXEC_PATHS),
  },
  recommends: {
    description: 'install recommended packages with toolbox install (default false)',
    type: 'boolean',
    check: bool,
  },
  keep: {
    description: 'previous generations that toolbox upgrade keeps (default 1)',
    type: 'number',
    check: atLeastOne,
  },
} as const satisfies Record<string, SettingRule>;

export type SettingKey = keyof typeof SETTING_RULES;

export function isSettingKey(key: string): key is SettingKey {
  return Object.hasOwn(SETTING_RULES, key);
}

/** `toolbox config set KEY VALUE`: the value to store, or a usage error; nothing invalid is stored. */
export function parseSetting(key: string, raw: string): SettingValue {
  if (!isSettingKey(key))
    throw new UsageError(`unknown config key: ${key}`, `known keys: ${Object.keys(SETTING_RULES).join(', ')}`);
  const rule: SettingRule = SETTING_RULES[key];
  try {
    return rule.check(raw);
  } catch (error) {
    // A string rule's message names what it checks ("invalid toolbox name ..."); a boolean's does not.
    if (error instanceof UsageError && rule.type !== 'string')
      throw new UsageError(`invalid ${key}: ${error.message}`, error.hint);
    throw error;
  }
}

/**
 * A value read from config.json (maybe edited by hand), or undefined when it is not there. An
 * invalid one is refused naming the file and the key, and how to put it right.
 */
export function storedSetting(
  config: Record<string, unknown>,
  key: SettingKey,
  file: string,
): SettingValue | undefined {
  if (!Object.hasOwn(config, key) || config[key] === undefined) return undefined;
  const value = config[key];
  const rule: SettingRule = SETTING_RULES[key];
  const refuse = (why: string): never => {
    throw new ToolboxError(`${file}: ${key}: ${why}`, {
      hint: `fix it with 'toolbox config set ${key} VALUE', or remove it with 'toolbox config unset ${key}'`,
    });
  };
  const scalar =
    typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean' ? value : undefined;
  if (scalar === undefined || typeof scalar !== rule.type)
    return refuse(`expected a JSON ${rule.type}, got ${JSON.stringify(value)}`);
  if (typeof scalar === 'boolean') return scalar;
  try {
    return rule.check(String(scalar));
  } catch (error) {
    if (error instanceof UsageError) return refuse(error.message);
    throw error;
  }
}

/** A TOOLBOX_* variable's value (unset or empty: undefined), checked by the key's rule. */
export function envSetting(env: NodeJS.ProcessEnv, variable: string, key: SettingKey): SettingValue | undefined {
  const raw = env[variable];
  if (raw === undefined || raw === '') return undefined;
  try {
    return SETTING_RULES[key].check(raw);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`${variable}: ${error.message}`, `fix or unset ${variable}`);
    throw error;
  }
}

/** A toolboxrc value, checked by the key's rule; an invalid one names the file it came from. */
export function rcSetting(
  raw: string | undefined,
  variable: string,
  key: SettingKey,
  file: string | undefined,
): SettingValue | undefined {
  if (raw === undefined || raw === '') return raw;
  try {
    return SETTING_RULES[key].check(raw);
  } catch (error) {
    if (error instanceof UsageError)
      throw new ToolboxError(`${file ?? 'toolboxrc'}: ${variable}: ${error.message}`, {
        hint: 'toolboxrc lines are KEY=VALUE with a literal value; fix or remove the line',
      });
    throw error;
  }
}
