// Which engine toolbox drives, and what it says when that engine cannot be used: --engine,
// TOOLBOX_ENGINE and config choose; with no choice podman is preferred, and docker takes over
// when podman is missing or installed but unable to run. Real binaries throughout: the CI
// dockerd (.ci/start-dockerd), a socket nobody serves, docker's own client speaking an API too
// new for the daemon, and a real unprivileged user. Runs once, on whatever engine: it names both.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_ARGV,
  CLI_FORM,
  freshUserName,
  isolatedEnv,
  resultOf,
  runPrefix,
  SEA,
  SYNC_LIMITS,
  toolbox,
  type Result,
} from './helpers.js';

const P = runPrefix('e2e-eng-');
/** CI's own dockerd, always the real one here, whatever engine the run tests. */
const CI_DOCKER = process.env.DOCKER_HOST ?? 'unix:///run/toolbox-ci-docker.sock';
const tmp = mkdtempSync(join(tmpdir(), P));
const NOBODY_SOCKET = `unix://${tmp}/no-daemon.sock`;
const which = (bin: string) => spawnSync('sh', ['-c', `command -v ${bin}`], { encoding: 'utf8' }).stdout.trim();
const DOCKER = which('docker');

/** A directory for PATH holding `files`: name -> a script (sh), or a symlink to a real binary. */
function binDir(name: string, files: Record<string, { script: string } | { link: string }>): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  for (const [file, what] of Object.entries(files)) {
    if ('link' in what) symlinkSync(what.link, join(dir, file));
    else writeFileSync(join(dir, file), `#!/bin/sh\n${what.script}\n`, { mode: 0o755 });
  }
  return dir;
}

/** The engine calls a -v run traced, one string each. */
function traced(r: Result): string[] {
  return r.stderr
    .split('\n')
    .filter((l) => l.startsWith('+ '))
    .map((l) => l.slice(2));
}

function oneLine(r: Result, code: number, line: string): void {
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.code).toBe(code);
}

const PS_PODMAN = 'podman ps --all --filter label=io.toolbox.managed=true --format json';
const PS_DOCKER = "docker ps --all --filter label=io.toolbox.managed=true --no-trunc --format '{{json .}}'";
const PROBE_DOCKER = "docker version --format '{{.Server.Version}}'";
const LIST_HEADER = /^NAME +STATUS +IMAGE +CREATED +MODE +ENGINE\n/;

afterAll(() => {
  spawnSync('docker', ['rm', '--force', `${P}fb`], { env: { ...process.env, DOCKER_HOST: CI_DOCKER } });
  rmSync(tmp, { recursive: true, force: true });
});

describe('choosing the engine', () => {
  // The env of the podman run: no TOOLBOX_ENGINE; DOCKER_HOST names CI's daemon.
  const env = () => isolatedEnv({ TOOLBOX_ENGINE: undefined, DOCKER_HOST: CI_DOCKER });

  it('--engine docker drives docker alone, and list names it', () => {
    const r = toolbox(['-v', '--engine', 'docker', 'list'], { env: env() });
    expect(r.code).toBe(0);
    expect(traced(r)[0]).toBe(PS_DOCKER);
    expect(traced(r).filter((c) => c.startsWith('podman'))).toEqual([]);
    expect(r.stdout).toMatch(LIST_HEADER);
    expect(
      r.stdout
        .split('\n')
        .slice(1, -1)
        .every((l) => l.endsWith(' docker')),
    ).toBe(true);
  });

  it('TOOLBOX_ENGINE=docker, and engine = docker in config, do the same', () => {
    const byEnv = toolbox(['-v', 'list'], { env: { ...env(), TOOLBOX_ENGINE: 'docker' } });
    expect(byEnv.code).toBe(0);
    expect(traced(byEnv)[0]).toBe(PS_DOCKER);
    const e = env();
    expect(toolbox(['config', 'set', 'engine', 'docker'], { env: e }).code).toBe(0);
    const byConfig = toolbox(['-v', 'list'], { env: e });
    expect(byConfig.code).toBe(0);
    expect(traced(byConfig)[0]).toBe(PS_DOCKER);
    // and --engine still wins over config
    expect(traced(toolbox(['-v', '--engine', 'podman', 'list'], { env: e }))[0]).toBe(PS_PODMAN);
  });

  it('no choice: podman when it works, and nothing is asked of docker (no probe on the hot path)', () => {
    const r = toolbox(['-v', 'list'], { env: env() });
    expect(r.code).toBe(0);
    expect(traced(r)).toEqual([
      PS_PODMAN,
      ...traced(r)
        .slice(1)
        .filter((c) => c.startsWith('podman ')),
    ]);
  });

  it('no choice and no podman on PATH: docker', () => {
    const path = binDir('only-docker', { docker: { link: DOCKER } });
    // nothing else on PATH: /usr/bin has podman
    const r = toolbox(['-v', 'list'], { env: { ...env(), PATH: path } });
    expect(r.code).toBe(0);
    expect(traced(r)[0]).toBe(PS_DOCKER);
    expect(r.stdout).toMatch(LIST_HEADER);
  });

  describe('podman installed but unable to run', () => {
    const broken = () =>
      `${binDir('broken-podman', {
        podman: { script: 'echo "Error: simulated: podman cannot run here" >&2\nexit 125' },
      })}:${process.env.PATH ?? ''}`;

    it("docker takes over after podman's first call fails, once its daemon answers", () => {
      const r = toolbox(['-v', 'list'], { env: { ...env(), PATH: broken() } });
      expect(r.code).toBe(0);
      expect(traced(r).slice(0, 3)).toEqual([PS_PODMAN, PROBE_DOCKER, PS_DOCKER]);
      expect(r.stdout).toMatch(LIST_HEADER);
    });

    it("a run then makes and uses a docker toolbox, its session state kept as docker's", () => {
      const e = { ...env(), PATH: broken() };
      const first = toolbox(['run', '-c', `${P}fb`, 'echo', 'made'], { env: e });
      expect(first.stderr).not.toMatch(/Error/);
      expect(first.stdout).toBe('made\n');
      expect(first.code).toBe(0);
      const made = spawnSync(
        'docker',
        ['inspect', '--format', '{{index .Config.Labels "io.toolbox.managed"}}', `${P}fb`],
        {
          encoding: 'utf8',
          env: { ...process.env, DOCKER_HOST: CI_DOCKER },
        },
      );
      expect(made.stdout).toBe('true\n');
      // its state under docker's directory, keyed by docker's id; nothing under podman's
      const id = spawnSync('docker', ['inspect', '--format', '{{.Id}}', `${P}fb`], {
        encoding: 'utf8',
        env: { ...process.env, DOCKER_HOST: CI_DOCKER },
      }).stdout.trim();
      expect(existsSync(`/run/toolbox/docker/boxes/${id}`)).toBe(true);
      expect(existsSync(`/run/toolbox/podman/boxes/${id}`)).toBe(false);
      const again = toolbox(['run', '-c', `${P}fb`, 'echo', 'again'], { env: e });
      expect([again.stdout, again.code]).toEqual(['again\n', 0]);
    });

    it("when docker cannot run either, podman's own failure is what is said", () => {
      const r = toolbox(['list'], { env: { ...env(), PATH: broken(), DOCKER_HOST: NOBODY_SOCKET } });
      oneLine(
        r,
        125,
        'Error: podman ps failed: simulated: podman cannot run here. Hint: run with -v to see the podman commands',
      );
    });

    it('a podman that answers "no such container" is working: docker is never asked', () => {
      const path = binDir('answering-podman', {
        podman: { script: 'echo "Error: no container with name or id \\"x\\" found: no such container" >&2\nexit 125' },
      });
      const r = toolbox(['-v', 'rm', `${P}none`], { env: { ...env(), PATH: `${path}:${process.env.PATH ?? ''}` } });
      expect(traced(r).filter((c) => c.startsWith('docker'))).toEqual([]);
      expect(r.code).toBe(1);
    });

    it('a chosen podman is never replaced', () => {
      const r = toolbox(['-v', '--engine', 'podman', 'list'], { env: { ...env(), PATH: broken() } });
      expect(traced(r)).toEqual([PS_PODMAN]);
      expect(r.code).toBe(125);
    });
  });
});

describe('docker that cannot be used: one line naming docker', () => {
  const env = (extra: Record<string, string> = {}) =>
    isolatedEnv({ TOOLBOX_ENGINE: 'docker', DOCKER_HOST: CI_DOCKER, ...extra });

  it('no daemon behind DOCKER_HOST', () => {
    oneLine(
      toolbox(['list'], { env: env({ DOCKER_HOST: NOBODY_SOCKET }) }),
      125,
      `Error: the docker daemon is not running (nothing answers at ${NOBODY_SOCKET}). Hint: start it (systemctl start docker), or point DOCKER_HOST at the daemon`,
    );
  });

  it('an engine too old for the client (the client pinned to an API the 20.10 daemon lacks), with either client', () => {
    const line =
      "Error: the docker engine is too old: it speaks API 1.41, the docker client 1.99. Hint: update docker (toolbox needs 20.10 or newer), or use a client of the daemon's version";
    oneLine(toolbox(['list'], { env: env({ DOCKER_API_VERSION: '1.99' }) }), 125, line);
    for (const client of ['/usr/bin/docker', '/usr/local/bin/docker'].filter((c) => which(c) === c)) {
      const path = binDir(`client-${client.replaceAll('/', '-')}`, { docker: { link: client } });
      oneLine(toolbox(['list'], { env: env({ DOCKER_API_VERSION: '1.99', PATH: path }) }), 125, line);
    }
  });
});

describe('as an unprivileged user', () => {
  const name = freshUserName('tbeng');
  let argv: string[];
  let shared: string;

  beforeAll(() => {
    expect(spawnSync('useradd', ['-m', '-s', '/bin/sh', name]).status).toBe(0);
    // The CLI where the user can run it: /work and /root need not be open to others.
    shared = mkdtempSync(join(tmpdir(), `${P}cli-`));
    chmodSync(shared, 0o755);
    if (CLI_FORM === 'sea') {
      copyFileSync(SEA, join(shared, 'toolbox'));
      chmodSync(join(shared, 'toolbox'), 0o755);
      argv = [join(shared, 'toolbox')];
    } else argv = [...CLI_ARGV];
  });
  afterAll(() => {
    spawnSync('userdel', ['-r', '-f', name]);
    rmSync(shared, { recursive: true, force: true });
  });

  const asUser = (extra: Record<string, string>): Result =>
    resultOf(
      spawnSync(
        'runuser',
        [
          '-u',
          name,
          '--',
          'env',
          '-i',
          `HOME=/home/${name}`,
          `USER=${name}`,
          'PATH=/usr/local/bin:/usr/bin:/bin',
          'LANG=C.UTF-8',
          'TOOLBOX_ENGINE=docker',
          ...Object.entries(extra).map(([k, v]) => `${k}=${v}`),
          ...argv,
          'list',
        ],
        { cwd: '/', ...SYNC_LIMITS },
      ),
    );

  it("the root daemon's socket, not theirs to open: permission denied, naming the socket", () => {
    oneLine(
      asUser({ DOCKER_HOST: CI_DOCKER }),
      125,
      `Error: permission denied on the docker socket ${CI_DOCKER}. Hint: run toolbox as root (sudo toolbox ...): a toolbox is a privileged container`,
    );
  });

  it('any other docker without root: rootless docker is refused in one line', () => {
    oneLine(
      asUser({ DOCKER_HOST: NOBODY_SOCKET }),
      125,
      'Error: rootless docker is not supported. Hint: run toolbox as root (sudo toolbox ...), or choose podman for a rootless toolbox: --engine podman',
    );
  });
});
