// A real signed rpm-md repository for the tools tests, built from scratch: noarch RPMs made with
// rpmbuild (AutoReqProv off: the test image's rpm database holds almost nothing), createrepo_c,
// a throwaway GnuPG home, a detached armored signature of repomd.xml and the exported key, served
// on loopback by python's http.server (toolboxes share the host network, so they reach it).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runPrefix } from './helpers.js';

export interface TestPackage {
  name: string;
  /** extra spec header lines: Conflicts:, Requires: ... */
  headers?: string[];
  /** a script installed as /usr/bin/NAME */
  script?: string;
}

function sh(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', env });
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
}

export class SignedRepoServer {
  readonly root = mkdtempSync(join(tmpdir(), runPrefix('tl-repo-')));
  readonly keyFile = join(this.root, 'key.asc');
  private readonly gnupg = join(this.root, 'gnupg');
  private readonly rpms = join(this.root, 'rpms');
  private server: ChildProcess | undefined;
  port = 0;

  constructor() {
    mkdirSync(this.gnupg, { mode: 0o700 });
    mkdirSync(join(this.root, 'www'));
    const env = this.gpgEnv();
    sh(
      'gpg',
      [
        '--batch',
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        'toolbox tools test <tl-test@example.invalid>',
        'rsa2048',
        'sign',
        '1d',
      ],
      env,
    );
    writeFileSync(this.keyFile, sh('gpg', ['--batch', '--armor', '--export'], env));
  }

  private gpgEnv(): NodeJS.ProcessEnv {
    return { ...process.env, GNUPGHOME: this.gnupg };
  }

  /** Builds the packages into an rpm file each. */
  build(packages: TestPackage[]): void {
    for (const p of packages) {
      const top = join(this.root, 'rpmbuild', p.name);
      mkdirSync(top, { recursive: true });
      const body = p.script
        ? [
            '%install',
            'mkdir -p %{buildroot}/usr/bin',
            `cat > %{buildroot}/usr/bin/${p.name} <<'TLEOF'`,
            p.script,
            'TLEOF',
            `chmod 755 %{buildroot}/usr/bin/${p.name}`,
            '%files',
            `/usr/bin/${p.name}`,
          ]
        : [
            '%install',
            `mkdir -p %{buildroot}/usr/share/${p.name}`,
            `echo ${p.name} > %{buildroot}/usr/share/${p.name}/README`,
            '%files',
            `/usr/share/${p.name}/README`,
          ];
      const spec = [
        `Name: ${p.name}`,
        'Version: 1.0',
        'Release: 1',
        `Summary: test package ${p.name}`,
        'License: MIT',
        'BuildArch: noarch',
        'AutoReqProv: no',
        ...(p.headers ?? []),
        '%description',
        `test package ${p.name}`,
        ...body,
        '',
      ].join('\n');
      writeFileSync(join(top, `${p.name}.spec`), spec);
      sh('rpmbuild', ['--quiet', '--define', `_topdir ${top}`, '-bb', join(top, `${p.name}.spec`)]);
      mkdirSync(this.rpms, { recursive: true });
      cpSync(join(top, 'RPMS', 'noarch', `${p.name}-1.0-1.noarch.rpm`), join(this.rpms, `${p.name}-1.0-1.noarch.rpm`));
    }
  }

  /** Publishes a signed repository at /NAME/ holding the named packages. */
  publish(name: string, packages: string[]): string {
    const dir = join(this.root, 'www', name);
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    for (const p of packages) cpSync(join(this.rpms, `${p}-1.0-1.noarch.rpm`), join(dir, `${p}-1.0-1.noarch.rpm`));
    sh('createrepo_c', ['--quiet', dir]);
    const repomd = join(dir, 'repodata', 'repomd.xml');
    sh('gpg', ['--batch', '--yes', '--detach-sign', '--armor', repomd], this.gpgEnv());
    cpSync(this.keyFile, `${repomd}.key`);
    return this.url(name);
  }

  /** Changes repomd.xml after it was signed, as an attacker (or a broken mirror) would. */
  tamper(name: string): void {
    const repomd = join(this.root, 'www', name, 'repodata', 'repomd.xml');
    writeFileSync(
      repomd,
      readFileSync(repomd, 'utf8').replace(
        /<revision>(\d+)<\/revision>/,
        (_m, n: string) => `<revision>${Number(n) + 1}</revision>`,
      ),
    );
  }

  url(name: string): string {
    return `http://127.0.0.1:${this.port}/${name}/`;
  }

  /** Starts the server on a free port (port 0: the kernel picks; python prints which). */
  async start(): Promise<void> {
    const child = spawn(
      'python3',
      ['-u', '-m', 'http.server', '--bind', '127.0.0.1', '--directory', join(this.root, 'www'), '0'],
      { stdio: ['ignore', 'pipe', 'pipe'] },
    );
    this.server = child;
    this.port = await new Promise<number>((resolve, reject) => {
      let out = '';
      child.stdout.on('data', (d: Buffer) => {
        out += d.toString();
        const m = / port (\d+)/.exec(out);
        if (m) resolve(Number(m[1]));
      });
      child.stderr.resume();
      child.on('exit', (code) => {
        reject(new Error(`http.server exited (${code}): ${out}`));
      });
    });
  }

  async stop(): Promise<void> {
    const child = this.server;
    this.server = undefined;
    if (!child || child.exitCode !== null) return;
    await new Promise<void>((resolve) => {
      child.on('exit', () => {
        resolve();
      });
      child.kill('SIGTERM');
    });
  }

  async cleanup(): Promise<void> {
    await this.stop();
    spawnSync('gpgconf', ['--kill', 'all'], { env: this.gpgEnv() });
    rmSync(this.root, { recursive: true, force: true });
  }
}
