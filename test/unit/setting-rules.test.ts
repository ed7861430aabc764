// config set stores invalid values (#10): one rule per key, the same for config set, config.json,
// TOOLBOX_* variables, toolboxrc and flags.
import { describe, expect, expectTypeOf, it } from 'vitest';
import type { EngineName, Mode } from '../../src/core/ports.js';
import {
  ENGINES,
  envSetting,
  EXEC_PATHS,
  MODES,
  parseSetting,
  rcSetting,
  SETTING_RULES,
  storedSetting,
  wordList,
} from '../../src/core/settings/setting-rules.js';
import { resolveSettings, type Layers } from '../../src/core/settings/settings.js';

const layers = (over: Partial<Layers> = {}): Layers => ({
  rc: {},
  config: {},
  env: {},
  userName: 'alice',
  configFile: '/cfg/config.json',
  ...over,
});
const NAME_RULE = "use letters, digits, '_', '.' and '-', starting with a letter or digit";
const message = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return `${(error as Error).message} | ${(error as { hint?: string }).hint} | ${(error as { exitCode?: number }).exitCode}`;
  }
  return 'accepted';
};

describe('13.10: config set stores invalid values', () => {
  it.each([
    ['name', 'rt-x;id', `invalid toolbox name "rt-x;id": ${NAME_RULE}`],
    ['image', 'localhost/x:$(id)', 'invalid image reference "localhost/x:$(id)"'],
    ['registry', 'reg;x', 'invalid registry "reg;x"'],
    ['shell', 'bash', 'invalid shell "bash": expected an absolute path'],
    ['engine', 'lxc', 'invalid engine "lxc": expected podman or docker'],
    ['exec', 'fast', 'invalid exec path "fast": expected auto or podman or direct'],
    ['mode', 'root', 'invalid mode "root": expected system or user'],
    ['autostop', 'maybe', 'expected true or false, got "maybe"'],
  ])('%s %j: refused by set, stored, env and toolboxrc alike', (key, bad, why) => {
    const k = key as keyof typeof SETTING_RULES;
    expect(() => parseSetting(key, bad)).toThrow(SETTING_RULES[k].type === 'boolean' ? `invalid ${key}: ${why}` : why);
    // config.json holds a boolean as a JSON boolean: a string there is the wrong type
    const stored = SETTING_RULES[k].type === 'boolean' ? `expected a JSON boolean, got ${JSON.stringify(bad)}` : why;
    expect(message(() => storedSetting({ [key]: bad }, k, '/cfg/config.json'))).toBe(
      `/cfg/config.json: ${key}: ${stored} | fix it with 'toolbox config set ${key} VALUE', or remove it with 'toolbox config unset ${key}' | 1`,
    );
    expect(message(() => envSetting({ TOOLBOX_X: bad }, 'TOOLBOX_X', k))).toBe(
      `TOOLBOX_X: ${why} | fix or unset TOOLBOX_X | 2`,
    );
    expect(message(() => rcSetting(bad, 'X', k, '/etc/toolboxrc'))).toBe(
      `/etc/toolboxrc: X: ${why} | toolboxrc lines are KEY=VALUE with a literal value; fix or remove the line | 1`,
    );
  });

  it('a stored value of the wrong JSON type is refused naming the file and key', () => {
    expect(message(() => storedSetting({ pull: 'no' }, 'pull', '/cfg/config.json'))).toBe(
      `/cfg/config.json: pull: expected a JSON boolean, got "no" | fix it with 'toolbox config set pull VALUE', or remove it with 'toolbox config unset pull' | 1`,
    );
    expect(message(() => storedSetting({ name: 7 }, 'name', '/c'))).toBe(
      "/c: name: expected a JSON string, got 7 | fix it with 'toolbox config set name VALUE', or remove it with 'toolbox config unset name' | 1",
    );
  });

  it('valid values pass unchanged, booleans as booleans', () => {
    expect(parseSetting('name', 'rt-x')).toBe('rt-x');
    expect(parseSetting('image', 'opensuse/toolbox')).toBe('opensuse/toolbox');
    expect(parseSetting('registry', 'localhost:5000')).toBe('localhost:5000');
    expect(parseSetting('autostop', 'no')).toBe(false);
    expect(storedSetting({ autostop: false }, 'autostop', '/c')).toBe(false);
    expect(storedSetting({}, 'name', '/c')).toBeUndefined();
  });

  it('resolveSettings refuses an invalid stored name before using it, naming config.json', () => {
    expect(() => resolveSettings({}, layers({ config: { name: 'rt-x;id' } }))).toThrow(
      `/cfg/config.json: name: invalid toolbox name "rt-x;id"`,
    );
    expect(() => resolveSettings({}, layers({ config: { image: 'localhost/x:$(id)' } }))).toThrow(
      '/cfg/config.json: image: invalid image reference',
    );
    expect(() => resolveSettings({}, layers({ config: { autostop: 'no' } }))).toThrow(
      '/cfg/config.json: autostop: expected a JSON boolean',
    );
    expect(() =>
      resolveSettings({}, layers({ rc: { TOOLBOX_NAME: 'a;b' }, rcSources: { TOOLBOX_NAME: '/etc/toolboxrc' } })),
    ).toThrow('/etc/toolboxrc: TOOLBOX_NAME: invalid toolbox name "a;b"');
    expect(() => resolveSettings({ img: 'Bad Image' }, layers())).toThrow('invalid image reference "Bad Image"');
    expect(() => resolveSettings({}, layers({ env: { TOOLBOX_NOSTOP: 'maybe' } }))).toThrow(
      'TOOLBOX_NOSTOP: expected true or false, got "maybe"',
    );
  });
});

describe('one list per choice set', () => {
  it('ENGINES and MODES are exactly the port types (npm run typecheck checks this)', () => {
    expectTypeOf<(typeof ENGINES)[number]>().toEqualTypeOf<EngineName>();
    expectTypeOf<(typeof MODES)[number]>().toEqualTypeOf<Mode>();
  });

  it('config set accepts exactly the listed choices, and its help names them', () => {
    for (const engine of ENGINES) expect(parseSetting('engine', engine)).toBe(engine);
    for (const exec of EXEC_PATHS) expect(parseSetting('exec', exec)).toBe(exec);
    expect(() => parseSetting('engine', 'lxc')).toThrow('invalid engine "lxc": expected podman or docker');
    expect(SETTING_RULES.engine.description).toBe('container engine: podman or docker');
    expect(SETTING_RULES.exec.description).toBe('how run enters a toolbox: auto, podman or direct (default auto)');
    expect(SETTING_RULES.mode.description).toBe('system or user (default system)');
  });

  it('wordList joins as a sentence does', () => {
    expect([[], ['a'], ['a', 'b'], ['a', 'b', 'c']].map(wordList)).toEqual(['', 'a', 'a or b', 'a, b or c']);
  });
});
