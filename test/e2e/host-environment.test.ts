// The container's environment is the container's: direct entry runs the host's sh, prlimit and
// nsenter as root, and none of them may see it (an image's LD_PRELOAD naming a file that a user
// can write on the host would run that user's code as root). It applies inside only, as podman
// exec applies it (issue 21, F2).
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  MINIMAL_IMAGE,
  hostUpdateInBox,
  isolatedEnv,
  podman,
  removeContainers,
  runPrefix,
  toolbox,
} from './helpers.js';

const P = runPrefix('e2e-hostenv-');
const BOX = `${P}box`;
/** The shared object an unprivileged user planted on the host; it is not in the toolbox. */
const PRELOAD = `/tmp/${P}preload.so`;
/** Where it says which process loaded it: written on the host only if a host process did. */
const MARKER = `/tmp/${P}loaded`;
const BUILD = mkdtempSync(`/tmp/${P}build-`);
/** The minimal image (busybox, /bin/env only) without its env command. */
const NO_ENV_IMAGE = `localhost/${P}no-env:latest`;
const env = isolatedEnv();
// Every variable that makes the host's loader or libc read a file the container names.
const HOSTILE = {
  LD_PRELOAD: PRELOAD,
  LD_LIBRARY_PATH: `/tmp/${P}lib`,
  LD_AUDIT: PRELOAD,
  GCONV_PATH: `/tmp/${P}gconv`,
  LOCPATH: `/tmp/${P}locale`,
  GLIBC_TUNABLES: 'glibc.malloc.check=3',
};
const PODMAN_ARGS = Object.entries(HOSTILE)
  .map(([k, v]) => `--env ${k}=${v}`)
  .join(' ');

const marker = () => (existsSync(MARKER) ? readFileSync(MARKER, 'utf8') : '(none)');

beforeAll(() => {
  removeContainers(P);
  const source = join(BUILD, 'preload.c');
  writeFileSync(
    source,
    `#include <stdio.h>
#include <unistd.h>
__attribute__((constructor)) static void loaded(void) {
  char exe[512] = "";
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n > 0) exe[n] = 0;
  FILE *f = fopen(${JSON.stringify(MARKER)}, "a");
  if (f) { fprintf(f, "uid=%d exe=%s\\n", (int)getuid(), exe); fclose(f); }
}
`,
  );
  const cc = spawnSync('cc', ['-shared', '-fPIC', '-o', PRELOAD, source], { encoding: 'utf8' });
  expect(cc.stderr).toBe('');
  expect(cc.status).toBe(0);
  // The object works: a host process that is given it writes the marker.
  expect(spawnSync('true', { env: { LD_PRELOAD: PRELOAD } }).status).toBe(0);
  expect(marker()).toMatch(/^uid=0 exe=\S*true\n$/);
  rmSync(MARKER);
});
afterAll(() => {
  removeContainers(P);
  podman(['rmi', '--force', NO_ENV_IMAGE]);
  rmSync(PRELOAD, { force: true });
  rmSync(MARKER, { force: true });
  rmSync(BUILD, { recursive: true, force: true });
});

describe("the container's environment never reaches a host-side process", () => {
  it('create, then run by direct entry: no host process loads the LD_PRELOAD of the container', () => {
    const created = toolbox(['create', BOX, '--podman-args', PODMAN_ARGS], { env });
    expect(created.stdout).toBe(`${BOX}\n`);
    expect(created.code).toBe(0);
    expect(marker()).toBe('(none)');
    // -v shows the entry was direct (nsenter, not podman exec).
    const run = toolbox(['-v', 'run', '-n', '-c', BOX, '--', 'printenv', 'LD_PRELOAD'], { env });
    expect(run.stdout).toBe(`${PRELOAD}\n`);
    expect(run.stderr).toMatch(
      /^\+ \/bin\/sh -c .* \/\S*nsenter --target \d+ .* -- \/usr\/bin\/env -i -- printenv LD_PRELOAD\n/,
    );
    expect(run.code).toBe(0);
    expect(marker()).toBe('(none)');
  });

  it('inside, the command gets every variable, as podman exec gives it', () => {
    const names = Object.keys(HOSTILE);
    const script = names.map((k) => `printf '%s=%s\\n' ${k} "$${k}"`).join('; ');
    const expected = Object.entries(HOSTILE)
      .map(([k, v]) => `${k}=${v}\n`)
      .join('');
    const direct = toolbox(['run', '-n', '-c', BOX, '--exec', 'direct', '--', 'sh', '-c', script], { env });
    expect(direct.stdout).toBe(expected);
    expect(direct.code).toBe(0);
    const viaPodman = toolbox(['run', '-n', '-c', BOX, '--exec', 'podman', '--', 'sh', '-c', script], { env });
    expect(viaPodman.stdout).toBe(expected);
    expect(viaPodman.code).toBe(0);
    // The whole environment is the same both ways, but for the session marker.
    const all = (exec: string) =>
      toolbox(['run', '-n', '-c', BOX, '--exec', exec, '--', 'env'], { env })
        .stdout.split('\n')
        .filter((line) => !line.startsWith('TOOLBOX_SESSION='))
        .sort();
    expect(all('direct')).toEqual(all('podman'));
    expect(marker()).toBe('(none)');
  });

  it("the waiting shell on the host has a fixed PATH and the list it hands on, nothing of the container's", () => {
    // The command's parent is the host's sh that waits for it; its environment as it started.
    const r = toolbox(['run', '-n', '-c', BOX, '--exec', 'direct', '--', 'sh', '-c', 'cat /proc/$PPID/environ'], {
      env,
    });
    expect(r.code).toBe(0);
    const names = r.stdout
      .split('\0')
      .filter(Boolean)
      .map((entry) => entry.slice(0, entry.indexOf('=')));
    expect(names.sort()).toEqual(['PATH', 'TOOLBOX_ENTER_ENV']);
    expect(r.stdout.split('\0')).toContain('PATH=/usr/sbin:/usr/bin:/sbin:/bin');
    expect(marker()).toBe('(none)');
  });
});

describe("the env command that applies the environment is the toolbox image's own", () => {
  it('a busybox image: its /bin/env, a link inside the image, is found and used', () => {
    const name = `${P}minimal`;
    expect(toolbox(['create', '-i', MINIMAL_IMAGE, name, '--podman-args', '--env FROM_IMAGE=yes'], { env }).code).toBe(
      0,
    );
    const r = toolbox(
      ['-v', 'run', '-n', '-c', name, '-i', MINIMAL_IMAGE, '--exec', 'direct', '--', 'sh', '-c', 'echo $FROM_IMAGE'],
      {
        env,
      },
    );
    expect(r.stdout).toBe('yes\n');
    expect(r.stderr).toMatch(/^\+ \/bin\/sh -c .* \/\S*nsenter --target \d+ .* -- \/bin\/env -i -- sh -c /);
    expect(r.code).toBe(0);
  });

  it('an image without env is entered by the engine; --exec direct says why, in one line', () => {
    // A file, not stdin: podman opens /dev/stdin, which a socket (node's pipes) cannot be.
    const containerfile = join(BUILD, 'Containerfile');
    writeFileSync(containerfile, `FROM ${MINIMAL_IMAGE}\nRUN rm /bin/env\n`);
    const build = spawnSync(
      'podman',
      ['build', '--quiet', '--network', 'host', '-t', NO_ENV_IMAGE, '-f', containerfile, BUILD],
      {
        encoding: 'utf8',
      },
    );
    expect(build.status).toBe(0);
    const name = `${P}no-env`;
    expect(toolbox(['create', '-i', NO_ENV_IMAGE, name, '--podman-args', PODMAN_ARGS], { env }).code).toBe(0);
    const direct = toolbox(['run', '-n', '-c', name, '-i', NO_ENV_IMAGE, '--exec', 'direct', 'true'], { env });
    expect(direct.stderr).toBe(
      `Error: cannot enter toolbox ${name} directly: the toolbox has no env command (/usr/bin/env or /bin/env). Hint: use --exec podman (or auto)\n`,
    );
    expect(direct.code).toBe(1);
    const auto = toolbox(['-v', 'run', '-n', '-c', name, '-i', NO_ENV_IMAGE, '--', 'sh', '-c', 'echo $LD_PRELOAD'], {
      env,
    });
    expect(auto.stdout).toBe(`${PRELOAD}\n`);
    expect(auto.stderr).toMatch(/^\+ podman exec /m);
    expect(auto.code).toBe(0);
    expect(marker()).toBe('(none)');
  });
});

describe('what toolbox runs on the host from inside a toolbox gets a fixed environment too', () => {
  it("collect: the host's df, systemctl and rpm (nsenter --mount, chroot) never load the toolbox's LD_PRELOAD", () => {
    const name = `${P}collect`;
    expect(toolbox(['create', name, '--podman-args', PODMAN_ARGS], { env }).code).toBe(0);
    // Only what collect itself runs counts here (the create's own entry is pinned above).
    rmSync(MARKER, { force: true });
    const out = mkdtempSync(`/tmp/${P}bundle-`);
    try {
      const r = toolbox(['collect', '-c', name, '--profile', 'basic', '--out', out], { env });
      expect(r.code === 0 || r.code === 1).toBe(true); // a VM without systemctl fails that one command
      expect(r.stdout).toMatch(new RegExp(`^${out}/toolbox-collect-\\S+\\.tar\\.gz\\n$`));
      expect(marker()).toBe('(none)');
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  });

  it("host-update: nsenter into the host's namespaces starts the host's env with a fixed environment", () => {
    const name = `${P}host-update`;
    const inBox = hostUpdateInBox('/opt/toolbox');
    const mounts = inBox.mounts.map((m) => `--volume ${m}`).join(' ');
    expect(toolbox(['create', name, '--podman-args', `${PODMAN_ARGS} ${mounts}`], { env }).code).toBe(0);
    rmSync(MARKER, { force: true });
    // status only reads. The host is this machine, entered through a process the test starts
    // (PID 1 here may refuse nsenter); the host's env is the first program host-update starts.
    const host = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      // By podman exec: what this pins is host-update's own way onto the host, not direct entry.
      const argv = [...inBox.argv, 'status', '--host-pid', String(host.pid)];
      const r = toolbox(['run', '-n', '-c', name, '--exec', 'podman', '--', ...argv], { env });
      expect(r.stderr).toContain(
        'Error: this host is not transactional (it has no transactional-update). Hint: host-update drives transactional-update on hosts like openSUSE MicroOS; update this host with its own package manager\n',
      );
    } finally {
      host.kill();
    }
    expect(marker()).toBe('(none)');
  });
});
