// A real container registry on loopback for the e2e tests: docker-registry (the CNCF
// distribution registry) with TLS from a CA made here and htpasswd logins, the test images
// pushed to it, GPG simple signing with a file: lookaside store, and a registries.conf that
// makes it a mirror of registry.opensuse.org.
//
// What it changes outside its own directory is one directory, /etc/containers/certs.d/HOST:PORT,
// made for its port alone (podman and skopeo trust its CA from there, as they would a real
// registry's); remove() takes it away again. Credentials live in auth files of its own, given
// to podman and skopeo by REGISTRY_AUTH_FILE, so root's auth.json is never read or written.
// Signature policies live in a test's own HOME (podman reads $HOME/.config/containers ahead of
// /etc, also as root), so the machine's policy for every registry stays as it is.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { must, run } from './rpm-repo.js';

const CERTS_D = '/etc/containers/certs.d';

/** A TCP port on loopback that nothing listens on at the moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => {
        resolve(port);
      });
    });
  });
}

export interface SigningKeys {
  /** the key a policy trusts: its fingerprint, and its public key file */
  trusted: string;
  trustedKeyFile: string;
  /** a key nobody trusts */
  other: string;
}

export class TestRegistry {
  readonly host: string;
  readonly user = 'toolbox-e2e';
  readonly password: string;
  /** logged in with podman login (REGISTRY_AUTH_FILE for a logged-in user) */
  readonly authFile: string;
  /** no login at all */
  readonly noAuthFile: string;
  /** a login whose password the registry no longer takes */
  readonly wrongAuthFile: string;
  readonly caFile: string;
  /** the registries.d that says where this registry's signatures live (file: lookaside) */
  readonly registriesD: string;
  readonly keys: SigningKeys;
  private child: ChildProcess | undefined;
  private readonly certDir: string;
  private readonly madeCertsD: boolean;

  private constructor(
    readonly dir: string,
    readonly port: number,
  ) {
    this.host = `127.0.0.1:${port}`;
    this.password = `pw-${port}-${Math.random().toString(36).slice(2)}`;
    this.authFile = join(dir, 'auth.json');
    this.noAuthFile = join(dir, 'auth-none.json');
    this.wrongAuthFile = join(dir, 'auth-wrong.json');
    this.caFile = join(dir, 'ca.crt');
    this.registriesD = join(dir, 'registries.d');
    this.certDir = join(CERTS_D, this.host);
    this.madeCertsD = !existsSync(CERTS_D);
    this.keys = { trusted: '', trustedKeyFile: join(dir, 'trusted.asc'), other: '' };
  }

  /** Makes the CA, certificate, logins and keys, starts the registry and logs in. */
  static async start(): Promise<TestRegistry> {
    const port = await freePort();
    const reg = new TestRegistry(mkdtempSync(join(tmpdir(), 'toolbox-e2e-registry-')), port);
    try {
      reg.makeFiles();
      await reg.up();
      // The real login flow, into this registry's own auth file.
      must('podman', ['login', '--authfile', reg.authFile, '-u', reg.user, '--password-stdin', reg.host], {
        input: `${reg.password}\n`,
      });
    } catch (error) {
      await reg.remove();
      throw error;
    }
    return reg;
  }

  private makeFiles(): void {
    const d = this.dir;
    const ssl = (args: string[]) => must('openssl', args);
    ssl([
      'req',
      '-x509',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(d, 'ca.key'),
      '-out',
      this.caFile,
      '-days',
      '2',
      '-subj',
      '/CN=toolbox e2e test CA',
    ]);
    ssl([
      'req',
      '-newkey',
      'rsa:2048',
      '-nodes',
      '-keyout',
      join(d, 'server.key'),
      '-out',
      join(d, 'server.csr'),
      '-subj',
      '/CN=127.0.0.1',
    ]);
    writeFileSync(join(d, 'san.cnf'), 'subjectAltName=IP:127.0.0.1\n');
    ssl([
      'x509',
      '-req',
      '-in',
      join(d, 'server.csr'),
      '-CA',
      this.caFile,
      '-CAkey',
      join(d, 'ca.key'),
      '-CAcreateserial',
      '-out',
      join(d, 'server.crt'),
      '-days',
      '2',
      '-extfile',
      join(d, 'san.cnf'),
    ]);
    writeFileSync(join(d, 'htpasswd'), must('htpasswd', ['-Bbn', this.user, this.password]));
    writeFileSync(
      join(d, 'config.yml'),
      [
        'version: 0.1',
        'log:',
        '  level: error',
        'storage:',
        '  filesystem:',
        `    rootdirectory: ${join(d, 'data')}`,
        '  delete:',
        '    enabled: true',
        'http:',
        `  addr: ${this.host}`,
        '  tls:',
        `    certificate: ${join(d, 'server.crt')}`,
        `    key: ${join(d, 'server.key')}`,
        'auth:',
        '  htpasswd:',
        '    realm: toolbox-e2e',
        `    path: ${join(d, 'htpasswd')}`,
        '',
      ].join('\n'),
    );
    // The CA, for this port only.
    mkdirSync(this.certDir, { recursive: true });
    copyFileSync(this.caFile, join(this.certDir, 'ca.crt'));
    writeFileSync(this.noAuthFile, '{"auths": {}}\n');
    const wrong = Buffer.from(`${this.user}:not-${this.password}`).toString('base64');
    writeFileSync(this.wrongAuthFile, `${JSON.stringify({ auths: { [this.host]: { auth: wrong } } }, null, 2)}\n`);
    // Signing keys, and where signatures go and are looked up.
    mkdirSync(join(d, 'gnupg'), { mode: 0o700 });
    const fingerprint = (uid: string) => {
      must('gpg', ['--batch', '--passphrase', '', '--quick-gen-key', uid, 'rsa2048', 'sign', 'never'], this.gpgEnv());
      const colons = must('gpg', ['--batch', '--with-colons', '--list-keys', uid], this.gpgEnv());
      return /^fpr:+([0-9A-F]+):/m.exec(colons)?.[1] ?? '';
    };
    this.keys.trusted = fingerprint('toolbox e2e trusted <trusted@toolbox-e2e.invalid>');
    this.keys.other = fingerprint('toolbox e2e other <other@toolbox-e2e.invalid>');
    writeFileSync(
      this.keys.trustedKeyFile,
      must('gpg', ['--batch', '--armor', '--export', this.keys.trusted], this.gpgEnv()),
    );
    mkdirSync(this.registriesD);
    writeFileSync(join(this.registriesD, 'toolbox-e2e.yaml'), this.lookasideYaml());
  }

  private gpgEnv() {
    return { env: { ...process.env, GNUPGHOME: join(this.dir, 'gnupg') } };
  }

  /** The registries.d entry that puts this registry's signatures in a file: lookaside store. */
  lookasideYaml(): string {
    const store = `file://${join(this.dir, 'signatures')}`;
    return `docker:\n  ${this.host}:\n    lookaside: ${store}\n    lookaside-staging: ${store}\n`;
  }

  /** Starts the registry (again) and waits until it answers. */
  async up(): Promise<void> {
    if (this.child) return;
    const child = spawn('docker-registry', ['serve', join(this.dir, 'config.yml')], {
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => {
      stderr += b.toString();
    });
    this.child = child;
    const deadline = Date.now() + 30_000;
    for (;;) {
      const r = run('curl', [
        '-s',
        '-o',
        '/dev/null',
        '-w',
        '%{http_code}',
        '--cacert',
        this.caFile,
        `https://${this.host}/v2/`,
      ]);
      if (r.stdout === '401') return;
      if (child.exitCode !== null || Date.now() > deadline)
        throw new Error(`docker-registry did not start on ${this.host} (exit ${child.exitCode}): ${stderr}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  /** Stops the registry: nothing listens on its port until up(). */
  async down(): Promise<void> {
    const child = this.child;
    this.child = undefined;
    if (!child || child.exitCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    await exited;
  }

  /** podman push of a local image to REPO:TAG here. */
  push(local: string, ref: string): void {
    must('podman', [
      'push',
      '--quiet',
      '--remove-signatures',
      '--authfile',
      this.authFile,
      local,
      `${this.host}/${ref}`,
    ]);
  }

  /**
   * skopeo copy between two of this registry's references, signed by `signBy` when given (as
   * `identity`, the name a pull will check it for: the mirrored name when pulled through a mirror).
   */
  copy(from: string, to: string, signBy?: string, identity?: string): void {
    const sign = signBy
      ? ['--registries.d', this.registriesD, '--sign-by', signBy, ...(identity ? ['--sign-identity', identity] : [])]
      : [];
    must(
      'skopeo',
      [
        'copy',
        '--quiet',
        '--authfile',
        this.authFile,
        ...sign,
        `docker://${this.host}/${from}`,
        `docker://${this.host}/${to}`,
      ],
      this.gpgEnv(),
    );
  }

  /** A registries.conf (for CONTAINERS_REGISTRIES_CONF) that mirrors registry.opensuse.org here. */
  mirrorConf(file: string, mirror = this.host): string {
    writeFileSync(
      file,
      [
        '[[registry]]',
        'prefix = "registry.opensuse.org"',
        'location = "registry.opensuse.org"',
        '[[registry.mirror]]',
        `location = "${mirror}"`,
        '',
      ].join('\n'),
    );
    return file;
  }

  /**
   * Writes the signature policy into a test's HOME: the machine's own policy.json and
   * registries.d, with one scope added that requires this registry's images (or those of
   * `scope`) to be signed by the trusted key. Nothing else changes.
   */
  requireSignatures(home: string, scope = this.host): void {
    const conf = join(home, '.config/containers');
    const regD = join(conf, 'registries.d');
    mkdirSync(regD, { recursive: true });
    const machine = '/etc/containers/policy.json';
    const policy = (
      existsSync(machine) ? JSON.parse(readFileSync(machine, 'utf8')) : { default: [{ type: 'reject' }] }
    ) as { transports?: Record<string, Record<string, unknown>> };
    policy.transports ??= {};
    policy.transports['docker'] = {
      ...policy.transports['docker'],
      [scope]: [{ type: 'signedBy', keyType: 'GPGKeys', keyPath: this.keys.trustedKeyFile }],
    };
    writeFileSync(join(conf, 'policy.json'), `${JSON.stringify(policy, null, 2)}\n`);
    // $HOME's registries.d replaces /etc's: keep what the machine says for other registries.
    const etcD = '/etc/containers/registries.d';
    if (existsSync(etcD))
      for (const f of readdirSync(etcD).filter((n) => n.endsWith('.yaml'))) copyFileSync(join(etcD, f), join(regD, f));
    writeFileSync(join(regD, 'toolbox-e2e.yaml'), this.lookasideYaml());
  }

  /** Trust in the CA removed (true) or given back (false), for the untrusted-certificate test. */
  distrust(untrusted: boolean): void {
    const ca = join(this.certDir, 'ca.crt');
    if (untrusted) rmSync(ca, { force: true });
    else copyFileSync(this.caFile, ca);
  }

  /** Stops the registry and removes everything it made, its certs.d directory included. */
  async remove(): Promise<void> {
    await this.down();
    rmSync(this.certDir, { recursive: true, force: true });
    if (this.madeCertsD) spawnSync('rmdir', [CERTS_D]);
    rmSync(this.dir, { recursive: true, force: true });
  }
}
