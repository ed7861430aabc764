// Real RPMs and a real signed rpm-md repository for the packaging and image tests: the project's
// own RPMs, stand-in RPMs for openSUSE package names that Debian lacks, createrepo_c, a gpg
// signature that zypper verifies, and an HTTP server on loopback.
import { spawn, spawnSync, type SpawnSyncOptions } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { join, resolve } from 'node:path';

export const ROOT = resolve(new URL('../../..', import.meta.url).pathname);

export interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

export function run(cmd: string, args: string[], options: SpawnSyncOptions = {}): Result {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.error) throw r.error;
  return { code: r.status ?? 128, stdout: String(r.stdout), stderr: String(r.stderr) };
}

/** Like run, but a non-zero exit is a test setup failure with the command's stderr. */
export function must(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(' ')} exited ${r.code}:\n${r.stderr}${r.stdout}`);
  return r.stdout;
}

export interface ProjectRpms {
  /** x86_64, the machine's own architecture. */
  toolbox: string;
  hostUpdate: string;
  /** aarch64, built when `npm run build` made the arm64 executable ('' otherwise). */
  toolboxArm64: string;
  hostUpdateArm64: string;
  srpm: string;
  /** What build-rpms.sh printed on stderr: one size line per RPM. */
  sizes: string;
}

/** packaging/build-rpms.sh into OUT; returns the RPMs by name and architecture. */
export function buildProjectRpms(out: string): ProjectRpms {
  const r = run('bash', [join(ROOT, 'packaging/build-rpms.sh'), out]);
  if (r.code !== 0) throw new Error(`build-rpms.sh exited ${r.code}:\n${r.stderr}`);
  const paths = r.stdout.trim().split('\n');
  const pick = (re: RegExp) => paths.find((p) => re.test(p.split('/').pop()!)) ?? '';
  return {
    toolbox: pick(/^toolbox-\d.*\.x86_64\.rpm$/),
    hostUpdate: pick(/^toolbox-host-update-\d.*\.x86_64\.rpm$/),
    toolboxArm64: pick(/^toolbox-\d.*\.aarch64\.rpm$/),
    hostUpdateArm64: pick(/^toolbox-host-update-\d.*\.aarch64\.rpm$/),
    srpm: pick(/\.src\.rpm$/),
    sizes: r.stderr,
  };
}

/**
 * A stand-in for openSUSE's glibc, libstdc++6 and libgcc_s1 that provides exactly the shared
 * libraries RPM requires (rpm's own dependency generator found them in the executable). The test
 * images are Debian underneath: the libraries themselves are there, but Debian's empty rpm
 * database does not know them. On MicroOS the real packages provide these names.
 */
export function sharedLibraryStandIn(dir: string, rpm: string): string {
  const needs = must('rpm', ['-qp', '--requires', rpm])
    .split('\n')
    .filter((r) => r && !r.startsWith('rpmlib(') && !/^[a-z][a-z0-9-]*( |$)/.test(r));
  const [built] = rpmbuild(
    join(dir, 'libs'),
    `Name: toolbox-stand-in-libs
Version: 1.0
Release: 0
Summary: Stand-in for glibc, libstdc++6 and libgcc_s1
License: Apache-2.0
BuildArch: noarch
AutoReqProv: no
${needs.map((n) => `Provides: ${n}`).join('\n')}
%description
Offline test stand-in: the libraries come from the Debian test image.
%files
`,
  );
  return built!;
}

function rpmbuild(dir: string, spec: string): string[] {
  const top = join(dir, 'rpmbuild');
  mkdirSync(join(top, 'SPECS'), { recursive: true });
  const file = join(top, 'SPECS', 'stand-in.spec');
  writeFileSync(file, spec);
  must('rpmbuild', ['--quiet', '-bb', '--define', `_topdir ${top}`, file]);
  const out = join(top, 'RPMS', 'noarch');
  return readdirSync(out).map((f) => join(out, f));
}

/**
 * Name-only RPMs for openSUSE package names: they satisfy zypper, and the real tools come from
 * the test base image. AutoReqProv off: Debian's rpm database knows no /bin/sh or libc.
 */
export function nameOnlyRpms(dir: string, names: string[]): string[] {
  const sub = names
    .map(
      (n) =>
        `%package -n ${n}\nSummary: Stand-in for ${n}\n%description -n ${n}\nOffline test stand-in for the openSUSE package ${n}.\n%files -n ${n}\n/usr/share/doc/toolbox-stand-ins/${n}\n`,
    )
    .join('\n');
  return rpmbuild(
    join(dir, 'names'),
    `Name: toolbox-stand-ins
Version: 1.0
Release: 0
Summary: Stand-ins
License: Apache-2.0
BuildArch: noarch
AutoReqProv: no
%description
Offline test stand-ins.
${sub}
%install
mkdir -p %{buildroot}/usr/share/doc/toolbox-stand-ins
for n in ${names.join(' ')}; do echo "offline test stand-in" > %{buildroot}/usr/share/doc/toolbox-stand-ins/$n; done
`,
  );
}

export interface SignedRepo {
  dir: string;
  /** The ASCII-armored public key that signed repodata/repomd.xml. */
  keyFile: string;
}

/** createrepo_c over RPMS, repomd.xml signed by a fresh key in a throwaway GNUPGHOME. */
export function signedRepo(dir: string, rpms: string[]): SignedRepo {
  const repo = join(dir, 'repo');
  const home = join(dir, 'gnupg');
  mkdirSync(repo, { recursive: true });
  mkdirSync(home, { recursive: true, mode: 0o700 });
  for (const rpm of rpms) must('cp', [rpm, repo]);
  must('createrepo_c', ['--quiet', repo]);
  const env = { ...process.env, GNUPGHOME: home };
  try {
    must(
      'gpg',
      [
        '--batch',
        '--quiet',
        '--passphrase',
        '',
        '--quick-gen-key',
        'toolbox test repo <repo@toolbox.invalid>',
        'rsa2048',
        'sign',
        'never',
      ],
      { env },
    );
    must('gpg', ['--batch', '--quiet', '--detach-sign', '--armor', join(repo, 'repodata/repomd.xml')], { env });
    const key = must('gpg', ['--batch', '--armor', '--export'], { env });
    writeFileSync(join(repo, 'repodata/repomd.xml.key'), key);
    writeFileSync(join(dir, 'repo-key.asc'), key);
  } finally {
    run('gpgconf', ['--kill', 'gpg-agent'], { env });
  }
  return { dir: repo, keyFile: join(dir, 'repo-key.asc') };
}

async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => {
        done(port);
      });
    });
    s.on('error', fail);
  });
}

/** Serves DIR on 127.0.0.1 (reachable from containers run with --network host). */
export async function serve(dir: string): Promise<{ url: string; close: () => void }> {
  const port = await freePort();
  const server = spawn('python3', ['-m', 'http.server', String(port), '--bind', '127.0.0.1', '--directory', dir], {
    stdio: 'ignore',
  });
  const url = `http://127.0.0.1:${port}/`;
  for (let i = 0; i < 100; i++) {
    const ok = await fetch(`${url}repodata/repomd.xml`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { url, close: () => void server.kill() };
    await new Promise((r) => setTimeout(r, 100));
  }
  server.kill();
  throw new Error(`python3 http.server on port ${port} did not come up`);
}
