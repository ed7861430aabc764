// The direct path and podman exec must be indistinguishable from inside the toolbox.
import { constants } from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENGINE, isolatedEnv, removeContainers, toolbox, toolboxAsync, waitFor, runPrefix } from './helpers.js';

const P = runPrefix('e2e-eq-');
const BOX = `${P}box`;
const env = isolatedEnv();
const PATHS = ['direct', 'podman'] as const;
const via = (path: string, cmd: string[], input = '') =>
  toolbox(['run', '-n', '--exec', path, '-c', BOX, '--', ...cmd], { env, input });

beforeAll(() => {
  removeContainers(P);
  expect(toolbox(['create', '--podman-args', '--workdir /usr/share --env FROM_CREATE=1', BOX], { env }).code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
});

function both(cmd: string[], input = '') {
  const [direct, podman] = PATHS.map((p) => via(p, cmd, input));
  return { direct: direct!, podman: podman! };
}

describe('direct entry is equivalent to podman exec', () => {
  it('the direct path is really taken', () => {
    const r = toolbox(['-v', 'run', '-n', '--exec', 'direct', '-c', BOX, 'true'], { env });
    expect(r.stderr).toMatch(/nsenter --target \d+/);
    expect(r.stderr).not.toMatch(/podman exec/);
  });

  it('environment', () => {
    const { direct, podman } = both(['env']);
    const clean = (s: string) =>
      s
        .split('\n')
        .filter((l) => l && !l.startsWith('TOOLBOX_SESSION='))
        .sort();
    expect(clean(direct.stdout)).toEqual(clean(podman.stdout));
    expect(clean(direct.stdout)).toContain('FROM_CREATE=1');
  });

  it('working directory, user and groups', () => {
    const { direct, podman } = both(['sh', '-c', 'pwd; id; umask']);
    expect(direct.stdout).toBe(podman.stdout);
    expect(direct.stdout).toBe('/usr/share\nuid=0(root) gid=0(root) groups=0(root)\n0022\n');
  });

  it('namespaces, cgroups, capabilities, seccomp and limits', () => {
    const script =
      'ls -l /proc/self/ns | awk \'NR>1 {print $9, $11}\'; cat /proc/self/cgroup; grep -E "^(Cap|NoNewPrivs|Seccomp)" /proc/self/status; ulimit -a; hostname; cat /proc/self/attr/current 2>/dev/null; echo end';
    const { direct, podman } = both(['bash', '-c', script]);
    expect(direct.stderr).toBe('');
    expect(direct.stdout).toBe(podman.stdout);
    // the cgroup each engine names after the container: libpod-ID (podman), docker/ID
    expect(direct.stdout).toContain(ENGINE === 'docker' ? '/docker/' : 'libpod-');
    expect(direct.stdout).toMatch(/\nend\n$/);
  });

  it.each([0, 1, 42])('exit code %i', (n) => {
    const { direct, podman } = both(['sh', '-c', `exit ${n}`]);
    expect(direct.code).toBe(n);
    expect(podman.code).toBe(n);
  });

  // Every signal whose default action ends a process: the named ones and the real-time ones.
  const KILLING = [
    'HUP',
    'INT',
    'QUIT',
    'ILL',
    'TRAP',
    'ABRT',
    'BUS',
    'FPE',
    'KILL',
    'USR1',
    'SEGV',
    'USR2',
    'PIPE',
    'ALRM',
    'TERM',
    'STKFLT',
    'XCPU',
    'XFSZ',
    'VTALRM',
    'PROF',
    'IO',
    'PWR',
    'SYS',
  ].map((name) => [name, constants.signals[`SIG${name}` as NodeJS.Signals]] as const);
  for (let n = 34; n <= 64; n++) KILLING.push([`RT${n}`, n]);

  it.each(KILLING)('13.8: a command killed by SIG%s (%i) exits 128+N on both paths', (_name, n) => {
    const { direct, podman } = both(['sh', '-c', `kill -s ${n} $$`]);
    expect({ direct: direct.code, podman: podman.code }).toEqual({ direct: 128 + n, podman: 128 + n });
    expect(direct.stderr).toBe('');
  });

  it('126 not executable and 127 not found', () => {
    for (const path of PATHS) {
      expect(via(path, ['/etc/hostname']).code).toBe(126);
      expect(via(path, ['no-such-command']).code).toBe(127);
    }
  });

  it('stdin, stdout and stderr content', () => {
    const input = 'line one\nline two\n\u0000binary\u00ff';
    const { direct, podman } = both(['sh', '-c', 'cat; echo to-stderr >&2; printf "tail"'], input);
    expect(direct.stdout).toBe(podman.stdout);
    expect(direct.stderr).toBe(podman.stderr);
    expect(direct.stdoutBuffer.equals(podman.stdoutBuffer)).toBe(true);
    expect(direct.stderr).toBe('to-stderr\n');
  });

  it.each(PATHS.flatMap((path) => (['SIGTERM', 'SIGHUP', 'SIGINT'] as const).map((signal) => [path, signal] as const)))(
    '%s path delivers %s',
    async (path, signal) => {
      const name = signal.slice(3);
      const run = toolboxAsync(
        [
          'run',
          '-n',
          '--exec',
          path,
          '-c',
          BOX,
          '--',
          'bash',
          '-c',
          `trap 'echo caught-${name}; exit 40' ${name}; echo ready; while :; do sleep 0.1; done`,
        ],
        { env },
      );
      await waitFor(() => run.output().includes('ready'), 'the command to start');
      run.child.kill(signal);
      const r = await run.done;
      expect(r.stdout).toBe(`ready\ncaught-${name}\n`);
      expect(r.code).toBe(40);
    },
  );

  it('--exec direct refuses a toolbox it cannot enter directly, --exec auto falls back', () => {
    const SANDBOX = `${P}sandbox`;
    const auto = toolbox(['run', '-n', '-S', '-c', SANDBOX, '--', 'echo', 'fallback'], { env });
    expect(auto.stdout).toBe('fallback\n');
    const forced = toolbox(['run', '-n', '-S', '--exec', 'direct', '-c', SANDBOX, 'true'], { env });
    expect(forced.code).toBe(1);
    expect(forced.stderr).toBe(
      `Error: cannot enter toolbox ${SANDBOX} directly: the toolbox is sandboxed. Hint: use --exec podman (or auto)\n`,
    );
  });

  it('never enters a recycled PID: a record whose process changed is not trusted', () => {
    // Stop the toolbox behind toolbox's back; the recorded PID dies with it.
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    const r = toolbox(['-v', 'run', '-n', '-c', BOX, 'hostname'], { env });
    expect(r.stdout).toBe(`${BOX}\n`);
    expect(r.stderr).toMatch(new RegExp(`\\+ ${ENGINE} start [0-9a-f]{64}\\n`));
  });
});
