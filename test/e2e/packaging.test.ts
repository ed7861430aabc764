// The RPMs: built with rpmbuild from the bundled dist/, installed into a container by zypper from
// a signed repository (and by plain rpm), and run from there.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProjectRpms, must, nameOnlyRpms, nodejsRpm, ROOT, run, serve, signedRepo } from './support/rpm-repo.js';

const IMAGE = 'localhost/toolbox-test:latest';
const VERSION = JSON.parse(must('cat', [join(ROOT, 'package.json')])).version as string;
let work: string;
let rpms: ReturnType<typeof buildProjectRpms>;
let repo: { url: string; keyFile: string; close: () => void };

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), 'pk-packaging-'));
  rpms = buildProjectRpms(join(work, 'out'));
  const signed = signedRepo(join(work, 'repo'), [rpms.toolbox, rpms.hostUpdate, nodejsRpm(work), ...nameOnlyRpms(work, ['util-linux'])]);
  const server = await serve(signed.dir);
  repo = { ...server, keyFile: signed.keyFile };
});
afterAll(() => {
  repo?.close();
  rmSync(work, { recursive: true, force: true });
});

const query = (rpm: string, ...args: string[]) => must('rpm', ['-qp', ...args, rpm]).trim().split('\n');
const hostHelp = () => run(process.execPath, [join(ROOT, 'bin/host-update.js'), '--help']);
/** sh -c SCRIPT in a throwaway container that reaches the repo server on loopback. */
const inContainer = (script: string, ...volumes: string[]) =>
  run('podman', ['run', '--rm', '--network', 'host', ...volumes.flatMap((v) => ['-v', v]), IMAGE, 'sh', '-c', script]);

describe('rpmbuild', () => {
  it('builds two noarch RPMs and a source RPM', () => {
    expect(rpms.toolbox.split('/').pop()).toBe(`toolbox-${VERSION}-0.noarch.rpm`);
    expect(rpms.hostUpdate.split('/').pop()).toBe(`toolbox-host-update-${VERSION}-0.noarch.rpm`);
    expect(rpms.srpm.split('/').pop()).toBe(`toolbox-${VERSION}-0.src.rpm`);
    expect(query(rpms.toolbox, '--qf', '%{NAME} %{ARCH} %{LICENSE}\n')).toEqual(['toolbox noarch Apache-2.0']);
  });

  it('requires nodejs >= 20 (and the interpreter its bins name)', () => {
    const requires = (rpm: string) => query(rpm, '--requires').filter((r) => !r.startsWith('rpmlib('));
    expect(requires(rpms.toolbox)).toEqual(['/usr/bin/node', 'nodejs >= 20']);
    expect(requires(rpms.hostUpdate)).toEqual(['/usr/bin/node', 'nodejs >= 20', 'util-linux']);
    expect(query(rpms.toolbox, '--recommends')).toEqual(['podman']);
  });

  it('puts the CLI, man page and completions of toolbox in their places', () => {
    expect(query(rpms.toolbox, '--list').filter((f) => !f.includes('/dist/chunks'))).toEqual([
      '/usr/bin/toolbox',
      '/usr/lib/toolbox',
      '/usr/lib/toolbox/bin',
      '/usr/lib/toolbox/bin/toolbox.js',
      '/usr/lib/toolbox/dist',
      '/usr/lib/toolbox/dist/host-update.js',
      '/usr/lib/toolbox/dist/toolbox.js',
      '/usr/lib/toolbox/package.json',
      '/usr/share/bash-completion',
      '/usr/share/bash-completion/completions',
      '/usr/share/bash-completion/completions/toolbox',
      '/usr/share/fish',
      '/usr/share/fish/vendor_completions.d',
      '/usr/share/fish/vendor_completions.d/toolbox.fish',
      `/usr/share/licenses/toolbox-${VERSION}`,
      `/usr/share/licenses/toolbox-${VERSION}/LICENSE`,
      '/usr/share/man/man1/toolbox.1',
      '/usr/share/zsh',
      '/usr/share/zsh/site-functions',
      '/usr/share/zsh/site-functions/_toolbox',
    ]);
    expect(query(rpms.toolbox, '--qf', '[%{FILENAMES} %{FILELINKTOS}\n]').filter((l) => l.startsWith('/usr/bin/'))).toEqual([
      '/usr/bin/toolbox ../lib/toolbox/bin/toolbox.js',
    ]);
  });

  it('puts the companion, its man page and the rpm macro file in their places', () => {
    expect(query(rpms.hostUpdate, '--list').filter((f) => !f.includes('/dist/chunks'))).toEqual([
      '/usr/bin/host-update',
      '/usr/lib/rpm/macros.d/macros.toolbox-host-update',
      '/usr/lib/toolbox-host-update',
      '/usr/lib/toolbox-host-update/bin',
      '/usr/lib/toolbox-host-update/bin/host-update.js',
      '/usr/lib/toolbox-host-update/dist',
      '/usr/lib/toolbox-host-update/dist/host-update.js',
      '/usr/lib/toolbox-host-update/dist/toolbox.js',
      '/usr/lib/toolbox-host-update/package.json',
      `/usr/share/licenses/toolbox-host-update-${VERSION}`,
      `/usr/share/licenses/toolbox-host-update-${VERSION}/LICENSE`,
      '/usr/share/man/man1/host-update.1',
    ]);
    expect(query(rpms.hostUpdate, '--provides')).toEqual(['rpm_macro(_netsharedpath)', `toolbox-host-update = ${VERSION}-0`]);
  });

  it('ships man pages that man -l renders without warnings', () => {
    const dir = join(work, 'extracted');
    must('mkdir', ['-p', dir]);
    for (const rpm of [rpms.toolbox, rpms.hostUpdate]) must('sh', ['-c', 'rpm2archive - < "$1" | tar -xz', '_', rpm], { cwd: dir });
    for (const page of ['toolbox', 'host-update']) {
      const r = run('man', ['--warnings', '-l', join(dir, `usr/share/man/man1/${page}.1`)], { env: { ...process.env, MANWIDTH: '80' } });
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n')[0]).toMatch(new RegExp(`^${page.toUpperCase()}\\(1\\) +User Commands +${page.toUpperCase()}\\(1\\)$`));
    }
  });
});

describe('installed in a container', () => {
  it('installs with zypper from the signed repo, resolving nodejs, and runs', () => {
    const r = inContainer(
      `set -e
# Debian's rpm uses ~/.rpmdb; make it share zypper's database, as openSUSE's rpm does.
mkdir -p /etc/rpm && echo '%_dbpath /var/lib/rpm' > /etc/rpm/macros
rpm --import /key.asc
zypper --quiet --non-interactive addrepo "$0" test
zypper --quiet --non-interactive install --no-recommends toolbox toolbox-host-update >/dev/null
rpm -q --qf '%{NAME}\\n' toolbox toolbox-host-update nodejs-default
toolbox --version
rpm --eval '%_netsharedpath'
code=0; host-update --help || code=$?; echo "host-update exit $code"`.replace('"$0"', repo.url),
      `${repo.keyFile}:/key.asc:ro`,
    );
    const help = hostHelp();
    expect(r.stderr).toBe(help.stderr);
    expect(r.stdout).toBe(`toolbox\ntoolbox-host-update\nnodejs-default\n${VERSION}\n/dev:/etc/hosts\n${help.stdout}host-update exit ${help.code}\n`);
  });

  it('is refused by zypper when the repo key is not trusted', () => {
    const r = inContainer(`zypper --non-interactive addrepo ${repo.url} test >/dev/null && zypper --non-interactive install toolbox; echo "exit $?"`);
    expect(r.stdout).toMatch(/exit [1-9]\d*\n$/);
    expect(r.stdout + r.stderr).toContain('Signature verification failed');
  });

  it('installs with plain rpm (only nodejs missing: the host node is mounted) and its completion works', () => {
    const r = inContainer(
      `set -e
rpm -i --nodeps /rpms/${rpms.toolbox.split('/').pop()} /rpms/${rpms.hostUpdate.split('/').pop()} 2>/dev/null
rpm -V toolbox toolbox-host-update --nodeps
toolbox --version
bash -c 'source /usr/share/bash-completion/completions/toolbox; COMP_WORDS=(toolbox config u); COMP_CWORD=2; _toolbox; echo "\${COMPREPLY[*]}"'`,
      `${join(work, 'out')}:/rpms:ro`,
      `${process.execPath}:/usr/bin/node:ro`,
    );
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${VERSION}\nunset\n`);
  });
});
