// A real terminal: tmux runs toolbox; we type into it and read the screen.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { CLI_SHELL, containerState, isolatedEnv, removeContainers, waitFor, runPrefix } from './helpers.js';
import { Tmux } from './support/tmux.js';

const P = runPrefix('e2e-tty-');
const BOX = `${P}box`;
const SESSION = 'tty';
const env = isolatedEnv();
// The tmux server's socket and the exit status file: in this run's own directory.
const work = mkdtempSync(join(tmpdir(), P));
const status = join(work, 'status');

const terminal = new Tmux(join(work, 'tmux.socket'), env);
const tmux = (...args: string[]) => terminal.run(...args);
const screen = () => terminal.screen(SESSION);

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  tmux('kill-server');
  rmSync(work, { recursive: true, force: true });
  removeContainers(P);
});

it('enter gives a login shell with a toolbox prompt, and its exit code passes through', async () => {
  const command = `${CLI_SHELL} enter ${BOX}; echo "exit=$?" > ${status}; sleep 30`;
  expect(terminal.start(SESSION, command).status).toBe(0);
  await waitFor(() => screen().includes('⬢'), 'the toolbox prompt', 60_000);
  expect(screen()).toMatch(new RegExp(`⬢ \\[root@${BOX} /\\]# ?$`, 'm'));
  tmux(
    'send-keys',
    '-t',
    SESSION,
    '[ -t 0 ] && [ -t 1 ] && echo "terminal $(stty size)"; echo "answer=$((6*7))"; shopt -q login_shell && echo login',
    'Enter',
  );
  await waitFor(() => screen().includes('answer=42'), 'the command output');
  const text = screen();
  expect(text).toContain('\nterminal 30 120\n');
  expect(text).toContain('\nlogin\n');
  tmux('send-keys', '-t', SESSION, 'exit 5', 'Enter');
  await waitFor(() => {
    try {
      return readFileSync(status, 'utf8') !== '';
    } catch {
      return false;
    }
  }, 'toolbox to exit');
  expect(readFileSync(status, 'utf8')).toBe('exit=5\n');
  expect(containerState(BOX)).toBe('exited'); // the only session ended: auto-stop
});
