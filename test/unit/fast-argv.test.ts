// The hot path's reader must agree with commander wherever it does not give up.
import { describe, expect, it } from 'vitest';
import { fastRunArgv } from '../../src/cli/fast-argv.js';
import { flagsOf } from '../../src/cli/options.js';
import { buildProgram } from '../../src/cli/program.js';
import { SUBCOMMANDS } from '../../src/cli/subcommands.js';
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
  [], ['true'], ['ls', '-la'], ['-n', 'ls', '-la'], ['run', 'true'], ['run', '-n', '-c', 'x', '--', 'grep', '-n', 'x'],
  ['-c', 'x', 'run', '-v', 'id'], ['-n', '--', 'rm', '-rf', 'x'], ['--exec', 'podman', 'run', 'true'], ['-u', '-r', '-t', 'dev', 'run'],
  ['run', 'run'], ['run', '--', 'list'], ['-q', '-P', '-S', 'sh'], ['--engine', 'docker', 'true'], ['-i', 'localhost/x:1', 'id'],
  ['--container', 'x', '--tag', 'y', 'true'], ['-R', 'r.example', '-I', 'a/b', 'true'], ['-X', 'runc', 'true'], ['-', 'x'],
];

describe('fastRunArgv', () => {
  it.each(samples)('agrees with commander: %j', async (...argv) => {
    const fast = fastRunArgv(argv, SUBCOMMANDS);
    expect(fast).toBeDefined();
    expect(await viaCommander(argv)).toEqual({ flags: clean(fast!.flags), command: fast!.command });
  });

  it.each([
    ['list'], ['create', 'x'], ['--help'], ['-h'], ['-nq', 'true'], ['--container=x', 'true'], ['-c'], ['-c', '-n', 'true'],
    ['--engine', 'lxc', 'true'], ['--podman-args', '--env A=1', 'true'], ['-c', 'a', '-c', 'b', 'true'], ['--frobnicate'], ['config', 'list'],
  ])('gives up on %j, leaving it to commander', (...argv) => {
    expect(fastRunArgv(argv, SUBCOMMANDS)).toBeUndefined();
  });

  it('knows every subcommand the program has', () => {
    const names = buildProgram({ exitCode: 0 }, () => {}).commands.map((c) => c.name());
    expect(new Set([...names, 'help'])).toEqual(SUBCOMMANDS);
  });
});
