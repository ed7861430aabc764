// Each command line reaches its command's function with exactly the arguments and options it
// was given: the actions program.ts attaches to the grammar's commands, with the command modules
// replaced by recorders (nothing runs).
import type { Command } from 'commander';
import { beforeEach, describe, expect, it, vi } from 'vitest';
import { GRAMMAR, type CommandSpec } from '../../src/cli/grammar.js';
import { buildProgram, type Outcome } from '../../src/cli/program.js';

const calls: [string, unknown[]][] = [];
const recorder =
  (name: string) =>
  (...args: unknown[]) => {
    calls.push([name, args]);
    return Promise.resolve(7);
  };
const recorders = (...names: string[]) => Object.fromEntries(names.map((n) => [n, recorder(n)]));

vi.mock('../../src/cli/commands/run.js', () => recorders('runCommand'));
vi.mock('../../src/cli/commands/create.js', () => recorders('createCommand'));
vi.mock('../../src/cli/commands/manage.js', () => recorders('listCommand', 'stopCommand', 'rmCommand'));
vi.mock('../../src/cli/commands/tools.js', () =>
  recorders('installCommand', 'removeCommand', 'searchCommand', 'updateCommand', 'toolsCommand'),
);
vi.mock('../../src/cli/commands/upgrade.js', () => recorders('upgradeCommand', 'rollbackCommand'));
vi.mock('../../src/cli/commands/repo.js', () => recorders('repoAddCommand', 'repoListCommand', 'repoRemoveCommand'));
vi.mock('../../src/cli/commands/collect.js', () => recorders('collectCommand'));
vi.mock('../../src/cli/commands/config.js', () =>
  recorders('configGet', 'configSet', 'configUnset', 'configList', 'configPath'),
);
vi.mock('../../src/cli/commands/completion.js', () => recorders('completionCommand', 'namesCommand'));
vi.mock('../../src/cli/commands/export.js', () => recorders('exportCommand', 'unexportCommand'));
vi.mock('../../src/cli/commands/exported.js', () => recorders('exportedCommand'));

beforeEach(() => {
  calls.length = 0;
});

const PROGRAM = Symbol('the program');

// [command line, the command path it exercises, the function called, its arguments]. Flags not
// given are undefined, which toEqual takes as absent: `{}` is "no global option".
const CASES: [string[], string, string, unknown[]][] = [
  [[], '', 'runCommand', [{}, []]],
  [['-c', 'x', 'ls', '-la'], '', 'runCommand', [{ container: 'x' }, ['ls', '-la']]],
  [['run', '-n', 'id', '-u'], 'run', 'runCommand', [{ nostop: true }, ['id', '-u']]],
  [['enter', 'dev'], 'enter', 'runCommand', [{}, [], 'dev']],
  [['create', 'dev', '-P'], 'create', 'createCommand', [{ noPull: true }, 'dev']],
  [['list', '--json', '-a'], 'list', 'listCommand', [{}, true, true]],
  [['list'], 'list', 'listCommand', [{}, false, false]],
  [['list', '--all'], 'list', 'listCommand', [{}, false, true]],
  [['list', '--json'], 'list', 'listCommand', [{}, true, false]],
  [['stop', '-f', 'dev'], 'stop', 'stopCommand', [{}, 'dev', true]],
  [['rm', 'dev'], 'rm', 'rmCommand', [{}, 'dev', false]],
  [
    ['install', 'a', 'b', '--no-recommends', '--json'],
    'install',
    'installCommand',
    [{}, ['a', 'b'], { json: true, recommends: false, export: false }],
  ],
  [
    ['install', '-q', 'a'],
    'install',
    'installCommand',
    [{ quiet: true }, ['a'], { json: false, recommends: undefined, export: false }],
  ],
  [
    ['install', '--export', 'a'],
    'install',
    'installCommand',
    [{}, ['a'], { json: false, recommends: undefined, export: true }],
  ],
  [['remove', 'a', '--json'], 'remove', 'removeCommand', [{}, ['a'], { json: true }]],
  [['search', 'term'], 'search', 'searchCommand', [{}, 'term']],
  [['update', '--dist', '--recommends'], 'update', 'updateCommand', [{}, { dist: true, recommends: true }]],
  [['tools', 'dev', '--json'], 'tools', 'toolsCommand', [{}, 'dev', { json: true }]],
  [
    ['upgrade', 'dev', '--keep', '2', '--check', '-f', '--json'],
    'upgrade',
    'upgradeCommand',
    [{}, 'dev', { force: true, json: true, recommends: undefined, check: true, keep: '2' }],
  ],
  [
    ['rollback', '--to', '3', 'dev'],
    'rollback',
    'rollbackCommand',
    [{}, 'dev', { force: false, json: false, to: '3' }],
  ],
  [['repo', 'add', 'a', 'http://x', '--key', '/k'], 'repo add', 'repoAddCommand', [{}, 'a', 'http://x', { key: '/k' }]],
  [['repo', 'list', '--json'], 'repo list', 'repoListCommand', [{}, { json: true }]],
  [['repo', 'remove', 'a', '-c', 'dev'], 'repo remove', 'repoRemoveCommand', [{ container: 'dev' }, 'a']],
  [
    ['collect', '-o', '/tmp', '--profile', 'basic', '--profile', 'network', '--timeout', '5', '--json'],
    'collect',
    'collectCommand',
    [{}, { out: '/tmp', profile: ['basic', 'network'], timeout: '5', json: true }],
  ],
  [
    ['collect', '--host-pid', '1', '--max-output', '1M'],
    'collect',
    'collectCommand',
    [{}, { hostPid: '1', maxOutput: '1M', json: false }],
  ],
  [['config', 'get', 'engine'], 'config get', 'configGet', ['engine']],
  [['config', 'set', 'engine', 'docker'], 'config set', 'configSet', ['engine', 'docker']],
  [['config', 'unset', 'engine'], 'config unset', 'configUnset', ['engine']],
  [['config', 'list', '--json'], 'config list', 'configList', [true]],
  [['config', 'path'], 'config path', 'configPath', []],
  [['completion', 'zsh'], 'completion', 'completionCommand', [PROGRAM, 'zsh']],
  [['__names', '-c', 'x'], '__names', 'namesCommand', [{ container: 'x' }]],
  [
    ['export', '-c', 'x', '--dir', '/d', '--as', 'y', '--force', '--json', 'a', '/b c'],
    'export',
    'exportCommand',
    [{ container: 'x' }, ['a', '/b c'], { list: false, json: true, force: true, dir: '/d', as: 'y' }],
  ],
  [
    ['export', '--list'],
    'export',
    'exportCommand',
    [{}, [], { list: true, json: false, force: false, dir: undefined, as: undefined }],
  ],
  [['unexport', '-u', 'a', 'b'], 'unexport', 'unexportCommand', [{ user: true }, ['a', 'b'], { dir: undefined }]],
  [
    ['__exported', 'ID', 'box', 'system', '/p', '-c', '--', 'x'],
    '__exported',
    'exportedCommand',
    [['ID', 'box', 'system', '/p', '-c', '--', 'x']],
  ],
];

describe('the actions', () => {
  it.each(CASES)('toolbox %j calls %s %s', async (argv, _path, name, args) => {
    const outcome: Outcome = { exitCode: 0 };
    const program = buildProgram(outcome, () => {});
    await program.parseAsync(argv, { from: 'user' });
    expect(calls).toEqual([[name, args.map((a) => (a === PROGRAM ? program : a))]]);
    if (name === 'completionCommand') expect(calls[0]![1][0] as Command).toBe(program);
    // The command's exit code is the program's.
    expect(outcome.exitCode).toBe(7);
  });

  it('cover every command that has an action', () => {
    const paths = (spec: CommandSpec, path: string[] = []): string[] => [
      ...(spec.commands.length === 0 || path.length === 0 ? [path.join(' ')] : []),
      ...spec.commands.flatMap((c) => paths(c, [...path, c.name])),
    ];
    const covered = new Set(CASES.map(([, path]) => path));
    // `help` prints help itself (fast-argv.test.ts and cli-usage e2e test it).
    expect(paths(GRAMMAR).filter((p) => p !== 'help' && !covered.has(p))).toEqual([]);
  });
});
