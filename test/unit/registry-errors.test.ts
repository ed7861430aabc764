// What podman 4.3 and skopeo 1.9 print when a registry says no (captured against a real
// docker-registry 2.8 on loopback), and the one line toolbox makes of each.
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkExtraCreateArgs } from '../../src/engine/create-args.js';
import { registryCause, registryFailure, registryOf } from '../../src/engine/registry-errors.js';

const R = '127.0.0.1:40000';
const IMG = `${R}/opensuse/toolbox:latest`;
const src = `Error: initializing source docker://${IMG}: `;
const samples = {
  certificate: `${src}pinging container registry ${R}: Get "https://${R}/v2/": x509: certificate signed by unknown authority\n`,
  unauthorized: `${src}reading manifest latest in ${R}/opensuse/toolbox: unauthorized: authentication required\n`,
  unknown: `Error: initializing source docker://${R}/opensuse/toolbox:nope: reading manifest nope in ${R}/opensuse/toolbox: manifest unknown: manifest unknown\n`,
  unreachable: [1, 2, 3]
    .map(
      (n) =>
        `time="2026-12-07T04:58:02Z" level=warning msg="Failed, retrying in 1s ... (${n}/3). Error: initializing source docker://${IMG}: pinging container registry ${R}: Get \\"https://${R}/v2/\\": dial tcp ${R}: connect: connection refused"\n`,
    )
    .join('')
    .concat(
      `${src}pinging container registry ${R}: Get "https://${R}/v2/": dial tcp ${R}: connect: connection refused\n`,
    ),
  unsigned: 'Error: Source image rejected: A signature was required, but no signature exists\n',
  otherKey:
    'Error: Source image rejected: Invalid GPG signature: gpgme.Signature{Summary:128, Fingerprint:"53C52D3C21203A400CD9110D260924C06081A990", Status:gpgme.Error{err:0x9}, Timestamp:time.Date(2026, time.December, 7, 4, 59, 35, 0, time.Local), ExpTimestamp:time.Date(1970, time.January, 1, 0, 0, 0, 0, time.Local), WrongKeyUsage:false, PKATrust:0x0, ChainModel:false, Validity:0, ValidityReason:error(nil), PubkeyAlgo:1, HashAlgo:10}\n',
  mirrorUnauthorized: `Error: initializing source docker://registry.opensuse.org/opensuse/toolbox:latest: (Mirrors also failed: [${IMG}: reading manifest latest in ${R}/opensuse/toolbox: unauthorized: authentication required]): registry.opensuse.org/opensuse/toolbox:latest: pinging container registry registry.opensuse.org: Get "https://registry.opensuse.org/v2/": dial tcp: lookup registry.opensuse.org on 10.255.255.53:53: no such host\n`,
  skopeoCertificate: `time="2026-12-07T05:01:33Z" level=fatal msg="Error parsing image name \\"docker://${IMG}\\": pinging container registry ${R}: Get \\"https://${R}/v2/\\": x509: certificate signed by unknown authority"\n`,
  dockerNoHost:
    'Error response from daemon: Get "https://registry.invalid.example/v2/": dial tcp: lookup registry.invalid.example on 10.0.0.1:53: no such host\n',
};

describe('registryCause', () => {
  it.each([
    ['certificate', samples.certificate, R, 'x509: certificate signed by unknown authority'],
    ['unauthorized', samples.unauthorized, R, 'unauthorized: authentication required'],
    ['unknown', samples.unknown, R, 'manifest unknown: no such repository or tag'],
    ['unreachable', samples.unreachable, R, 'connection refused'],
    ['signature', samples.unsigned, '127.0.0.1:40000', 'it is not signed, and a signature is required'],
    [
      'signature',
      samples.otherKey,
      '127.0.0.1:40000',
      'signed by key 53C52D3C21203A400CD9110D260924C06081A990, which it does not trust',
    ],
    // the mirror's own refusal, not the primary that the machine cannot reach
    ['unauthorized', samples.mirrorUnauthorized, R, 'unauthorized: authentication required'],
    ['certificate', samples.skopeoCertificate, R, 'x509: certificate signed by unknown authority'],
    ['unreachable', samples.dockerNoHost, 'registry.invalid.example', 'no such host'],
  ])('%s', (kind, stderr, host, detail) => {
    expect(registryCause(stderr, IMG)).toEqual({ kind, host, detail });
  });

  it('knows nothing of other failures', () => {
    expect(registryCause('Error: OCI runtime error: boom\n', IMG)).toBeUndefined();
  });

  it('takes the registry of an image name the way the engines do', () => {
    expect(registryOf('registry.opensuse.org/opensuse/toolbox')).toBe('registry.opensuse.org');
    expect(registryOf('127.0.0.1:5000/a/b:1')).toBe('127.0.0.1:5000');
    expect(registryOf('library/alpine')).toBe('docker.io');
    expect(registryOf('alpine')).toBe('docker.io');
  });
});

describe('registryFailure', () => {
  const line = (stderr: string, login?: string | null, verb: 'pull' | 'check' = 'pull') => {
    const e = registryFailure(registryCause(stderr, IMG)!, { verb, image: IMG, engine: ['podman'], login });
    return `Error: ${e.message}. Hint: ${e.hint}`;
  };
  it('names the cause and the fix in one line', () => {
    expect(line(samples.unauthorized, null)).toBe(
      `Error: cannot pull ${IMG}: ${R} needs a login, and there is none (unauthorized: authentication required). Hint: log in first with 'podman login ${R}'`,
    );
    expect(line(samples.unauthorized, 'tester')).toBe(
      `Error: cannot pull ${IMG}: ${R} refused the login of tester (unauthorized: authentication required). Hint: the password or token is wrong or expired: log in again with 'podman login ${R}'`,
    );
    expect(line(samples.certificate)).toBe(
      `Error: cannot pull ${IMG}: the TLS certificate of ${R} is not trusted (x509: certificate signed by unknown authority). Hint: put the CA certificate that signed it in /etc/containers/certs.d/${R}/ca.crt`,
    );
    expect(line(samples.unsigned, undefined, 'check')).toMatch(
      /^Error: cannot check 127\.0\.0\.1:40000\/opensuse\/toolbox:latest: the signature policy refused it \(it is not signed, and a signature is required\)\. Hint: .*never bypasses it$/,
    );
    for (const s of Object.values(samples)) expect(line(s, null)).not.toContain('\n');
  });
});

describe('toolbox never weakens what the engine verifies', () => {
  it('no source file passes --tls-verify=false, an insecure policy, or skips signatures', () => {
    // The engines' option tables and --podman-args's refusals name these options to refuse them
    // (checked below); no other file may name them at all.
    const lists = new Set(['engine/create-args.ts', 'engine/engines/podman.ts', 'engine/engines/docker.ts']);
    const files = readdirSync('src', { recursive: true, encoding: 'utf8' }).filter(
      (f) => f.endsWith('.ts') && !lists.has(f),
    );
    expect(files.length).toBeGreaterThan(50);
    for (const f of files) {
      const text = readFileSync(join('src', f), 'utf8');
      expect([
        f,
        /tls-verify|insecureAcceptAnything|insecure-policy|remove-signatures|--cert-dir|--creds/.exec(text)?.[0],
      ]).toEqual([f, undefined]);
    }
  });
});

describe('--podman-args cannot weaken how the image is fetched', () => {
  it.each([
    ['--tls-verify=false'],
    ['--tls-verify'],
    ['--cert-dir=/tmp/x'],
    ['--creds=a:b'],
    ['--authfile=/tmp/auth.json'],
    ['--disable-content-trust'],
    ['--signature-policy=/tmp/insecure.json'],
  ])('%s is refused', (word) => {
    expect(() => checkExtraCreateArgs(word)).toThrow(/toolbox pulls the image itself/);
  });
});
