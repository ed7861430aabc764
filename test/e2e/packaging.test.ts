// The RPMs: built with rpmbuild from the single executables in dist/sea, installed into a
// container that has no Node.js by zypper from a signed repository (and by plain rpm), run there,
// and the installed file copied out and run as a real toolbox against the machine's podman.
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, PACKAGE_VERSION, runPrefix, removeContainers, RUN_LABEL_ARGS } from './helpers.js';
import {
  buildProjectRpms,
  must,
  nameOnlyRpms,
  ROOT,
  run,
  serve,
  sharedLibraryStandIn,
  signedRepo,
  type ProjectRpms,
} from './support/rpm-repo.js';

const IMAGE = 'localhost/toolbox-test:latest';
const VERSION = PACKAGE_VERSION;
const ARM64 = existsSync(join(ROOT, 'dist/sea/toolbox-linux-arm64'));
const P = runPrefix('pk-pkg-');
const BOX = `${P}installed-box`;
const TOOLBOX_HELP_FIRST = 'Usage: toolbox [options] [CMD...]';
const HOST_UPDATE_HELP_FIRST = 'Usage: host-update [options] [command]';
let work: string;
let rpms: ProjectRpms;
let repo: { url: string; keyFile: string; close: () => void };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), P));
  rpms = buildProjectRpms(join(work, 'out'));
  const standIns = [sharedLibraryStandIn(work, rpms.toolbox), ...nameOnlyRpms(work, ['util-linux'])];
  const signed = signedRepo(join(work, 'repo'), [rpms.toolbox, rpms.hostUpdate, ...standIns]);
  const server = await serve(signed.dir);
  repo = { ...server, keyFile: signed.keyFile };
}, 600_000);
afterAll(() => {
  // unset when beforeAll failed before it started the repository
  (repo as typeof repo | undefined)?.close();
  removeContainers(P);
  rmSync(work, { recursive: true, force: true });
});

const query = (rpm: string, ...args: string[]) =>
  must('rpm', ['-qp', ...args, rpm])
    .trim()
    .split('\n');
const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');
/** The SHA-256 rpm recorded for PATH inside RPM. */
const digestIn = (rpm: string, path: string) =>
  query(rpm, '--qf', '[%{FILENAMES} %{FILEDIGESTS}\n]')
    .find((l) => l.startsWith(`${path} `))
    ?.split(' ')[1];
/** sh -c SCRIPT in a throwaway container that reaches the repo server on loopback. */
const inContainer = (script: string, ...volumes: string[]) =>
  run('podman', [
    'run',
    '--rm',
    ...RUN_LABEL_ARGS,
    '--network',
    'host',
    ...volumes.flatMap((v) => ['-v', v]),
    IMAGE,
    'sh',
    '-c',
    script,
  ]);
/** A required capability that names a shared library (or the loader's hash style), nothing else. */
const SHARED_LIBRARY = /^(lib[\w+.-]*\.so\.\d+|ld-linux-[\w-]+\.so\.\d+)\([\w.]*\)\(64bit\)$|^rtld\(GNU_HASH\)$/;

describe('rpmbuild', () => {
  it('builds toolbox and toolbox-host-update per architecture, and a source RPM, and prints their sizes', () => {
    expect(rpms.toolbox.split('/').pop()).toBe(`toolbox-${VERSION}-0.x86_64.rpm`);
    expect(rpms.hostUpdate.split('/').pop()).toBe(`toolbox-host-update-${VERSION}-0.x86_64.rpm`);
    expect(rpms.srpm.split('/').pop()).toBe(`toolbox-${VERSION}-0.src.rpm`);
    expect(query(rpms.toolbox, '--qf', '%{NAME} %{ARCH} %{LICENSE}\n')).toEqual(['toolbox x86_64 Apache-2.0 AND MIT']);
    if (ARM64) {
      expect(rpms.toolboxArm64.split('/').pop()).toBe(`toolbox-${VERSION}-0.aarch64.rpm`);
      expect(rpms.hostUpdateArm64.split('/').pop()).toBe(`toolbox-host-update-${VERSION}-0.aarch64.rpm`);
    }
    const sized = [
      rpms.toolbox,
      rpms.hostUpdate,
      rpms.srpm,
      ...(ARM64 ? [rpms.toolboxArm64, rpms.hostUpdateArm64] : []),
    ];
    for (const rpm of sized)
      expect(rpms.sizes).toMatch(
        new RegExp(`^build-rpms: ${rpm.split('/').pop()!.replace(/[.+]/g, '\\$&')} [\\d.]+[KMG]$`, 'm'),
      );
  });

  it('needs no Node.js: toolbox requires only shared libraries, host-update the toolbox it links to', () => {
    const requires = (rpm: string) => query(rpm, '--requires').filter((r) => !r.startsWith('rpmlib('));
    const toolboxNeeds = requires(rpms.toolbox);
    expect(toolboxNeeds.filter((r) => !SHARED_LIBRARY.test(r))).toEqual([]);
    expect(toolboxNeeds).toEqual(
      expect.arrayContaining(['libc.so.6()(64bit)', 'libstdc++.so.6()(64bit)', 'libm.so.6()(64bit)']),
    );
    expect(requires(rpms.hostUpdate)).toEqual([`toolbox = ${VERSION}-0`, 'util-linux']);
    expect(query(rpms.toolbox, '--recommends')).toEqual(['podman']);
  });

  it('puts the executable, licences, man page and completions of toolbox in their places', () => {
    expect(query(rpms.toolbox, '--list')).toEqual([
      '/usr/bin/toolbox',
      '/usr/share/bash-completion',
      '/usr/share/bash-completion/completions',
      '/usr/share/bash-completion/completions/toolbox',
      '/usr/share/fish',
      '/usr/share/fish/vendor_completions.d',
      '/usr/share/fish/vendor_completions.d/toolbox.fish',
      '/usr/share/licenses/toolbox',
      '/usr/share/licenses/toolbox/LICENSE',
      '/usr/share/licenses/toolbox/LICENSE.node',
      '/usr/share/man/man1/toolbox.1',
      '/usr/share/zsh',
      '/usr/share/zsh/site-functions',
      '/usr/share/zsh/site-functions/_toolbox',
    ]);
    expect(
      query(rpms.toolbox, '--qf', '[%{FILENAMES} %{FILEMODES:perms}\n]').filter((l) => l.startsWith('/usr/bin/')),
    ).toEqual(['/usr/bin/toolbox -rwxr-xr-x']);
    expect(query(rpms.toolbox, '--licensefiles')).toEqual([
      '/usr/share/licenses/toolbox/LICENSE',
      '/usr/share/licenses/toolbox/LICENSE.node',
    ]);
  });

  it('packs the built executable byte for byte (no strip or debuginfo pass rewrote it)', () => {
    expect(digestIn(rpms.toolbox, '/usr/bin/toolbox')).toBe(sha256(join(ROOT, 'dist/sea/toolbox')));
    if (ARM64)
      expect(digestIn(rpms.toolboxArm64, '/usr/bin/toolbox')).toBe(sha256(join(ROOT, 'dist/sea/toolbox-linux-arm64')));
  });

  it('makes host-update a link to toolbox, with its man page and the rpm macro file', () => {
    expect(query(rpms.hostUpdate, '--list')).toEqual([
      '/usr/bin/host-update',
      '/usr/lib/rpm/macros.d/macros.toolbox-host-update',
      '/usr/share/man/man1/host-update.1',
    ]);
    expect(query(rpms.hostUpdate, '--qf', '[%{FILENAMES} %{FILELINKTOS}\n]')[0]).toBe('/usr/bin/host-update toolbox');
    expect(query(rpms.hostUpdate, '--provides')).toEqual([
      'rpm_macro(_netsharedpath)',
      `toolbox-host-update = ${VERSION}-0`,
      `toolbox-host-update(x86-64) = ${VERSION}-0`,
    ]);
  });

  it('ships man pages that man -l renders without warnings', () => {
    const dir = join(work, 'extracted');
    must('mkdir', ['-p', dir]);
    for (const rpm of [rpms.toolbox, rpms.hostUpdate])
      must('sh', ['-c', 'rpm2archive - < "$1" | tar -xz', '_', rpm], { cwd: dir });
    for (const page of ['toolbox', 'host-update']) {
      const r = run('man', ['--warnings', '-l', join(dir, `usr/share/man/man1/${page}.1`)], {
        env: { ...process.env, MANWIDTH: '80' },
      });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(
        new RegExp(`^${page.toUpperCase()}\\(1\\) +User Commands +${page.toUpperCase()}\\(1\\)$`),
      );
    }
  });
});

describe('installed in a container without Node.js', () => {
  it('installs with zypper from the signed repo and runs: toolbox and host-update', () => {
    const r = inContainer(
      `set -e
if command -v node; then echo "node is here"; exit 1; else echo "node: none"; fi
# Debian's rpm uses ~/.rpmdb; make it share zypper's database, as openSUSE's rpm does.
mkdir -p /etc/rpm && echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros
rpm --import /key.asc
zypper --quiet --non-interactive addrepo "$0" test
zypper --quiet --non-interactive install --no-recommends toolbox-host-update >/dev/null
rpm -q --qf '%{NAME} %{ARCH}\\n' toolbox toolbox-host-update
rpm -V toolbox toolbox-host-update
rpm --eval '%_netsharedpath'
toolbox --version
toolbox --help > /tmp/help; echo "toolbox --help exit $?: $(head -1 /tmp/help)"
host-update --help > /tmp/help; echo "host-update --help exit $?: $(head -1 /tmp/help)"
cp -P /usr/bin/toolbox /usr/bin/host-update /copied/`.replace('"$0"', repo.url),
      `${repo.keyFile}:/key.asc:ro`,
      `${must('sh', ['-c', 'mkdir -p "$1" && echo "$1"', '_', join(work, 'copied')]).trim()}:/copied`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'node: none',
        'toolbox x86_64',
        'toolbox-host-update x86_64',
        '/dev:/etc/hosts',
        VERSION,
        `toolbox --help exit 0: ${TOOLBOX_HELP_FIRST}`,
        `host-update --help exit 0: ${HOST_UPDATE_HELP_FIRST}`,
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it("the installed file, copied out, runs a real toolbox on this machine's podman", () => {
    const copied = join(work, 'copied/toolbox');
    const env = isolatedEnv();
    const created = run(copied, ['create', '-c', BOX], { env });
    expect({ code: created.code, stdout: created.stdout }).toEqual({ code: 0, stdout: `${BOX}\n` });
    const inside = run(
      copied,
      ['run', '-c', BOX, '--', 'sh', '-c', 'test -d /media/root/proc && echo "in $0"; exit 7', 'the-box'],
      { env },
    );
    expect({ code: inside.code, stdout: inside.stdout }).toEqual({ code: 7, stdout: 'in the-box\n' });
    const listed = run(copied, ['list', '--json'], { env });
    expect(listed.code).toBe(0);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((b) => b.name)).toContain(BOX);
    // The copied link still picks host-update by its name.
    const hu = run(join(work, 'copied/host-update'), ['--help'], { env });
    expect({ code: hu.code, first: hu.stdout.split('\n')[0] }).toEqual({ code: 0, first: HOST_UPDATE_HELP_FIRST });
  });

  it('is refused by zypper when the repo key is not trusted', () => {
    const r = inContainer(
      `zypper --non-interactive addrepo ${repo.url} test >/dev/null && zypper --non-interactive install toolbox; echo "exit $?"`,
    );
    expect(r.stdout).toMatch(/exit [1-9]\d*\n$/);
    expect(r.stdout + r.stderr).toContain('Signature verification failed');
  });

  it("installs with plain rpm (Debian's rpm database knows no libc) and its completion works", () => {
    const r = inContainer(
      `set -e
rpm -i --nodeps /rpms/${rpms.toolbox.split('/').pop()} /rpms/${rpms.hostUpdate.split('/').pop()} 2>/dev/null
rpm -V toolbox toolbox-host-update --nodeps
toolbox --version
bash -c 'source /usr/share/bash-completion/completions/toolbox; COMP_WORDS=(toolbox config u); COMP_CWORD=2; _toolbox; echo "\${COMPREPLY[*]}"'`,
      `${join(work, 'out')}:/rpms:ro`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${VERSION}\nunset\n`);
  });
});
