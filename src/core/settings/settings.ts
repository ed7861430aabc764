// Resolves what a command should act on from the layers, lowest to highest precedence:
// built-in defaults, toolboxrc files, config.json, TOOLBOX_* environment, flags.
import { UsageError } from '../errors.js';
import { composeImage, defaultName, validateImage, validateName, validateTag } from './names.js';
import {
  envSetting,
  EXEC_PATHS,
  rcSetting,
  SETTING_RULES,
  storedSetting,
  type SettingKey,
  type SettingValue,
} from './setting-rules.js';
import type { EngineName, Mode } from '../ports.js';
import type { GlobalFlags, Layers, RcKey } from './inputs.js';
import { requestedOf, type Requested } from './requested.js';

export const DEFAULT_REGISTRY = 'registry.opensuse.org';
export const DEFAULT_IMAGE = 'opensuse/toolbox';
export const DEFAULT_SHELL = '/bin/bash';

export type ExecPath = (typeof EXEC_PATHS)[number];

export type { GlobalFlags, Layers };

export interface Settings {
  engine: EngineName | undefined;
  sudo: boolean;
  image: string;
  name: string;
  mode: Mode;
  shell: string;
  autostop: boolean;
  pull: boolean;
  sandbox: boolean;
  runtime: string | undefined;
  engineArgs: string[];
  exec: ExecPath;
  quiet: boolean;
  verbose: boolean;
  /**
   * What the user asked for explicitly (flag, environment, config.json) about what a toolbox IS;
   * defaults are not a request. An existing toolbox that differs is refused, not silently used.
   */
  requested: Requested;
}

export function resolveSettings(flags: GlobalFlags, layers: Layers, positionalName?: string): Settings {
  const { rc, config, env } = layers;
  if (flags.container !== undefined && flags.tag !== undefined)
    throw new UsageError("don't use both -c/--container and -t/--tag");
  if (flags.image !== undefined && (flags.reg !== undefined || flags.img !== undefined))
    throw new UsageError("don't use -i/--image together with -R/--reg or -I/--img");
  if (positionalName !== undefined && (flags.container !== undefined || flags.tag !== undefined)) {
    throw new UsageError(`cannot tell which toolbox to use: ${JSON.stringify(positionalName)} or the one from -c/-t`);
  }
  // Each layer's value passes its key's one rule (setting-rules.ts), and an invalid one is
  // refused naming where it came from: the flag, the variable, the toolboxrc file or config.json.
  const file = layers.configFile ?? 'config.json';
  const stored = (key: SettingKey) => storedSetting(config, key, file);
  const fromEnv = (variable: string, key: SettingKey) => envSetting(env, variable, key);
  const fromRc = (variable: RcKey, key: SettingKey) =>
    rcSetting(rc[variable], variable, key, layers.rcSources?.[variable]);
  const flag = (value: string | undefined, key: SettingKey) =>
    value === undefined ? undefined : SETTING_RULES[key].check(value);
  const text = (v: SettingValue | undefined) => v as string | undefined;
  const yes = (v: SettingValue | undefined) => v as boolean | undefined;

  const mode = (
    flags.user ? 'user' : (text(fromEnv('TOOLBOX_MODE', 'mode')) ?? text(stored('mode')) ?? 'system')
  ) as Mode;

  let image: string;
  if (flags.image !== undefined) image = validateImage(flags.image);
  else {
    const registry =
      text(
        flag(flags.reg, 'registry') ??
          fromEnv('TOOLBOX_REGISTRY', 'registry') ??
          stored('registry') ??
          fromRc('REGISTRY', 'registry'),
      ) ?? DEFAULT_REGISTRY;
    const path =
      text(
        flag(flags.img, 'image') ?? fromEnv('TOOLBOX_IMAGE', 'image') ?? stored('image') ?? fromRc('IMAGE', 'image'),
      ) ?? DEFAULT_IMAGE;
    image = composeImage(registry, path);
  }
  validateImage(image);

  let name: string;
  if (positionalName !== undefined) name = positionalName;
  else if (flags.container !== undefined) name = flags.container;
  else {
    const base =
      text(fromEnv('TOOLBOX_NAME', 'name') ?? stored('name') ?? fromRc('TOOLBOX_NAME', 'name')) ||
      `toolbox-${layers.userName}`;
    name = defaultName(base, mode, flags.tag !== undefined ? validateTag(flags.tag) : undefined);
  }
  validateName(name);

  const shell =
    text(fromEnv('TOOLBOX_SHELL', 'shell') ?? stored('shell') ?? fromRc('TOOLBOX_SHELL', 'shell')) || DEFAULT_SHELL;
  const engine = text(flag(flags.engine, 'engine') ?? fromEnv('TOOLBOX_ENGINE', 'engine') ?? stored('engine')) as
    EngineName | undefined;
  const exec = (text(flag(flags.exec, 'exec') ?? fromEnv('TOOLBOX_EXEC', 'exec') ?? stored('exec')) ??
    'auto') as ExecPath;
  const autostop = yes(stored('autostop'));
  const keep =
    flags.nostop ?? yes(envSetting(env, 'TOOLBOX_NOSTOP', 'autostop')) ?? (autostop === undefined ? false : !autostop);
  const pull = flags.noPull ? false : (yes(stored('pull')) ?? true);

  return {
    engine,
    sudo: flags.root === true,
    image,
    name,
    mode,
    shell,
    autostop: !keep,
    pull,
    sandbox: flags.sandbox === true,
    runtime: flags.runtime,
    engineArgs: flags.podmanArgs ?? [],
    exec,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
    requested: requestedOf(flags, layers, { image, mode }),
  };
}
