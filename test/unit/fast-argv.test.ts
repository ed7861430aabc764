// The hot path's reader must agree with commander wherever it does not give up.
import { describe, expect, it } from 'vitest';
import { fastCreateArgv, fastListArgv, fastRunArgv, SUBCOMMANDS } from '../../src/cli/fast-argv.js';
import { flagsOf } from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/program.js';
import type { Command } from 'commander';

/** What commander makes of argv for run/default: [flags, command] */
async function viaCommander(argv: string[]): Promise<{ flags: Record<string, unknown>; command: string[] } | 'other'> {
  const program = buildProgram({ exitCode: 0 }, () => {});
  let got: { flags: Record<string, unknown>; command: string[] } | 'other' = 'other';
  const capture = (cmd: Command) =>
    cmd.action((args: string[], _o: unknown, self: Command) => {
      got = { flags: clean(flagsOf(self)), command: args };
    });
  capture(program);
  capture(program.commands.find((c) => c.name() === 'run')!);
  for (const c of program.commands) if (c.name() !== 'run') c.action(() => void (got = 'other'));
  const { routeDoubleDash, VALUE_OPTIONS } = await import('../../src/cli/program.js');
  await program.parseAsync(routeDoubleDash(argv, VALUE_OPTIONS), { from: 'user' });
  return got;
}

const clean = (o: object) => Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

const samples: string[][] = [
  [],
  ['true'],
  ['ls', '-la'],
  ['-n', 'ls', '-la'],
  ['run', 'true'],
  ['run', '-n', '-c', 'x', '--', 'grep', '-n', 'x'],
  ['-c', 'x', 'run', '-v', 'id'],
  ['-n', '--', 'rm', '-rf', 'x'],
  ['--exec', 'podman', 'run', 'true'],
  ['-u', '-r', '-t', 'dev', 'run'],
  ['run', 'run'],
  ['run', '--', 'list'],
  ['-q', '-P', '-S', 'sh'],
  ['--engine', 'docker', 'true'],
  ['-i', 'localhost/x:1', 'id'],
  ['--container', 'x', '--tag', 'y', 'true'],
  ['-R', 'r.example', '-I', 'a/b', 'true'],
  ['-X', 'runc', 'true'],
  ['-', 'x'],
];

describe('fastRunArgv', () => {
  it.each(samples)('agrees with commander: %j', async (...argv) => {
    const fast = fastRunArgv(argv, SUBCOMMANDS);
    expect(fast).toBeDefined();
    expect(await viaCommander(argv)).toEqual({ flags: clean(fast!.flags), command: fast!.command });
  });

  it.each([
    ['list'],
    ['create', 'x'],
    ['--help'],
    ['-h'],
    ['-nq', 'true'],
    ['--container=x', 'true'],
    ['-c'],
    ['-c', '-n', 'true'],
    ['--engine', 'lxc', 'true'],
    ['--podman-args', '--env A=1', 'true'],
    ['-c', 'a', '-c', 'b', 'true'],
    ['--frobnicate'],
    ['config', 'list'],
  ])('gives up on %j, leaving it to commander', (...argv) => {
    expect(fastRunArgv(argv, SUBCOMMANDS)).toBeUndefined();
  });

  it('knows every subcommand the program has', () => {
    const names = buildProgram({ exitCode: 0 }, () => {}).commands.flatMap((c) => [c.name(), ...c.aliases()]);
    expect(new Set(names)).toEqual(SUBCOMMANDS);
  });

  // `toolbox help` ran `help` inside a toolbox: no word commander knows may fall through.
  it.each([...SUBCOMMANDS].map((w) => [w]))(
    'toolbox %s never reaches the default action (no command runs in a toolbox)',
    async (word) => {
      // `run` is the one subcommand the hot path takes itself; every other goes to commander.
      if (word !== 'run') expect(fastRunArgv([word], SUBCOMMANDS)).toBeUndefined();
      const program = buildProgram({ exitCode: 0 }, () => {});
      let ranDefault = false;
      program.action(() => void (ranDefault = true));
      program.configureOutput({ writeOut: () => {}, writeErr: () => {} });
      const silence = (c: Command): void => {
        c.exitOverride().configureOutput({ writeOut: () => {}, writeErr: () => {} });
        if (c.name() !== 'help') c.action(() => {});
        c.commands.forEach(silence);
      };
      program.commands.forEach(silence);
      await program.parseAsync([word, '--help'], { from: 'user' }).catch(() => {});
      await program.parseAsync([word], { from: 'user' }).catch(() => {});
      expect(ranDefault).toBe(false);
    },
  );
});

describe('fastListArgv', () => {
  /** What commander makes of argv for list: its flags (no global option set) and its options. */
  async function viaCommander(
    argv: string[],
  ): Promise<{ flags: Record<string, unknown>; json: boolean; all: boolean } | 'other'> {
    const program = buildProgram({ exitCode: 0 }, () => {});
    let got: { flags: Record<string, unknown>; json: boolean; all: boolean } | 'other' = 'other';
    for (const c of program.commands) c.action(() => void (got = 'other'));
    program.commands
      .find((c) => c.name() === 'list')!
      .action((o: { json?: boolean; all?: boolean }, self: Command) => {
        got = { flags: clean(flagsOf(self)), json: o.json === true, all: o.all === true };
      });
    await program.parseAsync(argv, { from: 'user' });
    return got;
  }

  it.each([
    [['list']],
    [['list', '--json']],
    [['list', '-a']],
    [['list', '--all', '--json']],
    [['list', '--json', '-a']],
  ])('agrees with commander: %j', async (argv) => {
    const fast = fastListArgv(argv);
    expect(fast).toBeDefined();
    expect(await viaCommander(argv)).toEqual({ flags: {}, ...fast });
  });

  it.each([
    [[]],
    [['run', 'list']],
    [['-c', 'x', 'list']],
    [['list', '-c', 'x']],
    [['list', '--help']],
    [['list', '-aj']],
    [['list', 'x']],
    [['list', '--json', '--json']],
    [['list', '-a', '--all']],
    [['list', '--json=1']],
    [['list', '--']],
    [['lists']],
  ])('gives up on %j, leaving it to commander', (argv) => {
    expect(fastListArgv(argv)).toBeUndefined();
  });
});

describe('fastCreateArgv', () => {
  async function viaCommander(
    argv: string[],
  ): Promise<{ flags: Record<string, unknown>; name: string | undefined } | 'other'> {
    const program = buildProgram({ exitCode: 0 }, () => {});
    let got: { flags: Record<string, unknown>; name: string | undefined } | 'other' = 'other';
    for (const c of program.commands) c.action(() => void (got = 'other'));
    program.commands
      .find((c) => c.name() === 'create')!
      .action((name: string | undefined, _o: unknown, self: Command) => {
        got = { flags: clean(flagsOf(self)), name };
      });
    await program.parseAsync(argv, { from: 'user' });
    return got;
  }

  it.each([[['create']], [['create', 'dev']], [['create', 'run']], [['create', 'help']], [['create', 'a.b_c-1']]])(
    'agrees with commander: %j',
    async (argv) => {
      const fast = fastCreateArgv(argv);
      expect(fast).toBeDefined();
      expect(await viaCommander(argv)).toEqual({ flags: {}, name: fast!.name });
    },
  );

  it.each([
    [[]],
    [['list']],
    [['-c', 'x', 'create']],
    [['create', '-c', 'x']],
    [['create', 'x', '-P']],
    [['create', '--help']],
    [['create', '--', 'x']],
    [['create', 'x', 'y']],
    [['create', '']],
    [['create', '-']],
  ])('gives up on %j, leaving it to commander', (argv) => {
    expect(fastCreateArgv(argv)).toBeUndefined();
  });
});

describe('-c a -c b silently takes the last one', () => {
  const parse = async (argv: string[]) => {
    const program = buildProgram({ exitCode: 0 }, () => {});
    let flags: unknown;
    const capture = (c: Command) =>
      c.action((...args: unknown[]) => void (flags = clean(flagsOf(args.at(-1) as Command))));
    capture(program);
    program.commands.forEach(capture);
    await program.parseAsync(argv, { from: 'user' });
    return flags;
  };

  it.each([
    [['-c', 'a', '-c', 'b', 'true'], '-c/--container given twice, as "a" and "b"'],
    [['-c', 'a', 'run', '-c', 'b', 'true'], '-c/--container given twice, as "a" and "b"'],
    [['-c', 'a', 'list', '--container', 'b'], '-c/--container given twice, as "a" and "b"'],
    [['-t', 'a', '-t', 'b'], '-t/--tag given twice, as "a" and "b"'],
    [['--exec', 'podman', '--exec', 'direct', 'true'], '--exec given twice, as "podman" and "direct"'],
    [['-X', 'runc', 'create', '-X', 'crun'], '-X/--runtime given twice, as "runc" and "crun"'],
  ])('%j is a usage error naming the option', async (argv, message) => {
    await expect(parse(argv)).rejects.toThrow(expect.objectContaining({ message, exitCode: 2 }));
  });

  it('the same value twice is one value; --podman-args add up across the subcommand', async () => {
    expect(await parse(['-c', 'a', 'run', '-c', 'a', 'true'])).toEqual({ container: 'a' });
    expect(await parse(['--podman-args', '--env A=1', 'create', '--podman-args', '--env B=2'])).toEqual({
      podmanArgs: ['--env', 'A=1', '--env', 'B=2'],
    });
  });
});
