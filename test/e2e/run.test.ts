// `toolbox run` and the default form: exit codes, clean stdout, streams, parsing, signals.
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerState,
  ENGINE,
  isolatedEnv,
  removeContainers,
  toolbox,
  toolboxAsync,
  waitFor,
  runPrefix,
} from './helpers.js';

const P = runPrefix('e2e-run-');
const BOX = `${P}box`;
const env = isolatedEnv();

beforeAll(() => {
  removeContainers(P);
  const r = toolbox(['create', BOX], { env });
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe(`${BOX}\n`);
  expect(r.code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
});

describe('exit codes pass through', () => {
  it.each([0, 1, 42, 125])('exit %i', (n) => {
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'sh', '-c', `exit ${n}`], { env });
    expect(r.code).toBe(n);
    expect(r.stdout).toBe('');
  });

  it('127 for a command that does not exist', () => {
    const r = toolbox(['run', '-n', '-c', BOX, 'no-such-command-xyz'], { env });
    expect(r.code).toBe(127);
    expect(r.stdout).toBe('');
    expect(r.stderr).toContain('no-such-command-xyz');
  });

  it('126 for a file that is not executable', () => {
    const r = toolbox(['run', '-n', '-c', BOX, '/etc/hostname'], { env });
    expect(r.code).toBe(126);
    expect(r.stdout).toBe('');
  });
});

describe('stdout carries only the command output', () => {
  it('exactly the bytes the command printed, with nothing on stderr off a terminal', () => {
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'printf', 'a\\nb\\n'], { env });
    expect(r.stdout).toBe('a\nb\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it('keeps stderr separate', () => {
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'sh', '-c', 'echo out; echo err >&2'], { env });
    expect(r.stdout).toBe('out\n');
    expect(r.stderr).toBe('err\n');
  });

  it('status lines appear with -v, on stderr only', () => {
    const direct = toolbox(['-v', 'run', '-n', '-c', BOX, '--', 'echo', 'x'], { env });
    expect(direct.stdout).toBe('x\n');
    // docker quirk: no store index to confirm the name by, so it asks the engine once
    const confirm = ENGINE === 'docker' ? `\\+ docker container inspect ${BOX}\\n` : '';
    expect(direct.stderr).toMatch(
      new RegExp(`^${confirm}\\+ /bin/sh -c .* /\\S*nsenter --target \\d+ --mount --uts .* -- echo x\\n$`),
    );
    const viaPodman = toolbox(['-v', 'run', '--exec', 'podman', '-n', '-c', BOX, '--', 'echo', 'x'], { env });
    expect(viaPodman.stdout).toBe('x\n');
    expect(viaPodman.stderr).toMatch(new RegExp(`^${confirm}\\+ ${ENGINE} exec --interactive .* echo x\\n$`));
  });

  it('round-trips 3 MB of binary stdin', () => {
    const data = randomBytes(3 * 1024 * 1024);
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'cat'], { env, input: data });
    expect(r.code).toBe(0);
    expect(r.stdoutBuffer.length).toBe(data.length);
    expect(createHash('sha256').update(r.stdoutBuffer).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });
});

describe('option parsing stops at the command', () => {
  it('default form: toolbox ls -la runs ls -la', () => {
    const r = toolbox(['-n', '-c', BOX, 'ls', '-d', '-la', '/media/root/etc'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^d[rwx-]{9}\S* +\d+ root root .* \/media\/root\/etc\n$/);
  });

  it('run -- passes -n to the command, not to toolbox', () => {
    const r = toolbox(['run', '-c', BOX, '-n', '--', 'grep', '-n', 'root', '/etc/passwd'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe('1:root:x:0:0:root:/root:/bin/bash\n');
  });

  it('options after the subcommand and before it are the same', () => {
    const a = toolbox(['-n', '-c', BOX, 'run', 'hostname'], { env });
    const b = toolbox(['run', '-n', '-c', BOX, 'hostname'], { env });
    expect(a.stdout).toBe(`${BOX}\n`);
    expect(b.stdout).toBe(`${BOX}\n`);
  });

  it('toolbox -- rm runs rm inside, not the rm subcommand', () => {
    const r = toolbox(['-n', '-c', BOX, '--', 'rm', '--version'], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^rm \(GNU coreutils\)/);
  });

  it('run without a command starts the shell (stdin is the script)', () => {
    const r = toolbox(['run', '-n', '-c', BOX], { env, input: 'echo "shell:$0"; exit 3\n' });
    expect(r.stdout).toBe('shell:/bin/bash\n');
    expect(r.code).toBe(3);
  });
});

describe('signals reach the command', () => {
  it.each([
    ['SIGTERM', 'TERM', 7],
    ['SIGHUP', 'HUP', 8],
    ['SIGINT', 'INT', 9],
  ] as const)('%s', async (signal, name, code) => {
    const script = `trap 'echo got-${name}; exit ${code}' ${name}; echo ready; while :; do sleep 0.1; done`;
    const run = toolboxAsync(['run', '-n', '-c', BOX, '--', 'bash', '-c', script], { env });
    await waitFor(() => run.output().includes('ready'), 'the command to start');
    run.child.kill(signal);
    const r = await run.done;
    expect(r.stdout).toBe(`ready\ngot-${name}\n`);
    expect(r.code).toBe(code);
  });
});

describe('the environment is an allow-list', () => {
  it('forwards LANG, drops everything else', () => {
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'sh', '-c', 'echo "$LANG|$SECRET_TOKEN|$HOME"'], {
      env: { ...env, LANG: 'C.UTF-8', SECRET_TOKEN: 'leak' },
    });
    expect(r.stdout).toBe('C.UTF-8||/root\n');
  });
});

it('auto-stops when the last session ends, and -n keeps it running', () => {
  expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
  expect(containerState(BOX)).toBe('running');
  expect(toolbox(['run', '-c', BOX, 'true'], { env }).code).toBe(0);
  expect(containerState(BOX)).toBe('exited');
  // and the next call starts it again
  const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'back'], { env });
  expect(r.stdout).toBe('back\n');
  expect(containerState(BOX)).toBe('running');
});
