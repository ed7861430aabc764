// toolbox collect end to end: the built CLI, a real rootful toolbox from the test image, and the
// fake MicroOS host of the host-update tests (btrfs root snapshot, snapper, an rpm database, zypper
// repos) reached through --host-pid as a real host is through PID 1. Custom collectors from
// config.json supply a command that hangs, one that fails and one that does not exist.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHost, type FakeHost } from '../fixtures/fake-host/fake-host.js';
import {
  CLI_ARGV,
  CLI_SHELL,
  containerState,
  ENGINE,
  ENGINE_ENV,
  parseJson,
  TEST_IMAGE,
  toolbox,
  type Result,
  runPrefix,
  removeContainers,
} from './helpers.js';

const P = runPrefix('co-e2e-');
const BOX = `${P}collect`;
const work = mkdtempSync(join(tmpdir(), `${P}collect-`));
// A private HOME and config dir, so the user's own config.json never leaks in.
const env = {
  PATH: process.env.PATH,
  HOME: work,
  USER: 'root',
  XDG_CONFIG_HOME: join(work, '.config'),
  TOOLBOX_IMAGE: TEST_IMAGE,
  LANG: 'C.UTF-8',
  ...ENGINE_ENV,
};
mkdirSync(join(env.XDG_CONFIG_HOME, 'toolbox'), { recursive: true });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// What an admin would put in a repo file: a mirror login, in the URL and as a key.
const PRIVATE_REPO = `[co-private]
name=Private mirror
enabled=0
baseurl=https://admin:s3cr3t-url@mirror.example.invalid/repo
password=hunter2
`;

// 13.7: secrets in every place the review found them leaking. Each planted secret holds "PLANT",
// and nothing else planted does, so no "PLANT" may be left anywhere in the extracted bundle.
// How a registered SLE Micro system keeps its registration token: in the repo URL's query.
const SLE_REPO = `[co-sle-micro]
name=SLE-Micro-5.5-Updates
enabled=0
baseurl=https://updates.suse.com/SUSE/Updates/SLE-Micro/5.5/x86_64/update?PLANTsleRegToken0123456789abcdefXYZ
`;
// An application log on the host, read by a custom collector.
const APP_LOG = `2026-11-29 22:00:01 deploy: + curl -fsS -u deploy:PLANTcurlPass https://ci.example.invalid/hook
2026-11-29 22:00:02 deploy: pushing with ghp_PLANT0123456789abcdefghijABCDEFGHIJ
2026-11-29 22:00:03 rails: SECRET_KEY_BASE=PLANTsecretKeyBase0123 RAILS_ENV=production
2026-11-29 22:00:04 api: Authorization: Bearer PLANTbearer0123456789
2026-11-29 22:00:05 api: session eyJhbGciOiJIUzI1NiJ9.eyJQTEFOVCI6MX0.PLANTjwtSignature
2026-11-29 22:00:06 s3: aws_access_key_id=AKIAPLANTX0123456789 aws_secret_access_key=PLANTawsSecret/Key
2026-11-29 22:00:07 ordinary: mkdir -p /var/lib/app && ssh -p 2222 host; passwordless sudo enabled
-----BEGIN RSA PRIVATE KEY-----
PLANTprivateKeyBody0123456789
-----END RSA PRIVATE KEY-----
`;
const APP_LOG_REDACTED = `2026-11-29 22:00:01 deploy: + curl -fsS -u deploy:<redacted> https://ci.example.invalid/hook
2026-11-29 22:00:02 deploy: pushing with <redacted>
2026-11-29 22:00:03 rails: SECRET_KEY_BASE=<redacted> RAILS_ENV=production
2026-11-29 22:00:04 api: Authorization: Bearer <redacted>
2026-11-29 22:00:05 api: session <redacted>
2026-11-29 22:00:06 s3: aws_access_key_id=<redacted> aws_secret_access_key=<redacted>
2026-11-29 22:00:07 ordinary: mkdir -p /var/lib/app && ssh -p 2222 host; passwordless sudo enabled
-----BEGIN RSA PRIVATE KEY-----
<redacted>
-----END RSA PRIVATE KEY-----
`;
// A custom collector whose own argv carries secrets: they show in manifest.json and, while it
// runs, in the process list (podman exec's command line and the shell's).
const ARGV_SECRETS = [
  'sh',
  '-c',
  'echo ok',
  'argv-secrets',
  '--password',
  'PLANTargvPw1',
  'password=PLANTargvPw2',
  'Authorization: Bearer PLANTargvBearer',
];
// A process on the machine as `ps auxww` shows it: a mysql client given its password.
const MYSQL_ARGS = ['-uroot', '-pPLANTmysqlPw', '--password', 'PLANTpsPw', '--token', 'PLANTpsToken', 'shop'];

/** a file of the bundle as manifest.json describes it */
interface FileEntry {
  path: string;
  bytes: number;
  sha256: string;
  truncated: boolean;
  producedBytes: number;
}
interface RedactionEntry {
  file: string;
  rule: string;
  line: number;
}
interface CommandEntry {
  id: string;
  command: string[];
  status: string;
  exitCode: number | null;
  output: FileEntry;
  stderr: FileEntry | null;
  redactions: RedactionEntry[];
}
/** manifest.json in the bundle, the parts read here */
interface BundleManifest {
  format: string;
  createdAt: string;
  finishedAt: string;
  toolbox: unknown;
  host: unknown;
  profiles: string[];
  failed: string[];
  truncated: string[];
  maxOutputBytes: number;
  commands: CommandEntry[];
  redacted: RedactionEntry[];
}
/** what collect --json prints */
interface CollectSummary {
  bundle: string;
  bytes: number;
  sha256: string;
  createdAt: string;
  commands: number;
  ok: number;
  failed: { id: string; status: string; exitCode: number | null }[];
  truncated: string[];
  redacted: RedactionEntry[];
}

let host: FakeHost;
let mysql: ChildProcess | undefined;
let run: Result;
let summary: CollectSummary;
let manifest: BundleManifest;
let top: string;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

function record(id: string): CommandEntry {
  const found = manifest.commands.find((c) => c.id === id);
  if (!found) throw new Error(`manifest.json lists no command ${id}`);
  return found;
}
const collected = (path: string) => readFileSync(join(top, path), 'utf8');

beforeAll(() => {
  removeContainers(P);
  host = startFakeHost(P);
  // The host's root is a read-only snapshot: edit /etc the way a transactional host allows, by
  // making the snapshot writable for the moment.
  const planted = host.sh(
    `set -e; mount -o remount,rw /; btrfs property set -ts / ro false
cat > /etc/zypp/repos.d/co-private.repo <<'REPO'
${PRIVATE_REPO}REPO
cat > /etc/zypp/repos.d/co-sle-micro.repo <<'REPO'
${SLE_REPO}REPO
mkdir -p /var/log && cat > /var/log/co-app.log <<'LOG'
${APP_LOG}LOG
btrfs property set -ts / ro true; mount -o remount,ro /`,
  );
  expect(planted.stderr).toBe('');
  expect(planted.code).toBe(0);
  writeFileSync(
    join(env.XDG_CONFIG_HOME, 'toolbox', 'config.json'),
    JSON.stringify({
      collectors: [
        { name: 'hang', command: ['sleep', '600'], timeout: 2 },
        { name: 'fails', command: ['sh', '-c', 'echo partial; echo broken >&2; exit 3'] },
        { name: 'no-such-tool', command: ['co-no-such-tool', '--version'] },
        { name: 'app-log', command: ['cat', '{root}/var/log/co-app.log'] },
        { name: 'argv-secrets', command: ARGV_SECRETS },
      ],
    }),
  );
  // /bin/sh runs the script and waits in sleep: ps shows "/bin/sh DIR/mysql -uroot -p...".
  const bin = join(work, 'bin');
  mkdirSync(bin);
  writeFileSync(join(bin, 'mysql'), '#!/bin/sh\nsleep 600\n');
  chmodSync(join(bin, 'mysql'), 0o755);
  mysql = spawn(join(bin, 'mysql'), MYSQL_ARGS, { stdio: 'ignore', detached: true });
  run = toolbox(['collect', '-c', BOX, '--host-pid', String(host.pid), '--out', work, '--json'], { env });
  summary = parseJson(run.stdout, 'collect --json') as CollectSummary;
  const x = join(work, 'x');
  spawnSync('mkdir', ['-p', x]);
  const untar = spawnSync('tar', ['-xzf', summary.bundle, '-C', x], { encoding: 'utf8' });
  expect(untar.stderr).toBe('');
  expect(untar.status).toBe(0);
  top = join(x, readdirSync(x)[0]!);
  manifest = parseJson(readFileSync(join(top, 'manifest.json'), 'utf8'), 'manifest.json') as BundleManifest;
}, 300_000);

afterAll(() => {
  // The planted mysql and its sleep: their own process group, started by this test.
  if (mysql?.pid) {
    try {
      process.kill(-mysql.pid, 'SIGKILL');
    } catch {
      /* already gone */
    }
  }
  removeContainers(P);
  // unset when beforeAll failed before it started the host
  (host as FakeHost | undefined)?.stop();
  rmSync(work, { recursive: true, force: true });
});

describe('toolbox collect', () => {
  it('writes one bundle and prints its JSON summary; partial failures do not fail the run', () => {
    expect(run.code).toBe(0);
    expect(summary.bundle).toMatch(new RegExp(`^${work}/toolbox-collect-fake-microos-\\d{8}T\\d{6}Z\\.tar\\.gz$`));
    expect(readdirSync(work).filter((f) => f.endsWith('.tar.gz'))).toEqual([summary.bundle.slice(work.length + 1)]);
    const bundle = readFileSync(summary.bundle);
    expect(summary.bytes).toBe(bundle.length);
    expect(summary.sha256).toBe(sha256(bundle));
    expect(statSync(summary.bundle).mode & 0o777).toBe(0o600);
    expect(summary.commands).toBe(30);
    expect(summary.ok).toBe(21);
    expect(summary.failed).toEqual([
      { id: 'basic/journal', status: 'failed', exitCode: 127 }, // the test image has no journalctl
      { id: 'basic/failed-units', status: 'failed', exitCode: 127 }, // the fake host has no systemctl
      { id: 'network/nftables', status: 'failed', exitCode: 127 },
      { id: 'network/iptables', status: 'failed', exitCode: 127 },
      { id: 'updates/transactional-update-log', status: 'failed', exitCode: 1 }, // never updated
      { id: 'updates/transactional-update-state', status: 'failed', exitCode: 1 },
      { id: 'custom/hang', status: 'timeout', exitCode: null },
      { id: 'custom/fails', status: 'failed', exitCode: 3 },
      { id: 'custom/no-such-tool', status: 'failed', exitCode: 127 },
    ]);
    expect(run.stderr).toBe(
      'Warning: 9 of 30 commands did not succeed: basic/journal (exit 127), basic/failed-units (exit 127), network/nftables (exit 127), network/iptables (exit 127), updates/transactional-update-log (exit 1), updates/transactional-update-state (exit 1), custom/hang (killed after 2s), custom/fails (exit 3), custom/no-such-tool (exit 127)\n',
    );
  });

  it('has a manifest naming the toolbox, the host and the time', () => {
    expect(manifest.format).toBe('toolbox-collect/1');
    expect(manifest.createdAt).toBe(summary.createdAt);
    expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.createdAt));
    expect(top.endsWith(summary.bundle.slice(work.length + 1).replace(/\.tar\.gz$/, ''))).toBe(true);
    expect(manifest.toolbox).toEqual({
      name: BOX,
      id: expect.stringMatching(/^[0-9a-f]{64}$/) as unknown,
      image: 'localhost/toolbox-test:latest',
      version: expect.any(String) as unknown,
      generation: 1,
    });
    expect(manifest.host).toEqual({
      hostname: 'fake-microos',
      machineId: null,
      os: 'Debian GNU/Linux 12 (bookworm)',
      osId: 'debian',
      osVersion: '12',
      kernel: spawnSync('uname', ['-r'], { encoding: 'utf8' }).stdout.trim(),
      root: `/proc/${host.pid}/root`,
      pid: host.pid,
    });
    expect(manifest.profiles).toEqual(['basic', 'network', 'storage', 'updates', 'custom']);
    expect(manifest.failed).toEqual(summary.failed.map((f) => f.id));
    expect(record('basic/rpms')).toMatchObject({
      command: [
        'env',
        '-i',
        'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
        'LC_ALL=C.UTF-8',
        'chroot',
        `/proc/${host.pid}/root`,
        'rpm',
        '-qa',
      ],
      status: 'ok',
      exitCode: 0,
      timedOut: false,
      timeoutSeconds: 30,
    });
  });

  it('holds exactly the files the manifest lists, each matching its size and sha256', () => {
    const listed = manifest.commands.flatMap((c) => [c.output, c.stderr]).filter((f): f is FileEntry => Boolean(f));
    expect(files(top)).toEqual(['manifest.json', ...listed.map((f) => f.path)].sort());
    expect(listed.length).toBeGreaterThan(28);
    for (const f of listed) {
      const data = readFileSync(join(top, f.path));
      expect({
        path: f.path,
        bytes: data.length,
        sha256: sha256(data),
        truncated: false,
        producedBytes: f.producedBytes,
      }).toEqual(f);
    }
  });

  it("collects the host's own state through its root and namespaces", () => {
    expect(collected('basic/hostname.txt')).toBe('fake-microos\n');
    expect(collected('basic/rpms.txt')).toMatch(
      /^toolbox-test-base-1-1.noarch\ngpg-pubkey-[0-9a-f]+-[0-9a-f]+\nfake-microos-base-1-1.x86_64\n$/,
    );
    expect(collected('basic/rpms.txt')).toBe(host.sh('rpm -qa').stdout);
    expect(collected('updates/snapshots.txt')).toBe(
      host.sh(
        'snapper --no-dbus --csvout list --columns number,type,pre-number,date,default,active,cleanup,description,userdata',
      ).stdout,
    );
    expect(collected('storage/snapper-list.txt')).toContain('| first root filesystem |');
    expect(collected('updates/reboot-needed.txt')).toBe('absent\n');
    expect(collected('basic/mounts.txt').split('\n')[1]).toMatch(
      /^\/ +\/dev\/loop\d+\[\/@\/\.snapshots\/1\/snapshot\] +btrfs +ro,/,
    );
  });

  it('kills a hanging command at its deadline, inside the toolbox too', () => {
    expect(record('custom/hang')).toMatchObject({
      command: ['sleep', '600'],
      status: 'timeout',
      exitCode: null,
      timedOut: true,
      timeoutSeconds: 2,
      output: { bytes: 0 },
    });
    expect(collected('custom/hang.stderr.txt')).toBe('toolbox collect: killed after 2s\n');
    // No `sleep 600` started by collect lives on (they carry collect's session marker).
    const left = readdirSync('/proc').filter((p) => {
      try {
        return (
          /^\d+$/.test(p) &&
          readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000600\u0000' &&
          readFileSync(`/proc/${p}/environ`, 'utf8').includes('-collect-')
        );
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });

  it('records a failing command and a missing tool with their exit codes and output', () => {
    expect(record('custom/fails')).toMatchObject({
      status: 'failed',
      exitCode: 3,
      timedOut: false,
      output: { path: 'custom/fails.txt', bytes: 8 },
      stderr: { path: 'custom/fails.stderr.txt', bytes: 7 },
    });
    expect(collected('custom/fails.txt')).toBe('partial\n');
    expect(collected('custom/fails.stderr.txt')).toBe('broken\n');
    expect(record('custom/no-such-tool')).toMatchObject({ status: 'failed', exitCode: 127 });
    // a command under a deadline starts through a constant sh (it marks the start), which says so
    expect(collected('custom/no-such-tool.stderr.txt')).toMatch(/^toolbox: 1: exec: co-no-such-tool: not found$/m);
  });

  it('redacts the planted secrets and says where', () => {
    const raw = spawnSync('sh', ['-c', 'gzip -dc "$1"', 'sh', summary.bundle]).stdout;
    expect(raw.includes('hunter2')).toBe(false);
    expect(raw.includes('s3cr3t-url')).toBe(false);
    expect(collected('updates/zypper-repos.txt')).toContain(
      '# /etc/zypp/repos.d/co-private.repo\n[co-private]\nname=Private mirror\nenabled=0\nbaseurl=https://admin:<redacted>@mirror.example.invalid/repo\npassword=<redacted>\n',
    );
    const repos = manifest.redacted.filter((r) => r.file === 'updates/zypper-repos.txt');
    expect(repos).toEqual([
      { file: 'updates/zypper-repos.txt', rule: 'url-password', line: 5 },
      { file: 'updates/zypper-repos.txt', rule: 'secret-assignment', line: 6 },
      { file: 'updates/zypper-repos.txt', rule: 'url-query-token', line: 12 },
    ]);
    expect(record('updates/zypper-repos').redactions).toEqual(repos);
    expect(summary.redacted).toEqual(manifest.redacted);
  });

  it('13.7: no planted secret is left anywhere in the bundle, manifest.json included', () => {
    // Every file of the extracted bundle, and the archive itself.
    const leaks = files(top).filter((f) => readFileSync(join(top, f), 'utf8').includes('PLANT'));
    expect(leaks).toEqual([]);
    expect(spawnSync('sh', ['-c', 'gzip -dc "$1"', 'sh', summary.bundle]).stdout.includes('PLANT')).toBe(false);
    expect(run.stdout.includes('PLANT')).toBe(false);
    // Each form, in the place it was planted.
    expect(collected('updates/zypper-repos.txt')).toContain(
      '[co-sle-micro]\nname=SLE-Micro-5.5-Updates\nenabled=0\nbaseurl=https://updates.suse.com/SUSE/Updates/SLE-Micro/5.5/x86_64/update?<redacted>\n',
    );
    expect(collected('custom/app-log.txt')).toBe(APP_LOG_REDACTED);
    const ps = collected('basic/processes.txt')
      .split('\n')
      .find((l) => l.includes(`${work}/bin/mysql`));
    expect(ps).toMatch(
      new RegExp(`/bin/sh ${work}/bin/mysql -uroot -p<redacted> --password <redacted> --token <redacted> shop$`),
    );
    expect(record('custom/argv-secrets').command).toEqual([
      'sh',
      '-c',
      'echo ok',
      'argv-secrets',
      '--password',
      '<redacted>',
      'password=<redacted>',
      'Authorization: Bearer <redacted>',
    ]);
  });

  it('13.7: the manifest lists every redaction by file, rule and line, never the secret', () => {
    const of = (file: string) => manifest.redacted.filter((r) => r.file === file);
    expect(of('custom/app-log.txt')).toEqual([
      { file: 'custom/app-log.txt', rule: 'curl-user', line: 1 },
      { file: 'custom/app-log.txt', rule: 'github-token', line: 2 },
      { file: 'custom/app-log.txt', rule: 'secret-assignment', line: 3 },
      { file: 'custom/app-log.txt', rule: 'authorization-header', line: 4 },
      { file: 'custom/app-log.txt', rule: 'jwt', line: 5 },
      { file: 'custom/app-log.txt', rule: 'aws-access-key', line: 6 },
      { file: 'custom/app-log.txt', rule: 'secret-assignment', line: 6 },
      { file: 'custom/app-log.txt', rule: 'private-key', line: 8 },
    ]);
    // The argv in manifest.json: each entry names the line of the argument it took out.
    const lines = readFileSync(join(top, 'manifest.json'), 'utf8').split('\n');
    expect(of('manifest.json').map((r) => [r.rule, lines[r.line - 1]!.trim()])).toEqual([
      ['secret-option', '"<redacted>",'],
      ['secret-assignment', '"password=<redacted>",'],
      ['authorization-header', '"Authorization: Bearer <redacted>"'],
    ]);
    expect(record('custom/argv-secrets').redactions).toEqual(of('manifest.json'));
    // The process list: the planted mysql line (its number depends on what else runs).
    const ps = of('basic/processes.txt').map((r) => r.rule);
    expect(ps).toEqual(expect.arrayContaining(['password-flag', 'secret-option']));
    expect(record('basic/processes').redactions).toEqual(of('basic/processes.txt'));
  });

  it('counts as a session: the toolbox stops again afterwards', () => {
    expect(containerState(BOX)).toBe('exited');
  });
});

describe('toolbox collect, other forms', () => {
  it('prints only the bundle path without --json', () => {
    const out = join(work, 'custom-only.tar.gz');
    const r = toolbox(
      ['collect', '-c', BOX, '--host-pid', String(host.pid), '--profile', 'custom', '--timeout', '5', '--out', out],
      { env },
    );
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toBe(
      'Warning: 3 of 5 commands did not succeed: custom/hang (killed after 2s), custom/fails (exit 3), custom/no-such-tool (exit 127)\n',
    );
    const list = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' })
      .stdout.split('\n')
      .map((l) => l.replace(/^[^/]+\//, ''));
    expect(list).toEqual([
      'manifest.json',
      'custom/hang.txt',
      'custom/hang.stderr.txt',
      'custom/fails.txt',
      'custom/fails.stderr.txt',
      'custom/no-such-tool.txt',
      'custom/no-such-tool.stderr.txt',
      'custom/app-log.txt',
      'custom/argv-secrets.txt',
      '',
    ]);
  });

  it("a deadline counts from the command's start in the toolbox, not from the engine's client: an engine 3 s slow to start each exec, --timeout 2", () => {
    // docker needs 0.5-3 s to start one exec on a loaded machine (12 s for four at once): that
    // time is not the command's. Here the engine's client itself waits 3 s before each exec.
    const dir = join(work, 'slow-engine');
    mkdirSync(dir);
    const real = spawnSync('sh', ['-c', `command -v ${ENGINE}`], { encoding: 'utf8' }).stdout.trim();
    writeFileSync(join(dir, ENGINE), `#!/bin/sh\ncase "$1" in exec) sleep 3;; esac\nexec ${real} "$@"\n`, {
      mode: 0o755,
    });
    const out = join(work, 'slow-engine.tar.gz');
    const r = toolbox(
      ['collect', '-c', BOX, '--host-pid', String(host.pid), '--profile', 'custom', '--timeout', '2', '--out', out],
      { env: { ...env, PATH: `${dir}:${env.PATH ?? ''}` } },
    );
    expect(r.stderr).toBe(
      'Warning: 3 of 5 commands did not succeed: custom/hang (killed after 2s), custom/fails (exit 3), custom/no-such-tool (exit 127)\n',
    );
    expect([r.stdout, r.code]).toEqual([`${out}\n`, 0]);
  });

  it('F5: a symlink at --out, to a directory or to a file, is replaced by the bundle, never followed', () => {
    const collectTo = (out: string) =>
      toolbox(
        ['collect', '-c', BOX, '--host-pid', String(host.pid), '--profile', 'custom', '--timeout', '5', '--out', out],
        { env },
      );
    // A directory someone else chose, and a link to it where the bundle is to go.
    const chosen = join(work, 'f5-chosen');
    mkdirSync(chosen);
    const toDir = join(work, 'f5-dir.tar.gz');
    symlinkSync(chosen, toDir);
    const d = collectTo(toDir);
    expect([d.code, d.stdout]).toEqual([0, `${toDir}\n`]);
    expect(readdirSync(chosen)).toEqual([]);
    expect(lstatSync(toDir).isFile()).toBe(true);
    expect(spawnSync('tar', ['-tzf', toDir], { encoding: 'utf8' }).stdout).toContain('/manifest.json\n');
    // A link to a file: the file keeps its bytes, the link becomes the bundle.
    const target = join(work, 'f5-precious');
    writeFileSync(target, 'precious\n');
    const toFile = join(work, 'f5-file.tar.gz');
    symlinkSync(target, toFile);
    const f = collectTo(toFile);
    expect([f.code, f.stdout]).toEqual([0, `${toFile}\n`]);
    expect(readFileSync(target, 'utf8')).toBe('precious\n');
    expect(lstatSync(toFile).isFile()).toBe(true);
    expect(spawnSync('tar', ['-tzf', toFile], { encoding: 'utf8' }).stdout).toContain('/manifest.json\n');
  });

  it('shows N/M progress on a terminal, and still prints only the path on stdout', () => {
    const out = join(work, 'tty.tar.gz');
    // script(1) gives the CLI a terminal; stdout and stderr both arrive through it.
    const command = `stty cols 100 rows 30; exec ${CLI_SHELL} collect -c ${BOX} --host-pid ${host.pid} --profile custom --out ${out}`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env, input: '', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('collecting 0/5');
    expect(r.stdout).toMatch(/collecting 5\/5 \(custom\/(hang|fails|no-such-tool|app-log|argv-secrets)\)/);
    expect(r.stdout).toContain(`\r\n${out}\r\n`);
    expect(existsSync(out)).toBe(true);
  });

  it('fails with exit 1 before collecting when the bundle cannot be written', () => {
    const r = toolbox(['collect', '-c', BOX, '--out', '/nonexistent-co-dir/b.tar.gz'], { env });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      'Error: cannot write the bundle to /nonexistent-co-dir/b.tar.gz: ENOENT. Hint: choose a writable place with --out FILE or --out DIR\n',
    );
    expect(r.code).toBe(1);
    expect(existsSync('/nonexistent-co-dir')).toBe(false);
  });

  it('refuses unknown profiles and bad timeouts (exit 2)', () => {
    const p = toolbox(['collect', '-c', BOX, '--profile', 'everything'], { env });
    expect(p.stderr).toBe(
      'Error: unknown profile "everything". Hint: choose from basic, network, storage, updates, custom\n',
    );
    expect(p.code).toBe(2);
    const t = toolbox(['collect', '-c', BOX, '--timeout', 'soon'], { env });
    expect(t.stderr).toBe(
      'Error: invalid timeout "soon". Hint: give the seconds each command may run, e.g. --timeout 60\n',
    );
    expect(t.code).toBe(2);
  });
});

describe('13.11: toolbox collect with an output larger than the cap', () => {
  // 400 MB of one repeated line, against the default cap of 64 MiB.
  const LINE = 'collect-e2e 0123456789 abcdefghijklmnopqrstuvwxyz ABCDEFGHIJKLMNOPQRSTUVWXYZ\n';
  const PRINTED = 400_000_000;
  const CAP = 64 * 1024 * 1024;
  // A fixed bound on the CLI's peak resident memory, far below the output's size (before the fix,
  // about 500 MB for 300 MB of output).
  const PEAK_RSS_LIMIT_KB = 200 * 1024;
  let big: Result;
  let peakKb: number;
  let bigManifest: BundleManifest;
  let bigTop: string;

  beforeAll(() => {
    const home = join(work, 'big-home');
    const bigEnv = { ...env, HOME: home, XDG_CONFIG_HOME: join(home, '.config') };
    mkdirSync(join(bigEnv.XDG_CONFIG_HOME, 'toolbox'), { recursive: true });
    writeFileSync(
      join(bigEnv.XDG_CONFIG_HOME, 'toolbox', 'config.json'),
      JSON.stringify({
        collectors: [
          {
            name: 'big',
            command: ['sh', '-c', `yes '${LINE.trimEnd()}' | head -c ${PRINTED}; echo done >&2`],
            timeout: 120,
          },
        ],
      }),
    );
    const out = join(work, 'big.tar.gz');
    const peakFile = join(work, 'big.peak');
    // /usr/bin/time -f %M: the peak resident set size of the CLI (and of the largest of the
    // processes it waited for), in KB.
    const r = spawnSync(
      '/usr/bin/time',
      [
        '-f',
        '%M',
        '-o',
        peakFile,
        ...CLI_ARGV,
        'collect',
        '-c',
        BOX,
        '--host-pid',
        String(host.pid),
        '--profile',
        'custom',
        '--out',
        out,
        '--json',
      ],
      {
        env: bigEnv,
        encoding: 'utf8',
        maxBuffer: 1 << 20,
      },
    );
    big = { code: r.status, signal: r.signal, stdout: r.stdout, stderr: r.stderr, stdoutBuffer: Buffer.from(r.stdout) };
    peakKb = Number(readFileSync(peakFile, 'utf8').trim().split('\n').pop());
    const x = join(work, 'big-x');
    mkdirSync(x);
    const untar = spawnSync('tar', ['-xzf', out, '-C', x], { encoding: 'utf8' });
    expect(untar.stderr).toBe('');
    bigTop = join(x, readdirSync(x)[0]!);
    bigManifest = parseJson(readFileSync(join(bigTop, 'manifest.json'), 'utf8'), 'manifest.json') as BundleManifest;
  }, 300_000);

  it('13.11: keeps the first 64 MiB in whole lines, records the cut and the byte counts, and not as a failure', () => {
    expect(big.stderr).toBe(
      `Warning: 1 of 1 commands printed more than --max-output 64M, and their output was cut: custom/big (${PRINTED + 5} bytes)\n`,
    );
    expect(big.code).toBe(0);
    const rec = bigManifest.commands[0]!;
    const kept = Math.floor(CAP / LINE.length) * LINE.length;
    expect(rec).toMatchObject({ id: 'custom/big', status: 'ok', exitCode: 0, timedOut: false, truncated: true });
    const data = readFileSync(join(bigTop, 'custom/big.txt'));
    expect(rec.output).toEqual({
      path: 'custom/big.txt',
      bytes: kept,
      sha256: sha256(data),
      truncated: true,
      producedBytes: PRINTED,
    });
    expect(data.length).toBe(kept);
    expect(data.equals(Buffer.from(LINE.repeat(kept / LINE.length)))).toBe(true);
    expect(readFileSync(join(bigTop, 'custom/big.stderr.txt'), 'utf8')).toBe(
      `done\ntoolbox collect: stdout cut at ${CAP} of ${PRINTED} bytes (--max-output)\n`,
    );
    expect(rec.stderr).toMatchObject({ path: 'custom/big.stderr.txt', truncated: false, producedBytes: 5 });
    expect(bigManifest.maxOutputBytes).toBe(CAP);
    expect(bigManifest.truncated).toEqual(['custom/big']);
    expect(bigManifest.failed).toEqual([]);
    const summary = parseJson(big.stdout, 'collect --json') as CollectSummary;
    expect(summary.truncated).toEqual(['custom/big']);
    expect(summary.failed).toEqual([]);
  });

  it('13.11: keeps memory bounded while several hundred MB stream through', () => {
    expect(peakKb).toBeGreaterThan(0);
    expect(peakKb).toBeLessThan(PEAK_RSS_LIMIT_KB);
  });

  it('takes --max-output in K, M or G, and refuses anything else (exit 2)', () => {
    const out = join(work, 'small.tar.gz');
    const r = toolbox(
      [
        'collect',
        '-c',
        BOX,
        '--host-pid',
        String(host.pid),
        '--profile',
        'custom',
        '--max-output',
        '16K',
        '--out',
        out,
        '--json',
      ],
      { env },
    );
    expect(r.code).toBe(0);
    expect((parseJson(r.stdout, 'collect --json') as CollectSummary).truncated).toEqual([]);
    const list = spawnSync('tar', ['-xzOf', out, '--wildcards', '*/manifest.json'], { encoding: 'utf8' });
    expect((parseJson(list.stdout, 'manifest.json') as BundleManifest).maxOutputBytes).toBe(16 * 1024);
    for (const bad of ['0', '-1', '10X', '1.5M', '']) {
      const b = toolbox(['collect', '-c', BOX, '--max-output', bad], { env });
      expect(b.stderr).toBe(
        `Error: invalid output size ${JSON.stringify(bad)}. Hint: give the most to keep of each output, e.g. --max-output 64M (K, M, G: powers of 1024)\n`,
      );
      expect(b.code).toBe(2);
    }
  });
});
