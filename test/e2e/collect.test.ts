// toolbox collect end to end: the built CLI, a real rootful toolbox from the test image, and the
// fake MicroOS host of the host-update tests (btrfs root snapshot, snapper, an rpm database, zypper
// repos) reached through --host-pid as a real host is through PID 1. Custom collectors from
// config.json supply a command that hangs, one that fails and one that does not exist.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startFakeHost, type FakeHost } from '../fixtures/fake-host/fake-host.js';
import { CLI_SHELL, containerState, TEST_IMAGE, toolbox, type Result } from './helpers.js';

const BOX = 'co-e2e-collect';
const work = mkdtempSync(join(tmpdir(), 'co-e2e-collect-'));
// A private HOME and config dir, so the user's own config.json never leaks in.
const env = { PATH: process.env.PATH, HOME: work, USER: 'root', XDG_CONFIG_HOME: join(work, '.config'), TOOLBOX_IMAGE: TEST_IMAGE, LANG: 'C.UTF-8' };
mkdirSync(join(env.XDG_CONFIG_HOME, 'toolbox'), { recursive: true });
const sha256 = (data: Buffer) => createHash('sha256').update(data).digest('hex');

// What an admin would put in a repo file: a mirror login, in the URL and as a key.
const PRIVATE_REPO = `[co-private]
name=Private mirror
enabled=0
baseurl=https://admin:s3cr3t-url@mirror.example.invalid/repo
password=hunter2
`;

let host: FakeHost;
let run: Result;
let summary: Record<string, any>;
let manifest: Record<string, any>;
let top: string;

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => relative(dir, join(e.parentPath, e.name)))
    .sort();
}

const record = (id: string) => manifest.commands.find((c: { id: string }) => c.id === id);
const collected = (path: string) => readFileSync(join(top, path), 'utf8');

beforeAll(() => {
  toolbox(['rm', '--force', BOX], { env });
  host = startFakeHost('co-e2e-');
  // The host's root is a read-only snapshot: edit /etc the way a transactional host allows, by
  // making the snapshot writable for the moment.
  const planted = host.sh(
    `set -e; mount -o remount,rw /; btrfs property set -ts / ro false
cat > /etc/zypp/repos.d/co-private.repo <<'REPO'
${PRIVATE_REPO}REPO
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
      ],
    }),
  );
  run = toolbox(['collect', '-c', BOX, '--host-pid', String(host.pid), '--out', work, '--json'], { env });
  summary = JSON.parse(run.stdout);
  const x = join(work, 'x');
  spawnSync('mkdir', ['-p', x]);
  const untar = spawnSync('tar', ['-xzf', summary.bundle, '-C', x], { encoding: 'utf8' });
  expect(untar.stderr).toBe('');
  expect(untar.status).toBe(0);
  top = join(x, readdirSync(x)[0]!);
  manifest = JSON.parse(readFileSync(join(top, 'manifest.json'), 'utf8'));
}, 300_000);

afterAll(() => {
  toolbox(['rm', '--force', BOX], { env });
  host?.stop();
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
    expect(summary.commands).toBe(28);
    expect(summary.ok).toBe(19);
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
      'Warning: 9 of 28 commands did not succeed: basic/journal (exit 127), basic/failed-units (exit 127), network/nftables (exit 127), network/iptables (exit 127), updates/transactional-update-log (exit 1), updates/transactional-update-state (exit 1), custom/hang (killed after 2s), custom/fails (exit 3), custom/no-such-tool (exit 127)\n',
    );
  });

  it('has a manifest naming the toolbox, the host and the time', () => {
    expect(manifest.format).toBe('toolbox-collect/1');
    expect(manifest.createdAt).toBe(summary.createdAt);
    expect(Date.parse(manifest.finishedAt)).toBeGreaterThanOrEqual(Date.parse(manifest.createdAt));
    expect(top.endsWith(summary.bundle.slice(work.length + 1).replace(/\.tar\.gz$/, ''))).toBe(true);
    expect(manifest.toolbox).toEqual({ name: BOX, id: expect.stringMatching(/^[0-9a-f]{64}$/), image: 'localhost/toolbox-test:latest', version: expect.any(String) });
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
    expect(manifest.failed).toEqual(summary.failed.map((f: { id: string }) => f.id));
    expect(record('basic/rpms')).toMatchObject({ command: ['chroot', `/proc/${host.pid}/root`, 'rpm', '-qa'], status: 'ok', exitCode: 0, timedOut: false, timeoutSeconds: 30 });
  });

  it('holds exactly the files the manifest lists, each matching its size and sha256', () => {
    const listed = manifest.commands.flatMap((c: any) => [c.output, c.stderr]).filter(Boolean);
    expect(files(top)).toEqual(['manifest.json', ...listed.map((f: { path: string }) => f.path)].sort());
    expect(listed.length).toBeGreaterThan(28);
    for (const f of listed) {
      const data = readFileSync(join(top, f.path));
      expect({ path: f.path, bytes: data.length, sha256: sha256(data) }).toEqual(f);
    }
  });

  it("collects the host's own state through its root and namespaces", () => {
    expect(collected('basic/hostname.txt')).toBe('fake-microos\n');
    expect(collected('basic/rpms.txt')).toMatch(/^toolbox-test-base-1-1.noarch\ngpg-pubkey-[0-9a-f]+-[0-9a-f]+\n$/);
    expect(collected('basic/rpms.txt')).toBe(host.sh('rpm -qa').stdout);
    expect(collected('updates/snapshots.txt')).toBe(
      host.sh('snapper --no-dbus --csvout list --columns number,type,pre-number,date,default,active,cleanup,description,userdata').stdout,
    );
    expect(collected('storage/snapper-list.txt')).toContain('| first root filesystem |');
    expect(collected('updates/reboot-needed.txt')).toBe('absent\n');
    expect(collected('basic/mounts.txt').split('\n')[1]).toMatch(/^\/ +\/dev\/loop\d+\[\/@\/\.snapshots\/1\/snapshot\] +btrfs +ro,/);
  });

  it('kills a hanging command at its deadline, inside the toolbox too', () => {
    expect(record('custom/hang')).toMatchObject({ command: ['sleep', '600'], status: 'timeout', exitCode: null, timedOut: true, timeoutSeconds: 2, output: { bytes: 0 } });
    expect(collected('custom/hang.stderr.txt')).toBe('toolbox collect: killed after 2s\n');
    // No `sleep 600` started by collect lives on (they carry collect's session marker).
    const left = readdirSync('/proc').filter((p) => {
      try {
        return /^\d+$/.test(p) && readFileSync(`/proc/${p}/cmdline`, 'utf8') === 'sleep\u0000600\u0000' && readFileSync(`/proc/${p}/environ`, 'utf8').includes('-collect-');
      } catch {
        return false;
      }
    });
    expect(left).toEqual([]);
  });

  it('records a failing command and a missing tool with their exit codes and output', () => {
    expect(record('custom/fails')).toMatchObject({ status: 'failed', exitCode: 3, timedOut: false, output: { path: 'custom/fails.txt', bytes: 8 }, stderr: { path: 'custom/fails.stderr.txt', bytes: 7 } });
    expect(collected('custom/fails.txt')).toBe('partial\n');
    expect(collected('custom/fails.stderr.txt')).toBe('broken\n');
    expect(record('custom/no-such-tool')).toMatchObject({ status: 'failed', exitCode: 127 });
    expect(collected('custom/no-such-tool.stderr.txt')).toMatch(/"co-no-such-tool": executable file not found in \$PATH/);
  });

  it('redacts the planted secrets and says where', () => {
    const raw = spawnSync('sh', ['-c', 'gzip -dc "$1"', 'sh', summary.bundle]).stdout;
    expect(raw.includes('hunter2')).toBe(false);
    expect(raw.includes('s3cr3t-url')).toBe(false);
    expect(collected('updates/zypper-repos.txt')).toContain(
      '# /etc/zypp/repos.d/co-private.repo\n[co-private]\nname=Private mirror\nenabled=0\nbaseurl=https://admin:<redacted>@mirror.example.invalid/repo\npassword=<redacted>\n',
    );
    const expected = [
      { file: 'updates/zypper-repos.txt', rule: 'url-password', line: 5 },
      { file: 'updates/zypper-repos.txt', rule: 'secret-assignment', line: 6 },
    ];
    expect(manifest.redacted).toEqual(expected);
    expect(record('updates/zypper-repos').redactions).toEqual(expected);
    expect(summary.redacted).toEqual(expected);
  });

  it('counts as a session: the toolbox stops again afterwards', () => {
    expect(containerState(BOX)).toBe('exited');
  });
});

describe('toolbox collect, other forms', () => {
  it('prints only the bundle path without --json', () => {
    const out = join(work, 'custom-only.tar.gz');
    const r = toolbox(['collect', '-c', BOX, '--host-pid', String(host.pid), '--profile', 'custom', '--timeout', '5', '--out', out], { env });
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(`${out}\n`);
    expect(r.stderr).toBe('Warning: 3 of 3 commands did not succeed: custom/hang (killed after 2s), custom/fails (exit 3), custom/no-such-tool (exit 127)\n');
    const list = spawnSync('tar', ['-tzf', out], { encoding: 'utf8' }).stdout.split('\n').map((l) => l.replace(/^[^/]+\//, ''));
    expect(list).toEqual(['manifest.json', 'custom/hang.txt', 'custom/hang.stderr.txt', 'custom/fails.txt', 'custom/fails.stderr.txt', 'custom/no-such-tool.txt', 'custom/no-such-tool.stderr.txt', '']);
  });

  it('shows N/M progress on a terminal, and still prints only the path on stdout', () => {
    const out = join(work, 'tty.tar.gz');
    // script(1) gives the CLI a terminal; stdout and stderr both arrive through it.
    const command = `stty cols 100 rows 30; exec ${CLI_SHELL} collect -c ${BOX} --host-pid ${host.pid} --profile custom --out ${out}`;
    const r = spawnSync('script', ['-qec', command, '/dev/null'], { env, input: '', encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout).toContain('collecting 0/3');
    expect(r.stdout).toMatch(/collecting 3\/3 \(custom\/(hang|fails|no-such-tool)\)/);
    expect(r.stdout).toContain(`\r\n${out}\r\n`);
    expect(existsSync(out)).toBe(true);
  });

  it('fails with exit 1 before collecting when the bundle cannot be written', () => {
    const r = toolbox(['collect', '-c', BOX, '--out', '/nonexistent-co-dir/b.tar.gz'], { env });
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: cannot write the bundle to /nonexistent-co-dir/b.tar.gz: ENOENT. Hint: choose a writable place with --out FILE or --out DIR\n');
    expect(r.code).toBe(1);
    expect(existsSync('/nonexistent-co-dir')).toBe(false);
  });

  it('refuses unknown profiles and bad timeouts (exit 2)', () => {
    const p = toolbox(['collect', '-c', BOX, '--profile', 'everything'], { env });
    expect(p.stderr).toBe('Error: unknown profile "everything". Hint: choose from basic, network, storage, updates, custom\n');
    expect(p.code).toBe(2);
    const t = toolbox(['collect', '-c', BOX, '--timeout', 'soon'], { env });
    expect(t.stderr).toBe('Error: invalid timeout "soon". Hint: give the seconds each command may run, e.g. --timeout 60\n');
    expect(t.code).toBe(2);
  });
});
