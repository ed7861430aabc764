// Security properties, each pinned: config is data and never runs; only an allow-list of
// environment variables crosses into a toolbox; nothing without the toolbox label is ever
// touched; files are private; --sandbox can no longer do what a toolbox can.
// Already pinned elsewhere: 7 hostile toolboxrc lines (config.test.ts), config.json created
// 0600 (config.test.ts), LANG forwarded and an unknown variable dropped (run.test.ts), rm,
// rm --force, stop and run refused on a container without the label (lifecycle.test.ts),
// --sandbox not privileged, own pid namespace, host root read-only, no mount, no
// CAP_SYS_ADMIN/CAP_SYS_MODULE (modes.test.ts).
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync, chmodSync, mkdirSync } from 'node:fs';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_ARGV,
  ENGINE,
  ROOT,
  RUNTIME_STATE,
  containerId,
  containerState,
  containersNamed,
  forceRemove,
  isolatedEnv,
  parseJson,
  podman,
  removeContainers,
  toolbox,
  runPrefix,
  RUN_LABEL_ARGS,
} from './helpers.js';

const P = runPrefix('hd-sec-');
const BOX = `${P}box`;
const MARKER = `/tmp/${P}PWNED`;
const env = isolatedEnv();

beforeAll(() => {
  removeContainers(P);
  rmSync(MARKER, { force: true });
  expect(toolbox(['create', BOX], { env }).code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
  rmSync(MARKER, { force: true });
});

const inBox = (...cmd: string[]) => toolbox(['run', '-n', '-c', BOX, '--', ...cmd], { env });
/** The marker must exist neither on the host nor inside the toolbox. */
function expectNoMarker(): void {
  expect(existsSync(MARKER)).toBe(false);
  expect(inBox('test', '-e', MARKER).code).toBe(1);
}

describe('config is never executed', () => {
  // A key that the environment also sets is read from the environment: the hostile value must
  // be the one in force (the docker run sets TOOLBOX_ENGINE for every call).
  const configWith = (data: Record<string, string>) => {
    const e = isolatedEnv({ TOOLBOX_IMAGE: undefined, ...('engine' in data ? { TOOLBOX_ENGINE: undefined } : {}) });
    mkdirSync(join(e.XDG_CONFIG_HOME!, 'toolbox'), { recursive: true });
    writeFileSync(join(e.XDG_CONFIG_HOME!, 'toolbox/config.json'), JSON.stringify(data), { mode: 0o600 });
    return e;
  };

  it.each([
    // refused by the key's own rule, naming config.json and the key (exit 1: the file is wrong)
    ['image', { image: `$(touch ${MARKER})` }, 1, `invalid image reference "$(touch ${MARKER})"`],
    ['registry', { registry: `\`touch ${MARKER}\``, image: 'x' }, 1, `invalid registry "\`touch ${MARKER}\`"`],
    [
      'name',
      { name: `x; touch ${MARKER}`, image: 'localhost/toolbox-test:latest' },
      1,
      `invalid toolbox name "x; touch ${MARKER}"`,
    ],
    [
      'engine',
      { engine: `podman; touch ${MARKER}` },
      1,
      `invalid engine "podman; touch ${MARKER}": expected podman or docker`,
    ],
  ])('a hostile %s in config.json is refused as data', (key, data, code, message) => {
    const e = configWith(data);
    const r = toolbox(['run', 'true'], { env: e });
    expect(r.stderr.startsWith(`Error: ${join(e.XDG_CONFIG_HOME!, 'toolbox/config.json')}: ${key}: ${message}`)).toBe(
      true,
    );
    expect(r.code).toBe(code);
    expect(existsSync(MARKER)).toBe(false);
  });

  it('a shell value that is a command line is a path that does not exist, never run', () => {
    const e = configWith({ shell: `/bin/sh -c 'touch ${MARKER}'`, image: 'localhost/toolbox-test:latest' });
    const r = toolbox(['-n', '-c', BOX], { env: e, input: 'echo "$0"\n' });
    expect(r.stderr).toBe(`toolbox: /bin/sh -c 'touch ${MARKER}' is not in this image; starting /bin/sh\n`);
    expect(r.stdout).toBe('/bin/sh\n');
    expectNoMarker();
  });

  it('a quoted toolboxrc value is a literal string, never run', () => {
    const e = isolatedEnv();
    const rc = join(e.HOME!, '.toolboxrc');
    writeFileSync(rc, `TOOLBOX_SHELL='$(touch ${MARKER})'\n`);
    const r = toolbox(['-n', '-c', BOX], { env: e, input: 'echo "$0"\n' });
    // the literal string is then refused by the shell rule, as config set would refuse it
    expect(r.stderr).toBe(
      `Error: ${rc}: TOOLBOX_SHELL: invalid shell "$(touch ${MARKER})": expected an absolute path. Hint: toolboxrc lines are KEY=VALUE with a literal value; fix or remove the line\n`,
    );
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expectNoMarker();
  });

  it('--podman-args are arguments, never a shell line', () => {
    const args = `$(touch ${MARKER}) ;touch ${MARKER}`;
    const r = toolbox(['run', '-c', `${P}args`, '--podman-args', args, 'true'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: --podman-args .*: "\$\(touch" is neither an option nor an option's value\. Hint: --podman-args is split on whitespace, with no quoting and never through a shell; .*\n$/,
    );
    expect(existsSync(MARKER)).toBe(false);
    expect(containersNamed(`${P}args`)).toEqual([]);
  });

  it('no source file runs a shell or spawns a process, except the one runner', () => {
    const offenders: string[] = [];
    const walk = (dir: string) => {
      for (const entry of readdirSync(dir, { withFileTypes: true })) {
        const p = join(dir, entry.name);
        if (entry.isDirectory()) walk(p);
        else if (p.endsWith('.ts')) {
          const text = readFileSync(p, 'utf8');
          const file = relative(ROOT, p);
          if (
            /from 'node:child_process'|from 'execa'|require\(['"]child_process/.test(text) &&
            file !== 'src/os/runner.ts'
          )
            offenders.push(`${file}: spawns`);
          if (/\bshell\s*:\s*(true|['"`])/.test(text)) offenders.push(`${file}: shell option`);
          if (/\beval\(|new Function\(/.test(text)) offenders.push(`${file}: eval`);
        }
      }
    };
    walk(join(ROOT, 'src'));
    expect(offenders).toEqual([]);
    expect(readFileSync(join(ROOT, 'src/os/runner.ts'), 'utf8')).not.toMatch(/shell\s*:/);
  });
});

describe('only the allow-list of environment variables crosses into the toolbox', () => {
  const keysInside = (e: NodeJS.ProcessEnv): Record<string, string> => {
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'env', '-0'], { env: e });
    expect(r.code).toBe(0);
    return Object.fromEntries(
      r.stdout
        .split('\0')
        .filter(Boolean)
        .map((kv) => [kv.slice(0, kv.indexOf('=')), kv.slice(kv.indexOf('=') + 1)]),
    );
  };

  it('hostile and private variables stay out; the allowed ones come in; nothing else changes', () => {
    const base = isolatedEnv({ LANG: undefined });
    const baseline = keysInside(base);
    const hostile: Record<string, string> = {
      LD_PRELOAD: '/tmp/evil.so',
      LD_LIBRARY_PATH: '/tmp/evil',
      PATH: `/tmp/evil:${process.env.PATH}`,
      BASH_ENV: MARKER,
      ENV: MARKER,
      PROMPT_COMMAND: `touch ${MARKER}`,
      PS4: '$(touch /tmp/x)',
      IFS: 'x',
      SHELLOPTS: 'xtrace',
      SSH_AUTH_SOCK: '/tmp/agent',
      DISPLAY: ':0',
      HTTP_PROXY: 'http://evil:1',
      AWS_SECRET_ACCESS_KEY: 'secret',
      GITHUB_TOKEN: 'secret',
      SUDO_USER: 'evil',
      SHELL: '/tmp/evil',
      XDG_RUNTIME_DIR: '/tmp/evil',
      container: 'evil',
      TOOLBOX_SESSION: 'forged',
    };
    const allowed = { TERM: 'xterm-256color', LANG: 'C.UTF-8', LC_ALL: 'C.UTF-8', TZ: 'UTC', NO_COLOR: '1' };
    const inside = keysInside({ ...base, ...hostile, ...allowed, PATH: base.PATH });
    // PATH is needed to find podman on the host; try the hostile PATH as well, separately.
    const withPath = keysInside({ ...base, PATH: hostile.PATH });
    expect(withPath.PATH).toBe(baseline.PATH);
    for (const key of Object.keys(hostile)) {
      if (key === 'TOOLBOX_SESSION')
        expect(inside[key]).toMatch(/^\d+-\d+$/); // toolbox's own marker, not the forged one
      else if (key in baseline) expect({ key, value: inside[key] }).toEqual({ key, value: baseline[key] });
      else expect({ key, present: key in inside }).toEqual({ key, present: false });
    }
    for (const [key, value] of Object.entries(allowed)) expect({ key, value: inside[key] }).toEqual({ key, value });
    const added = Object.keys(inside)
      .filter((k) => !(k in baseline))
      .sort();
    expect(added).toEqual(
      Object.keys(allowed)
        .filter((k) => !(k in baseline))
        .sort(),
    );
    expectNoMarker();
  });
});

describe('nothing without the toolbox label is touched', () => {
  const OTHER = `${P}other`;
  const state = () =>
    podman(['container', 'inspect', '--format', '{{.State.Status}} {{.State.StartedAt}}', OTHER]).stdout;
  const refusal = (name: string) =>
    `Error: container ${name} is not a toolbox (it has no toolbox label); refusing to touch it. Hint: choose another name with -c NAME, or manage it with '${ENGINE}' directly\n`;
  afterAll(() => forceRemove(OTHER));

  it.each([
    [
      'running',
      () =>
        podman([
          'run',
          '-d',
          '--name',
          OTHER,
          ...RUN_LABEL_ARGS,
          'localhost/toolbox-test-minimal:latest',
          'sleep',
          '600',
        ]),
    ],
    ['paused', () => podman(['pause', OTHER])],
    ['exited', () => (podman(['unpause', OTHER]), podman(['stop', '--time', '0', OTHER]))],
    [
      'created',
      () => (
        podman(['rm', '--force', OTHER]),
        podman(['create', '--name', OTHER, ...RUN_LABEL_ARGS, 'localhost/toolbox-test-minimal:latest', 'sleep', '600'])
      ),
    ],
  ])('a %s container is never started, unpaused, stopped, removed or entered', (status, prepare) => {
    expect(prepare().code).toBe(0);
    expect(containerState(OTHER)).toBe(status);
    const before = state();
    for (const args of [
      ['stop', '--force', OTHER],
      ['rm', '--force', OTHER],
      ['create', OTHER],
      ['enter', OTHER],
      ['run', '-c', OTHER, 'true'],
      ['run', '-n', '-c', OTHER, 'true'],
    ]) {
      const r = toolbox(args, { env });
      expect({ args, stderr: r.stderr, code: r.code }).toEqual({ args, stderr: refusal(OTHER), code: 1 });
      expect(state()).toBe(before);
    }
  });

  it.each(['yes', 'TRUE', '1', ''])('a label io.toolbox.managed=%s is not the toolbox label', (value) => {
    const name = `${P}spoof`;
    expect(
      podman([
        'create',
        '--name',
        name,
        ...RUN_LABEL_ARGS,
        '--label',
        `io.toolbox.managed=${value}`,
        'localhost/toolbox-test-minimal:latest',
        'true',
      ]).code,
    ).toBe(0);
    try {
      const r = toolbox(['rm', '--force', name], { env });
      expect(r.stderr).toBe(refusal(name));
      expect(r.code).toBe(1);
      expect(containerState(name)).toBe('created');
      expect(
        (parseJson(toolbox(['list', '--json'], { env }).stdout, 'list --json') as { name: string }[]).map(
          (b) => b.name,
        ),
      ).not.toContain(name);
    } finally {
      podman(['rm', '--force', name]);
    }
  });
});

describe('files are private', () => {
  it('config.json is created 0600 even with umask 000, and rewritten 0600 when it was 0644', () => {
    const e = isolatedEnv();
    const file = join(e.XDG_CONFIG_HOME!, 'toolbox/config.json');
    const r = spawnSync('sh', ['-c', 'umask 000; exec "$0" "$@"', ...CLI_ARGV, 'config', 'set', 'autostop', 'false'], {
      env: e,
    });
    expect(r.status).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    chmodSync(file, 0o644);
    expect(toolbox(['config', 'set', 'pull', 'false'], { env: e }).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
  });

  it('session, lock and record state lives in directories only root can enter', () => {
    expect(inBox('true').code).toBe(0);
    const box = `${RUNTIME_STATE}/boxes/${containerId(BOX)}`;
    for (const dir of [
      '/run/toolbox',
      RUNTIME_STATE,
      `${RUNTIME_STATE}/boxes`,
      box,
      `${box}/sessions`,
      `${RUNTIME_STATE}/names`,
    ]) {
      const s = statSync(dir);
      expect({ dir, mode: s.mode & 0o777, uid: s.uid }).toEqual({ dir, mode: 0o700, uid: 0 });
    }
  });
});

describe('--sandbox can no longer do what a toolbox can', () => {
  const SANDBOX = `${P}sandbox`;
  const inSandbox = (...cmd: string[]) => toolbox(['run', '-n', '-S', '-c', SANDBOX, '--', ...cmd], { env });
  const hostRootDevice = spawnSync('findmnt', ['-no', 'SOURCE', '/'], { encoding: 'utf8' }).stdout.trim();

  it("enter the host's mount namespace through a host process (here: this test runner)", () => {
    const hostname = readFileSync('/etc/hostname', 'utf8');
    const pid = String(process.pid);
    expect(inBox('nsenter', '-t', pid, '-m', '--', 'cat', '/etc/hostname').stdout).toBe(hostname);
    const r = inSandbox('nsenter', '-t', pid, '-m', '--', 'cat', '/etc/hostname');
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(`nsenter: cannot open /proc/${pid}/ns/mnt: No such file or directory\n`);
    expect(r.code).toBe(1);
  });

  it('see or signal host processes', () => {
    const pid = String(process.pid);
    expect(inBox('kill', '-0', pid).code).toBe(0); // signal 0: a permission check, harmless
    const r = inSandbox('kill', '-0', pid);
    expect(r.code).not.toBe(0);
    expect(inSandbox('test', '-e', `/proc/${pid}`).code).toBe(1);
  });

  it("reach the host's block devices", () => {
    expect(hostRootDevice).toMatch(/^\/dev\//);
    expect(inBox('test', '-b', hostRootDevice).code).toBe(0);
    expect(inSandbox('test', '-e', hostRootDevice).code).toBe(1);
  });

  it("write the host's root, or remount it writable", () => {
    const target = `/tmp/${P}written-${process.pid}`;
    try {
      expect(inBox('sh', '-c', `echo x > /media/root${target}`).code).toBe(0);
      expect(readFileSync(target, 'utf8')).toBe('x\n');
      rmSync(target);
      const r = inSandbox('sh', '-c', `echo x > /media/root${target}`);
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(existsSync(target)).toBe(false);
      expect(inSandbox('mount', '-o', 'remount,rw', '/media/root').code).not.toBe(0);
    } finally {
      rmSync(target, { force: true });
    }
  });

  it('write to /sys', () => {
    const sysMount = (r: { stdout: string }) =>
      r.stdout
        .split('\n')
        .find((l) => l.split(' ')[1] === '/sys')
        ?.split(' ')[3]
        ?.split(',')[0];
    expect(sysMount(inBox('cat', '/proc/self/mounts'))).toBe('rw');
    expect(sysMount(inSandbox('cat', '/proc/self/mounts'))).toBe('ro');
  });
});

describe('what --sandbox still can do (it is less privileged, not isolated)', () => {
  const SANDBOX = `${P}sandbox`;
  const inSandbox = (...cmd: string[]) => toolbox(['run', '-n', '-S', '-c', SANDBOX, '--', ...cmd], { env });

  it("read every file of the host's root, secrets included, as root", () => {
    const r = inSandbox('sh', '-c', 'id -u; head -c 5 /media/root/etc/shadow | wc -c');
    expect(r.stdout).toBe('0\n5\n');
  });

  it("use the host's network namespace", () => {
    expect(inSandbox('readlink', '/proc/self/ns/net').stdout).toBe(
      spawnSync('readlink', ['/proc/self/ns/net'], { encoding: 'utf8' }).stdout,
    );
  });
});
