// 13.9: on a real terminal (tmux), a redirected stream keeps its own content: the engine's pty
// merges stdout and stderr, so one is allocated only when stdin, stdout and stderr are all
// terminals. The direct path never allocates one; it is held to the same behaviour.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_SHELL, isolatedEnv, removeContainers, toolbox, waitFor, runPrefix } from './helpers.js';
import { Tmux } from './support/tmux.js';

const P = runPrefix('e2e-ttys-');
const BOX = `${P}box`;
const env = isolatedEnv();
const work = mkdtempSync(join(tmpdir(), P));
let sessions = 0;
// A tmux server of our own (its socket in our directory), kept up by an idle session for the
// whole file: a server whose last session ends exits, and a session started meanwhile can fail.
const terminal = new Tmux(join(work, 'tmux.socket'), env);
const tmux = (...args: string[]) => terminal.run(...args);

beforeAll(() => {
  removeContainers(P);
  expect(tmux('new-session', '-d', '-s', 'keep', 'sleep 600').stderr).toBe('');
  expect(toolbox(['create', BOX], { env }).code).toBe(0);
});
afterAll(() => {
  tmux('kill-server');
  rmSync(work, { recursive: true, force: true });
  removeContainers(P);
});

/** Runs `toolbox run` with `redirect` in a shell on a tmux terminal; returns the screen and the exit code. */
async function onTerminal(path: string, script: string, redirect: string): Promise<{ screen: string; code: string }> {
  const session = `run-${++sessions}`;
  const status = join(work, `${session}.status`);
  const command = `${CLI_SHELL} run -n --exec ${path} -c ${BOX} -- sh -c '${script}' ${redirect}; echo "exit=$?" > ${status}; sleep 60`;
  const started = terminal.start(session, command);
  expect({ status: started.status, stderr: started.stderr }).toEqual({ status: 0, stderr: '' });
  let code = '';
  await waitFor(
    () => {
      try {
        code = readFileSync(status, 'utf8');
      } catch {
        /* not yet */
      }
      return code !== '';
    },
    'toolbox to finish',
    60_000,
  );
  const screen = terminal.screen(session);
  tmux('kill-session', '-t', session);
  return { screen: screen.trimEnd(), code };
}

describe.each(['podman', 'direct'])('13.9: --exec %s on a terminal', (path) => {
  it(`13.9: --exec ${path}: stderr redirected to a file gets exactly its line, the screen does not`, async () => {
    const file = join(work, `${path}-err`);
    const r = await onTerminal(path, 'echo to-out; echo to-err >&2', `2>${file}`);
    expect(r.code).toBe('exit=0\n');
    expect(readFileSync(file, 'utf8')).toBe('to-err\n');
    expect(r.screen).toBe('to-out');
  });

  it(`13.9: --exec ${path}: stdout redirected to a file gets exactly its line, the screen does not`, async () => {
    const file = join(work, `${path}-out`);
    const r = await onTerminal(path, 'echo to-out; echo to-err >&2', `>${file}`);
    expect(r.code).toBe('exit=0\n');
    expect(readFileSync(file, 'utf8')).toBe('to-out\n');
    expect(r.screen).toBe('to-err');
  });

  it(`13.9: --exec ${path}: with all three on the terminal, the command has a terminal`, async () => {
    const r = await onTerminal(path, 'test -t 0 && test -t 1 && test -t 2 && echo all-three-terminals; exit 3', '');
    expect(r.code).toBe('exit=3\n');
    expect(r.screen).toBe('all-three-terminals');
  });
});
