// Every --json command, of toolbox and of host-update, keeps its promise to scripts when a bug
// throws in it: exactly one failure document on stdout ({"ok": false, "result": "failed",
// "error", "hint"}), the stack trace on stderr, exit 1. The bug is injected with the test-only
// TOOLBOX_TEST_FAULT (src/cli/test-fault.ts), which makes the named command throw a TypeError as
// it starts. The list of commands comes from the programs themselves, so a new --json command
// without a line here fails the test.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { GRAMMAR, type CommandSpec } from '../../src/cli/grammar.js';
import { buildProgram as buildHostProgram } from '../../src/host/program.js';
import { HOST_UPDATE_ARGV, isolatedEnv, resultOf, ROOT, SYNC_LIMITS, toolbox } from './helpers.js';

/** Each --json command's words, with what its required arguments need. */
const TOOLBOX_JSON: Record<string, string[]> = {
  list: ['list', '--json'],
  install: ['install', '--json', 'strace'],
  remove: ['remove', '--json', 'strace'],
  tools: ['tools', '--json'],
  upgrade: ['upgrade', '--json'],
  rollback: ['rollback', '--json'],
  'repo list': ['repo', 'list', '--json'],
  collect: ['collect', '--json'],
  'config list': ['config', 'list', '--json'],
  export: ['export', '--json', 'strace'],
};
const HOST_UPDATE_JSON: Record<string, string[]> = {
  status: ['status', '--json'],
  up: ['up', '--json'],
  dup: ['dup', '--json'],
  patch: ['patch', '--json'],
  pkg: ['pkg', 'install', 'strace', '--json'],
  rollback: ['rollback', '--json'],
  cleanup: ['cleanup', '--json'],
  reboot: ['reboot', '--json'],
  attach: ['attach', '--json'],
};

function jsonCommands(spec: CommandSpec, path: string[] = []): string[] {
  const own = spec.options.some((o) => o.long === '--json') ? [path.join(' ')] : [];
  return [...own, ...spec.commands.flatMap((c) => jsonCommands(c, [...path, c.name]))];
}

function expectFailureDocument(
  r: { code: number | null; stdout: string; stderr: string },
  program: string,
  command: string,
): void {
  const fault = `injected fault in ${program} ${command} (TOOLBOX_TEST_FAULT)`;
  expect(r.stdout).toBe(
    `${JSON.stringify({
      ok: false,
      result: 'failed',
      error: `internal error: TypeError: ${fault}`,
      hint: `a bug in ${program}; please report it with the stack trace on stderr`,
    })}\n`,
  );
  expect(r.stderr).toMatch(
    new RegExp(`^Internal error \\(a bug in ${program}; please report it\\): TypeError: ${escape(fault)}\\n    at `),
  );
  expect(r.code).toBe(1);
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

describe('--json on an unexpected error (a bug) still prints the failure document', () => {
  it('the tables below name every --json command of both programs', () => {
    expect(Object.keys(TOOLBOX_JSON).sort()).toEqual(jsonCommands(GRAMMAR).sort());
    const host = buildHostProgram(
      { exitCode: 0 },
      () => undefined,
      () => {
        throw new Error('not connected in this test');
      },
    );
    const hostJson = host.commands.filter((c) => c.options.some((o) => o.long === '--json')).map((c) => c.name());
    expect(Object.keys(HOST_UPDATE_JSON).sort()).toEqual(hostJson.sort());
  });

  for (const [command, argv] of Object.entries(TOOLBOX_JSON)) {
    it(`toolbox ${argv.join(' ')}`, () => {
      const r = toolbox(argv, { env: isolatedEnv({ TOOLBOX_TEST_FAULT: `toolbox ${command}` }) });
      expectFailureDocument(r, 'toolbox', command);
    });
  }

  for (const [command, argv] of Object.entries(HOST_UPDATE_JSON)) {
    it(`host-update ${argv.join(' ')}`, () => {
      const [file = '', ...pre] = HOST_UPDATE_ARGV;
      const r = resultOf(
        spawnSync(file, [...pre, ...argv], {
          env: isolatedEnv({ TOOLBOX_TEST_FAULT: `host-update ${command}` }),
          input: '',
          cwd: ROOT,
          ...SYNC_LIMITS,
        }),
      );
      expectFailureDocument(r, 'host-update', command);
    });
  }

  it('without the variable, the same commands run as ever (the hook is inert)', () => {
    const r = toolbox(['config', 'list', '--json'], { env: isolatedEnv({ TOOLBOX_TEST_FAULT: 'toolbox other' }) });
    expect([r.code, r.stdout, r.stderr]).toEqual([0, '{}\n', '']);
  });
});
