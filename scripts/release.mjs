// `npm run release`: dist/release/, what a user downloads and can check. The executables per
// architecture and the RPMs, named with version and architecture; the RPMs signed with rpmsign; a
// signed rpm-md repository of them (repo/); an SBOM of what ships (CycloneDX JSON); SHA256SUMS
// and its detached GPG signature SHA256SUMS.asc; and the public key. The signing key is the one
// TOOLBOX_RELEASE_KEY names (a fingerprint, key id or e-mail in the GnuPG home gpg uses).
// Run after `npm run build` (package.json's release script does both). SOURCE_DATE_EPOCH, from
// the commit when unset, pins every time stamp, so two builds of one commit give the same bytes
// (see docs/releases.md for what cannot be, and why).
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { sbomFor } from './sbom.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const out = join(root, 'dist/release');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const version = pkg.version;

function fail(message) {
  process.stderr.write(`release: ${message}\n`);
  process.exit(1);
}

const key = process.env.TOOLBOX_RELEASE_KEY;
if (!key)
  fail(
    'TOOLBOX_RELEASE_KEY is not set: name the GPG key that signs the release (gpg --list-secret-keys shows yours), e.g. TOOLBOX_RELEASE_KEY=release@example.org npm run release',
  );
if (spawnSync('gpg', ['--batch', '--list-secret-keys', key], { stdio: 'ignore' }).status !== 0)
  fail(`gpg has no secret key ${key} (GNUPGHOME=${process.env.GNUPGHOME ?? '~/.gnupg'}); import it or name another`);
for (const f of ['dist/sea/toolbox', 'dist/sea/LICENSE.node', 'node_modules/.cache/toolbox-sea/meta.json'])
  if (!existsSync(join(root, f))) fail(`${f} is missing; run 'npm run build' first`);

const epoch = process.env.SOURCE_DATE_EPOCH ?? git(['log', '-1', '--format=%ct']).trim();
if (!/^\d+$/.test(epoch)) fail(`SOURCE_DATE_EPOCH is not a number of seconds: ${epoch}`);
const env = { ...process.env, SOURCE_DATE_EPOCH: epoch, TZ: 'UTC', LC_ALL: 'C' };

function git(args) {
  return execFileSync('git', ['-C', root, ...args], { encoding: 'utf8' });
}
function must(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env, maxBuffer: 64 << 20, ...options });
  if (r.status !== 0) fail(`${cmd} ${args.join(' ')} failed (exit ${r.status}): ${(r.stderr || r.stdout).trim()}`);
  return r.stdout;
}

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });

// 1. The executables, named as users download them.
const executables = [
  ['dist/sea/toolbox', `toolbox-${version}-linux-x86_64`],
  ['dist/sea/toolbox-linux-arm64', `toolbox-${version}-linux-aarch64`],
];
for (const [from, to] of executables) if (existsSync(join(root, from))) copyFileSync(join(root, from), join(out, to));
copyFileSync(join(root, 'dist/sea/LICENSE.node'), join(out, 'LICENSE.node'));
copyFileSync(join(root, 'LICENSE'), join(out, 'LICENSE'));

// 2. The RPMs (reproducible: build-rpms.sh pins build time, host and file times to the epoch),
//    then signed. The signature is a header of its own: the signed RPMs differ from a rebuild
//    only there, and `rpm -K` checks it.
const rpms = must('bash', [join(root, 'packaging/build-rpms.sh'), out])
  .trim()
  .split('\n')
  .filter(Boolean);
const binaryRpms = rpms.filter((r) => !r.endsWith('.src.rpm'));
const unsigned = join(root, 'dist/release-unsigned');
rmSync(unsigned, { recursive: true, force: true });
mkdirSync(unsigned);
for (const rpm of rpms) copyFileSync(rpm, join(unsigned, basename(rpm)));
// Debian's rpm names gpg2, which Debian no longer ships under that name: name the gpg on PATH.
const gpg = must('sh', ['-c', 'command -v gpg']).trim();
must('rpmsign', ['--define', `__gpg ${gpg}`, '--define', `_gpg_name ${key}`, '--addsign', ...rpms]);

// 3. A signed rpm-md repository of the binary RPMs, which `zypper addrepo` plus the key accepts.
const repo = join(out, 'repo');
mkdirSync(repo);
for (const rpm of binaryRpms) copyFileSync(rpm, join(repo, basename(rpm)));
must('createrepo_c', ['--quiet', '--revision', epoch, '--set-timestamp-to-revision', repo]);
const repomd = join(repo, 'repodata/repomd.xml');
must('gpg', ['--batch', '--yes', '--local-user', key, '--detach-sign', '--armor', repomd]);
const publicKey = must('gpg', ['--batch', '--armor', '--export', key]);
writeFileSync(`${repomd}.key`, publicKey);

// 4. The SBOM: the npm packages the bundle holds (from esbuild's metafile, not the lock file:
//    only what ships) and the embedded Node.js.
writeFileSync(
  join(out, `toolbox-${version}.cdx.json`),
  `${JSON.stringify(sbomFor(root, { version, epoch, executables: executables.map(([f]) => join(root, f)) }), null, 2)}\n`,
);

// 5. The key, and SHA256SUMS over every file at the top, signed.
writeFileSync(join(out, 'toolbox-release-key.asc'), publicKey);
const files = readdirSync(out)
  .filter((f) => statSync(join(out, f)).isFile())
  .sort();
const sums = files
  .map(
    (f) =>
      `${createHash('sha256')
        .update(readFileSync(join(out, f)))
        .digest('hex')}  ${f}`,
  )
  .join('\n');
writeFileSync(join(out, 'SHA256SUMS'), `${sums}\n`);
must('gpg', [
  '--batch',
  '--yes',
  '--local-user',
  key,
  '--armor',
  '--detach-sign',
  '--output',
  join(out, 'SHA256SUMS.asc'),
  join(out, 'SHA256SUMS'),
]);
const when = new Date(Number(epoch) * 1000);
for (const f of readdirSync(out)) utimesSync(join(out, f), when, when);

for (const f of readdirSync(out).sort()) {
  const st = statSync(join(out, f));
  process.stderr.write(`release: ${f}${st.isDirectory() ? '/' : ` ${st.size}`}\n`);
}
