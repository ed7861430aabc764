// The Ansible collection (ansible/, built and installed with ansible-galaxy, its playbooks run by
// their fully qualified names) end to end: real ansible-playbook over ssh against three fake
// fleet hosts (test/fixtures/fleet/make-fleet.sh). Each host is a privileged container booting
// systemd, with its own podman and storage, the toolbox single executable (dist/sea/toolbox) and
// its own fake MicroOS btrfs root with a signed package repo; a reboot restarts the container,
// which boots the root's default snapshot. Cases: collect on three hosts, collect with one host
// down, a rolling `pkg install` whose second host fails its health check, the rollout finished,
// a second run that changes nothing, and a host refused in the pre-check. Then, on the same
// hosts: check mode (with the pre-check overrides), collect in check mode and past its deadline,
// batches of two with a URL health check and a host lost in its reboot, a URL that answers 404,
// and report.html (escaping; rendered by headless Chromium to a screenshot kept in /tmp).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  onHost,
  runPlaybook,
  sh,
  writeInventory as writeFleetInventory,
  type Play,
} from '../fixtures/fleet/ansible.js';
import { installFleetCollection } from '../fixtures/fleet/collection.js';
import { ROOT, parseJson, runPrefix } from './helpers.js';

const MAKE_FLEET = join(ROOT, 'test/fixtures/fleet/make-fleet.sh');
const TOOLBOX_EXE = join(ROOT, 'dist/sea/toolbox');
const PREFIX = runPrefix('fleet-');
const N = 3;
const state = mkdtempSync(`/tmp/${PREFIX}`);
const hosts = [1, 2, 3].map((i) => `${PREFIX}${i}`);
const [h1, h2, h3] = hosts as [string, string, string];
const key = join(state, 'ssh', 'id_ed25519');
const inventory = join(state, 'inventory.ini');
// Set FLEET_TRANSCRIPT_DIR to keep the playbooks' output (docs/fleet.md shows one).
const transcripts = process.env.FLEET_TRANSCRIPT_DIR;
const UNHEALTHY = '/etc/fleet-test-unhealthy';
const ACTION = 'pkg install fake-hello';
const HEALTH = {
  fleet_health_command: ['sh', '-c', `test ! -e ${UNHEALTHY}`],
  fleet_health_retries: 1,
  fleet_health_delay: 1,
};

/** summary.json of the collect playbook */
interface CollectSummary {
  format: string;
  ok: string[];
  failed: string[];
  unreachable: string[];
  hosts: {
    host: string;
    status: string;
    bundle: string;
    sha256: string;
    bytes: number;
    filesVerified: number;
    collectors: { ok: number; failed: number; timeout: number };
    error: string | null;
    keptOnHost: boolean;
  }[];
}

/** the manifest.json inside a collect bundle, the parts read here */
interface BundleManifest {
  profiles: string[];
  commands: { output?: unknown; stderr?: unknown }[];
}

interface SnapshotPair {
  booted: number;
  default: number;
}

/** report.json of the host_update playbook */
interface UpdateReport {
  format: string;
  action: string;
  /** a check mode run (--check) */
  check: boolean;
  hosts: {
    host: string;
    outcome: string;
    snapshots: { before: SnapshotPair; new: number | null; after: SnapshotPair | null };
    failedStep: string | null;
    error?: string | null;
    /** check mode: what the update would do */
    plan?: string;
    /** each step's start, in order, then the end */
    timeline: { step: string; t: number; at: string }[];
    timings: { seconds: Record<string, number> };
  }[];
}

/** host-update status --json, the parts read here */
interface HostStatus extends SnapshotPair {
  transaction: { pid: number; command: string } | null;
  snapshots: { number: number }[];
}

function writeInventory(): void {
  writeFleetInventory(inventory, hosts, key, [
    // The fake hosts' MicroOS root is not PID 1: this wrapper points the tools at its init.
    'fleet_toolbox_command=["/usr/local/sbin/on-fake-microos", "toolbox"]',
    'fleet_host_update_command=["/usr/local/sbin/on-fake-microos", "toolbox", "run", "--", "host-update"]',
    // A container's reboot keeps the machine's boot_id; PID 1's start time changes.
    `fleet_reboot_boot_time_command="cut -d' ' -f22 /proc/1/stat"`,
  ]);
}

function playbook(name: string, vars: Record<string, unknown>, transcript?: string, args: string[] = []): Play {
  const run = runPlaybook(
    { inventory, state, collections: join(state, 'galaxy', 'collections'), forks: 3 },
    name,
    vars,
    args,
  );
  if (transcripts && transcript) writeFileSync(join(transcripts, `${transcript}.log`), run.out);
  return run;
}

const recapLine = (
  ok: number,
  changed: number,
  unreachable: number,
  failed: number,
  skipped: number,
  rescued: number,
  ignored: number,
) =>
  `ok=${ok} changed=${changed} unreachable=${unreachable} failed=${failed} skipped=${skipped} rescued=${rescued} ignored=${ignored}`;

/** host-update status --json on a fleet host, read through podman */
function status(host: string): HostStatus {
  const r = onHost(host, 'on-fake-microos toolbox run -- host-update status --json');
  expect(r.stderr).toBe('');
  return parseJson(r.stdout, 'host-update status --json') as HostStatus;
}
const snapshotNumbers = (host: string) => status(host).snapshots.map((s) => s.number);
const hasFakeHello = (host: string) =>
  onHost(host, 'nsenter -t "$(cat /run/fake-microos/pid)" -m -- rpm -q fake-hello').code === 0;

/** a command inside a host's fake MicroOS root (its mount namespace) */
const inRoot = (host: string, script: string) =>
  onHost(host, `nsenter -t "$(cat /run/fake-microos/pid)" -m -- sh -c '${script}'`);
/** the fake transactional-update's log on a host */
const tuLog = (host: string) => inRoot(host, 'cat /var/log/transactional-update.log').stdout;
/** host-update status --json, or null while it fails. Without the stderr check of status():
 * while snapper is still creating a transaction's snapshot, its list can be incomplete. */
function tryStatus(host: string): HostStatus | null {
  const r = onHost(host, 'on-fake-microos toolbox run -- host-update status --json');
  return r.code === 0 ? (parseJson(r.stdout, 'host-update status --json') as HostStatus) : null;
}

/** Starts a transaction on a host that the transactional-update stand-in holds open (its knob),
 * and waits until it is there: the lock held and its snapshot made. snapshots = the list before. */
function holdTransaction(host: string, snapshots: number[]): { pid: number; command: string } | null {
  expect(
    inRoot(host, 'mkdir -p /run/fake-transactional-update && touch /run/fake-transactional-update/hold').code,
  ).toBe(0);
  const start = ['exec', '-d', host, 'on-fake-microos', 'toolbox', 'run', '--', 'host-update'];
  expect(sh('podman', [...start, 'pkg', 'install', 'fake-broken']).code).toBe(0);
  for (let i = 0; i < 150; i++) {
    const now = tryStatus(host);
    if (now?.transaction && now.snapshots.length > snapshots.length) return now.transaction;
    spawnSync('sleep', ['0.2']);
  }
  return null;
}

/** Lets the held transaction go (fake-broken cannot install: its snapshot is discarded). */
function releaseTransaction(host: string): void {
  inRoot(host, 'rm -f /run/fake-transactional-update/hold');
  for (let i = 0; i < 150 && tryStatus(host)?.transaction !== null; i++) spawnSync('sleep', ['0.2']);
}

function waitForSsh(host: string): void {
  for (let i = 0; i < 150; i++) {
    if (onHost(host, 'systemctl is-active --quiet ssh.service && test -s /run/fake-microos/pid').code === 0) return;
    spawnSync('sleep', ['0.2']);
  }
  throw new Error(`${host}: ssh did not come back`);
}

const readJson = (path: string) => parseJson(readFileSync(path, 'utf8'), path);
const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

beforeAll(() => {
  if (sh('ansible-playbook', ['--version']).code !== 0)
    throw new Error("ansible-playbook is missing: run 'sudo bash .ci/setup-machine' first");
  if (sh('podman', ['image', 'exists', 'localhost/toolbox-test-fleet:latest']).code !== 0)
    throw new Error("the fleet host image is missing: run 'sudo bash .ci/setup-machine' first");
  if (!existsSync(TOOLBOX_EXE)) throw new Error(`${TOOLBOX_EXE} is missing: run 'npm run build' first`);
  mkdirSync(join(state, 'ssh'), { mode: 0o700 });
  const keygen = sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', PREFIX, '-f', key]);
  expect(keygen.stderr).toBe('');
  // The collection as its users get it: built, installed, and run by its playbooks' names.
  installFleetCollection(join(state, 'galaxy'));
  const up = sh('bash', [MAKE_FLEET, 'up', join(state, 'hosts'), PREFIX, String(N), `${key}.pub`, TOOLBOX_EXE]);
  if (up.code !== 0) throw new Error(`make-fleet.sh up failed (${up.code}): ${up.stderr}`);
  expect(
    up.stdout
      .trim()
      .split('\n')
      .map((l) => l.split(' ')[0]),
  ).toEqual(hosts);
  writeInventory();
}, 600_000);

afterAll(() => {
  sh('bash', [MAKE_FLEET, 'down', join(state, 'hosts'), PREFIX, String(N)]);
  rmSync(state, { recursive: true, force: true });
}, 300_000);

describe('fleet collect', () => {
  it('collects, fetches and verifies a bundle from each of three hosts, and removes them from the hosts', () => {
    const bundles = join(state, 'bundles-all');
    const run = playbook('collect', { fleet_bundles_dir: bundles, fleet_collect_profiles: ['basic', 'updates'] });
    expect(run.code, run.out).toBe(0);
    // The first host also ran the summary (run_once on the controller). Each role include
    // counts one ok more than its tasks: the check of its argument specs.
    expect(run.recap).toEqual({
      [h1]: recapLine(16, 3, 0, 0, 4, 0, 0),
      [h2]: recapLine(10, 3, 0, 0, 4, 0, 0),
      [h3]: recapLine(10, 3, 0, 0, 4, 0, 0),
    });
    const summary = readJson(join(bundles, 'summary.json')) as CollectSummary;
    expect(summary.format).toBe('toolbox-fleet-collect/1');
    expect(summary.ok).toEqual(hosts);
    expect(summary.failed).toEqual([]);
    expect(summary.unreachable).toEqual([]);
    expect(summary.hosts.map((h) => h.host)).toEqual(hosts);
    for (const h of summary.hosts) {
      const files = readdirSync(join(bundles, h.host));
      expect(files).toHaveLength(1);
      expect(h.bundle).toBe(join(bundles, h.host, files[0]!));
      expect(files[0]).toMatch(/^toolbox-collect-fake-microos-\d{8}T\d{6}Z\.tar\.gz$/);
      // The file on the controller is the one the host made, byte for byte.
      expect(h.sha256).toBe(sha256(h.bundle));
      expect(h.bytes).toBe(readFileSync(h.bundle).length);
      // Checked against the manifest inside: every output and stderr file of every collector.
      const list = sh('tar', ['-xzOf', h.bundle, '--wildcards', '*/manifest.json']);
      const manifest = parseJson(list.stdout, `${h.bundle}: manifest.json`) as BundleManifest;
      const listed = manifest.commands.flatMap((c: { output?: unknown; stderr?: unknown }) =>
        [c.output, c.stderr].filter(Boolean),
      ).length;
      expect(h.filesVerified).toBe(listed);
      expect(h.collectors.ok + h.collectors.failed + h.collectors.timeout).toBe(manifest.commands.length);
      expect(manifest.profiles).toEqual(['basic', 'updates']);
      expect(h.status).toBe('ok');
      expect(h.error).toBe(null);
      expect(h.keptOnHost).toBe(false);
      expect(statSync(h.bundle).mode & 0o777).toBe(0o600);
      expect(statSync(join(bundles, h.host)).mode & 0o777).toBe(0o700);
      expect(onHost(h.host, 'ls /var/tmp | grep -c toolbox-collect || true').stdout).toBe('0\n');
    }
    const table = readFileSync(join(bundles, 'summary.txt'), 'utf8').split('\n');
    expect(table[0]).toMatch(/^HOST +STATUS +OK +FAILED +TIMED-OUT +SIZE +BUNDLE \/ ERROR$/);
    expect(table.slice(1, 4).map((l) => l.split(/ +/).slice(0, 2))).toEqual(hosts.map((h) => [h, 'ok']));
    expect(table[4]).toBe('3 ok, 0 failed, 0 unreachable');
  }, 600_000);

  it('names a stopped host as unreachable in the summary, and the other hosts still give their bundles', () => {
    expect(sh('podman', ['stop', '-t', '5', h3]).code).toBe(0);
    const bundles = join(state, 'bundles-down');
    const run = playbook(
      'collect',
      { fleet_bundles_dir: bundles, fleet_collect_profiles: ['basic'] },
      'collect-one-down',
    );
    if (transcripts)
      for (const f of ['summary.txt', 'summary.json'])
        writeFileSync(join(transcripts, `collect-one-down.${f}`), readFileSync(join(bundles, f)));
    expect(sh('podman', ['start', h3]).code).toBe(0);
    waitForSsh(h3);
    writeInventory();
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({
      [h1]: recapLine(16, 3, 0, 0, 4, 0, 0),
      [h2]: recapLine(10, 3, 0, 0, 4, 0, 0),
      // unreachable is recorded (ignored), then the host fails after the summary.
      [h3]: recapLine(4, 0, 0, 1, 9, 0, 1),
    });
    const summary = readJson(join(bundles, 'summary.json')) as CollectSummary;
    expect(summary.ok).toEqual([h1, h2]);
    expect(summary.failed).toEqual([]);
    expect(summary.unreachable).toEqual([h3]);
    const down = summary.hosts.find((h) => h.host === h3)!;
    expect(down.status).toBe('unreachable');
    expect(down.error).toMatch(/^Failed to connect to the host via ssh: .*Connection refused$/);
    expect(readdirSync(bundles).sort()).toEqual([h1, h2, 'summary.json', 'summary.txt'].sort());
    for (const h of [h1, h2]) expect(readdirSync(join(bundles, h))).toHaveLength(1);
    const table = readFileSync(join(bundles, 'summary.txt'), 'utf8').split('\n');
    expect(table[3]).toMatch(new RegExp(`^${h3} +unreachable +- +- +- +- +Failed to connect`));
    expect(table[4]).toBe(`2 ok, 0 failed, 1 unreachable (${h3})`);
  });
});

describe('rolling host update', () => {
  it('updates the canary, rolls back the host that fails its health check, and never touches the third', () => {
    for (const h of hosts) expect(snapshotNumbers(h)).toEqual([1]);
    expect(onHost(h2, `touch ${UNHEALTHY}`).code).toBe(0);
    const report = join(state, 'report-1');
    const run = playbook(
      'host_update',
      { fleet_update_action: ACTION, fleet_report_dir: report, ...HEALTH },
      'rolling-update-failure',
    );
    if (transcripts)
      for (const f of ['report.txt', 'report.json'])
        writeFileSync(join(transcripts, `rolling-update-failure.${f}`), readFileSync(join(report, f)));
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({
      [h1]: recapLine(40, 2, 0, 0, 2, 0, 0),
      [h2]: recapLine(51, 4, 0, 1, 2, 1, 0),
      [h3]: recapLine(9, 0, 0, 0, 0, 0, 0),
    });
    expect(run.out).toContain(
      `fatal: [${h2}]: FAILED! => {"changed": false, "msg": "health-check failed: sh -c test ! -e ${UNHEALTHY} exited 1; host rolled-back"}`,
    );
    // The third host took no part in the rollout play: it ran the pre-check only.
    const rollout = run.out.slice(
      run.out.indexOf('PLAY [Roll out the update, canary first]'),
      run.out.indexOf('PLAY RECAP'),
    );
    expect(rollout).toContain(`changed: [${h1}]`);
    expect(rollout).toContain(`changed: [${h2}]`);
    expect(rollout).not.toContain(`[${h3}]`);
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.format).toBe('toolbox-fleet-host-update/1');
    expect(r.action).toBe(ACTION);
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([
      [h1, 'updated'],
      [h2, 'rolled-back'],
      [h3, 'not-started'],
    ]);
    const canary = r.hosts[0]!;
    const failed = r.hosts[1]!;
    expect(canary.snapshots).toEqual({ before: { booted: 1, default: 1 }, new: 2, after: { booted: 2, default: 2 } });
    expect(canary.failedStep).toBe(null);
    expect(canary.error).toBe(null);
    expect(Object.keys(canary.timings.seconds).sort()).toEqual(['health', 'reboot', 'total', 'update']);
    expect(failed.snapshots).toEqual({ before: { booted: 1, default: 1 }, new: 2, after: { booted: 1, default: 1 } });
    expect(failed.failedStep).toBe('health-check');
    expect(failed.error).toBe(`sh -c test ! -e ${UNHEALTHY} exited 1`);
    expect(Object.keys(failed.timings.seconds).sort()).toEqual(['reboot', 'rollback', 'total', 'update']);
    // The hosts themselves, read without Ansible.
    expect(status(h1)).toMatchObject({ booted: 2, default: 2 });
    expect(hasFakeHello(h1)).toBe(true);
    expect(status(h2)).toMatchObject({ booted: 1, default: 1 });
    expect(hasFakeHello(h2)).toBe(false);
    expect(snapshotNumbers(h3)).toEqual([1]);
    expect(status(h3)).toMatchObject({ booted: 1, default: 1 });
    const table = readFileSync(join(report, 'report.txt'), 'utf8').split('\n');
    expect(table[0]).toMatch(/^HOST +OUTCOME +BEFORE +NEW +AFTER +SECONDS +FAILED STEP: ERROR$/);
    expect(table.slice(1, 4).map((l) => l.split(/ +/).slice(0, 5))).toEqual([
      [h1, 'updated', '#1', '#2', '#2'],
      [h2, 'rolled-back', '#1', '#2', '#1'],
      [h3, 'not-started', '-', '-', '-'],
    ]);
    expect(table[2]).toMatch(new RegExp(`health-check: sh -c test ! -e ${UNHEALTHY} exited 1$`));
  }, 600_000);

  it('finishes the rollout once the host is healthy, and a second run changes nothing', () => {
    expect(onHost(h2, `rm ${UNHEALTHY}`).code).toBe(0);
    const report = join(state, 'report-2');
    const run = playbook('host_update', { fleet_update_action: ACTION, fleet_report_dir: report, ...HEALTH });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({
      [h1]: recapLine(30, 0, 0, 0, 10, 0, 0),
      [h2]: recapLine(38, 2, 0, 0, 2, 0, 0),
      [h3]: recapLine(38, 2, 0, 0, 2, 0, 0),
    });
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.hosts.map((h) => [h.host, h.outcome, h.snapshots])).toEqual([
      [h1, 'unchanged', { before: { booted: 2, default: 2 }, new: null, after: { booted: 2, default: 2 } }],
      // The failed attempt's snapshot #2 stays on host 2 (not default); this update is #3.
      [h2, 'updated', { before: { booted: 1, default: 1 }, new: 3, after: { booted: 3, default: 3 } }],
      [h3, 'updated', { before: { booted: 1, default: 1 }, new: 2, after: { booted: 2, default: 2 } }],
    ]);
    const before = hosts.map(snapshotNumbers);

    const again = playbook('host_update', {
      fleet_update_action: ACTION,
      fleet_report_dir: join(state, 'report-3'),
      ...HEALTH,
    });
    expect(again.code, again.out).toBe(0);
    expect(again.recap).toEqual({
      [h1]: recapLine(30, 0, 0, 0, 10, 0, 0),
      [h2]: recapLine(28, 0, 0, 0, 10, 0, 0),
      [h3]: recapLine(28, 0, 0, 0, 10, 0, 0),
    });
    expect((readJson(join(state, 'report-3', 'report.json')) as UpdateReport).hosts.map((h) => h.outcome)).toEqual([
      'unchanged',
      'unchanged',
      'unchanged',
    ]);
    expect(hosts.map(snapshotNumbers)).toEqual(before);
  }, 600_000);

  it('refuses, in the pre-check, a host with a transaction running, and changes no host', () => {
    // The transactional-update stand-in holds its snapshot open while this knob exists.
    // Read before the transaction opens its snapshot (discarded again when it fails).
    const before = hosts.map(snapshotNumbers);
    const transaction = holdTransaction(h3, before[2]!);
    const report = join(state, 'report-4');
    let run!: Play;
    try {
      expect(transaction).not.toBe(null);
      run = playbook('host_update', { fleet_update_action: 'up', fleet_report_dir: report, ...HEALTH });
    } finally {
      releaseTransaction(h3);
    }
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({
      [h1]: recapLine(10, 0, 0, 0, 0, 0, 0),
      [h2]: recapLine(9, 0, 0, 0, 0, 0, 0),
      [h3]: recapLine(13, 0, 0, 1, 0, 1, 0),
    });
    const refusal = `refused: a transaction is running (PID ${transaction!.pid}: ${transaction!.command}); wait for it, or set fleet_allow_running_transaction`;
    expect(run.out).toContain(`fatal: [${h3}]: FAILED! => {"changed": false, "msg": ${JSON.stringify(refusal)}}`);
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.hosts.map((h) => [h.host, h.outcome])).toEqual([
      [h1, 'not-started'],
      [h2, 'not-started'],
      [h3, 'refused'],
    ]);
    expect(r.hosts[2]!.failedStep).toBe('pre-check');
    expect(r.hosts[2]!.error).toBe(refusal);
    expect(hosts.map(snapshotNumbers)).toEqual(before);
    expect(status(h3).transaction).toBe(null);
  }, 600_000);

  it('refuses, in the pre-check, a host with a reboot pending, and changes no host', () => {
    // The canary booted #2; making #1 the default again leaves a reboot pending.
    const rollback = onHost(h1, 'on-fake-microos toolbox run -- host-update rollback 1 --json');
    expect(JSON.parse(rollback.stdout)).toEqual({
      ok: true,
      result: 'rollback',
      default: 1,
      booted: 2,
      rebootNeeded: true,
    });
    const before = hosts.map(snapshotNumbers);
    const report = join(state, 'report-5');
    const run = playbook('host_update', { fleet_update_action: ACTION, fleet_report_dir: report, ...HEALTH });
    const restore = onHost(h1, 'on-fake-microos toolbox run -- host-update rollback 2 --json');
    expect(JSON.parse(restore.stdout)).toEqual({
      ok: true,
      result: 'rollback',
      default: 2,
      booted: 2,
      rebootNeeded: false,
    });
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({
      [h1]: recapLine(15, 0, 0, 1, 0, 1, 0),
      [h2]: recapLine(9, 0, 0, 0, 0, 0, 0),
      [h3]: recapLine(9, 0, 0, 0, 0, 0, 0),
    });
    const refusal =
      'refused: a reboot is pending (booted #2, default #1); reboot or roll back first, or set fleet_allow_pending_reboot';
    expect(run.out).toContain(`fatal: [${h1}]: FAILED! => {"changed": false, "msg": ${JSON.stringify(refusal)}}`);
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.hosts.map((h) => [h.host, h.outcome, h.error])).toEqual([
      [h1, 'refused', refusal],
      [h2, 'not-started', undefined],
      [h3, 'not-started', undefined],
    ]);
    expect(hosts.map(snapshotNumbers)).toEqual(before);
  }, 600_000);
});

// The branches the cases above do not reach, on the same fleet: check mode (with both pre-check
// overrides), a collect past its deadline, the URL health check healthy and unhealthy, batches of
// two that may fail by half, a host that never comes back from its reboot, and report.html.
describe('fleet: check mode, every branch, the HTML report', () => {
  const REMOVE = 'pkg remove fake-hello';
  const HEALTH_URL = 'http://127.0.0.1:8099/healthz';
  // A screenshot the lead looks at: kept after the run, at a stable path.
  const SCREENSHOT = '/tmp/toolbox-fleet-report.png';

  /** an HTTP health endpoint on a host, as a unit that comes back after a reboot */
  function serveHealth(host: string): void {
    const unit = [
      '[Unit]',
      'Description=Health URL of the fleet tests',
      '[Service]',
      'ExecStart=/usr/bin/python3 -m http.server 8099 --bind 127.0.0.1 --directory /srv/fleet-health',
      '[Install]',
      'WantedBy=multi-user.target',
    ].join('\n');
    const r = onHost(
      host,
      `mkdir -p /srv/fleet-health && echo ok > /srv/fleet-health/healthz && printf '%s\\n' '${unit}' > /etc/systemd/system/fleet-test-health.service && systemctl daemon-reload && systemctl enable --now --quiet fleet-test-health.service`,
    );
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }

  function screenshot(html: string, png: string): Buffer {
    rmSync(png, { force: true });
    const r = spawnSync(
      'chromium',
      [
        '--headless',
        '--no-sandbox',
        `--user-data-dir=${join(state, 'chromium')}`,
        `--screenshot=${png}`,
        '--window-size=1200,800',
        `file://${html}`,
      ],
      { encoding: 'utf8', env: { PATH: process.env.PATH, HOME: state }, timeout: 120_000, killSignal: 'SIGKILL' },
    );
    expect(r.status, r.stderr).toBe(0);
    return readFileSync(png);
  }

  it('check mode: pre-checks every host, says what it would do, and changes nothing; the two overrides pass a pending reboot and a running transaction', () => {
    // Host 1 with a reboot pending (default #1, booted #2), host 3 with a transaction running.
    const pending = onHost(h1, 'on-fake-microos toolbox run -- host-update rollback 1 --json');
    expect(JSON.parse(pending.stdout)).toMatchObject({ default: 1, booted: 2, rebootNeeded: true });
    const transaction = holdTransaction(h3, snapshotNumbers(h3));
    const before = hosts.map(snapshotNumbers);
    const logs = hosts.map(tuLog);
    const refusedReport = join(state, 'report-check-refused');
    const report = join(state, 'report-check');
    let refused!: Play;
    let run!: Play;
    try {
      expect(transaction).not.toBe(null);
      refused = playbook(
        'host_update',
        { fleet_update_action: REMOVE, fleet_report_dir: refusedReport, ...HEALTH },
        'check-mode-refused',
        ['--check'],
      );
      run = playbook(
        'host_update',
        {
          fleet_update_action: REMOVE,
          fleet_report_dir: report,
          fleet_allow_running_transaction: true,
          fleet_allow_pending_reboot: true,
          ...HEALTH,
        },
        'check-mode',
        ['--check'],
      );
      // Nothing changed on any host: the same snapshots, nothing more in transactional-update's log.
      expect(hosts.map(snapshotNumbers)).toEqual(before);
      expect(hosts.map(tuLog)).toEqual(logs);
    } finally {
      releaseTransaction(h3);
      const restore = onHost(h1, 'on-fake-microos toolbox run -- host-update rollback 2 --json');
      expect(JSON.parse(restore.stdout)).toMatchObject({ default: 2, booted: 2, rebootNeeded: false });
    }
    if (transcripts)
      for (const f of ['report.txt', 'report.json'])
        writeFileSync(join(transcripts, `check-mode.${f}`), readFileSync(join(report, f)));
    for (const h of hosts) expect(hasFakeHello(h)).toBe(true);

    // Without the overrides, check mode refuses as a real run does.
    expect(refused.code, refused.out).toBe(2);
    const refusal = `refused: a transaction is running (PID ${transaction!.pid}: ${transaction!.command}); wait for it, or set fleet_allow_running_transaction`;
    expect(refused.out).toContain(`fatal: [${h3}]: FAILED! => {"changed": false, "msg": ${JSON.stringify(refusal)}}`);
    const rr = readJson(join(refusedReport, 'report.json')) as UpdateReport;
    expect(rr.check).toBe(true);
    const pendingRefusal =
      'refused: a reboot is pending (booted #2, default #1); reboot or roll back first, or set fleet_allow_pending_reboot';
    expect(refused.out).toContain(
      `fatal: [${h1}]: FAILED! => {"changed": false, "msg": ${JSON.stringify(pendingRefusal)}}`,
    );
    expect(refused.recap).toEqual({
      [h1]: recapLine(15, 0, 0, 1, 0, 1, 0),
      [h2]: recapLine(9, 0, 0, 0, 0, 0, 0),
      [h3]: recapLine(11, 0, 0, 1, 0, 1, 0),
    });
    // The pre-check block (and its rescue) runs on every host before any_errors_fatal ends the
    // play: both hosts are refused, each for its own reason.
    expect(rr.hosts.map((h) => [h.host, h.outcome, h.error])).toEqual([
      [h1, 'refused', pendingRefusal],
      [h2, 'not-started', undefined],
      [h3, 'refused', refusal],
    ]);

    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({
      [h1]: recapLine(29, 0, 0, 0, 0, 0, 0),
      [h2]: recapLine(27, 0, 0, 0, 0, 0, 0),
      [h3]: recapLine(27, 0, 0, 0, 0, 0, 0),
    });
    expect(run.out).not.toMatch(/^changed: /m);
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.check).toBe(true);
    expect(r.action).toBe(REMOVE);
    const plan = (booted: number, deflt: number, extra = '') =>
      `would run host-update ${REMOVE} on top of the booted snapshot #${booted} (default #${deflt})${extra}; if it makes a new snapshot: reboot into it, check that it booted, health check sh -c test ! -e ${UNHEALTHY}; on failure roll back to #${booted}`;
    expect(r.hosts.map((h) => [h.host, h.outcome, h.snapshots, h.failedStep, h.error, h.plan])).toEqual([
      [
        h1,
        'would-update',
        { before: { booted: 2, default: 1 }, new: null, after: { booted: 2, default: 1 } },
        null,
        null,
        plan(2, 1),
      ],
      [
        h2,
        'would-update',
        { before: { booted: 3, default: 3 }, new: null, after: { booted: 3, default: 3 } },
        null,
        null,
        plan(3, 3),
      ],
      [
        h3,
        'would-update',
        { before: { booted: 2, default: 2 }, new: null, after: { booted: 2, default: 2 } },
        null,
        null,
        plan(2, 2, '; a transaction is running'),
      ],
    ]);
    for (const h of [h1, h2, h3])
      expect(run.out).toContain(`ok: [${h}] => {\n    "msg": "would run host-update ${REMOVE}`);
    const html = readFileSync(join(report, 'report.html'), 'utf8');
    expect(html).toContain('<p class="check">Check mode (<code>--check</code>)');
    expect(html.match(/<span class="badge o-would-update">would-update<\/span><\/td>/g)).toHaveLength(3);
  }, 600_000);

  it('check mode: collect asks each host for its toolbox, and collects and fetches nothing', () => {
    const bundles = join(state, 'bundles-check');
    const run = playbook(
      'collect',
      { fleet_bundles_dir: bundles, fleet_collect_profiles: ['basic'] },
      'collect-check',
      ['--check'],
    );
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({
      [h1]: recapLine(11, 0, 0, 0, 11, 0, 0),
      [h2]: recapLine(5, 0, 0, 0, 11, 0, 0),
      [h3]: recapLine(5, 0, 0, 0, 11, 0, 0),
    });
    expect(run.out).not.toMatch(/^changed: /m);
    const summary = readJson(join(bundles, 'summary.json')) as CollectSummary & {
      check: boolean;
      wouldCollect: string[];
      hosts: { plan?: string; toolbox?: string }[];
    };
    expect(summary.check).toBe(true);
    expect(summary.wouldCollect).toEqual(hosts);
    expect([summary.ok, summary.failed, summary.unreachable]).toEqual([[], [], []]);
    const version = sh(TOOLBOX_EXE, ['--version']).stdout.trim();
    for (const h of summary.hosts) {
      expect([h.status, h.error, h.toolbox]).toEqual(['would-collect', null, version]);
      expect(h.plan).toBe(
        `would run /usr/local/sbin/on-fake-microos toolbox collect --json --out /var/tmp --timeout 30 --profile=basic, fetch the bundle to ${bundles}/${h.host}/ and verify it`,
      );
      expect(onHost(h.host, 'ls /var/tmp | grep -c toolbox-collect || true').stdout).toBe('0\n');
    }
    expect(readdirSync(bundles).sort()).toEqual(['summary.json', 'summary.txt']);
    const table = readFileSync(join(bundles, 'summary.txt'), 'utf8').split('\n');
    expect(table[4]).toBe('check mode, nothing collected: 3 would collect, 0 ok, 0 failed, 0 unreachable');
  }, 600_000);

  it('records a host whose collect passes the deadline as timed-out, and the others still give their bundles', () => {
    // Host 3's toolbox takes ten minutes to start: its host_vars beat the inventory's group vars.
    // The deadline leaves the others time to collect on a loaded machine. async_wrapper kills the
    // slow one at the deadline and answers "Timeout exceeded" (which the role once missed).
    const slow = join(state, 'host_vars', `${h3}.yml`);
    mkdirSync(join(state, 'host_vars'), { recursive: true });
    writeFileSync(
      slow,
      JSON.stringify({
        fleet_toolbox_command: ['sh', '-c', 'sleep 600; exec "$0" "$@"', '/usr/local/sbin/on-fake-microos', 'toolbox'],
      }),
    );
    const bundles = join(state, 'bundles-deadline');
    let run!: Play;
    try {
      run = playbook(
        'collect',
        { fleet_bundles_dir: bundles, fleet_collect_profiles: ['basic'], fleet_collect_deadline: 120 },
        'collect-deadline',
      );
    } finally {
      rmSync(slow);
    }
    expect(run.code, run.out).toBe(2);
    expect(run.out).toContain(
      `fatal: [${h3}]: FAILED! => {"changed": false, "msg": "timed-out: toolbox collect did not finish within 120 s"}`,
    );
    const summary = readJson(join(bundles, 'summary.json')) as CollectSummary;
    expect(summary.ok).toEqual([h1, h2]);
    expect(summary.failed).toEqual([h3]);
    expect(summary.unreachable).toEqual([]);
    expect(summary.hosts.map((h) => [h.host, h.status, h.error])).toEqual([
      [h1, 'ok', null],
      [h2, 'ok', null],
      [h3, 'timed-out', 'toolbox collect did not finish within 120 s'],
    ]);
    expect(readdirSync(bundles).sort()).toEqual([h1, h2, 'summary.json', 'summary.txt'].sort());
    const table = readFileSync(join(bundles, 'summary.txt'), 'utf8').split('\n');
    expect(table[3]).toMatch(new RegExp(`^${h3} +timed-out +- +- +- +- +toolbox collect did not finish within 120 s$`));
    expect(table[4]).toBe('2 ok, 1 failed, 0 unreachable');
  }, 600_000);

  it('batches of two that may fail by half: a healthy URL, and a host lost in its reboot does not stop its batch mate', () => {
    for (const h of hosts) serveHealth(h);
    // Host 3's sshd does not start at its next boot: it goes away during its reboot.
    expect(onHost(h3, 'systemctl mask --quiet ssh.service').code).toBe(0);
    const report = join(state, 'report-batch');
    let run!: Play;
    try {
      run = playbook(
        'host_update',
        {
          fleet_update_action: REMOVE,
          fleet_report_dir: report,
          fleet_batch_size: 2,
          fleet_max_fail_percentage: 50,
          fleet_health_url: HEALTH_URL,
          fleet_health_retries: 5,
          fleet_health_delay: 2,
          fleet_reboot_timeout: 60,
        },
        'batch-unreachable',
      );
    } finally {
      expect(onHost(h3, 'systemctl unmask --quiet ssh.service && systemctl start ssh.service').code).toBe(0);
      waitForSsh(h3);
    }
    if (transcripts)
      for (const f of ['report.txt', 'report.json', 'report.html'])
        writeFileSync(join(transcripts, `batch-unreachable.${f}`), readFileSync(join(report, f)));
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({
      [h1]: recapLine(40, 2, 0, 0, 2, 0, 0),
      [h2]: recapLine(38, 2, 0, 0, 2, 0, 0),
      // Lost in its reboot: failed (rescued), not dropped as unreachable; the two reads of its
      // state that could not reach it are ignored.
      [h3]: recapLine(32, 1, 0, 1, 1, 1, 2),
    });
    // Canary first, then hosts 2 and 3 together.
    const batches = run.out.split('PLAY [Roll out the update, canary first]').slice(1);
    expect(batches).toHaveLength(2);
    expect(batches[0]).toContain(`changed: [${h1}]`);
    expect(batches[0]).not.toMatch(new RegExp(`\\[(${h2}|${h3})\\]`));
    expect(batches[1]).toContain(`[${h2}]`);
    expect(batches[1]).toContain(`[${h3}]`);
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    // The reboot module's last try to reach host 3 is its error.
    const lost =
      /^Failed to connect to the host via ssh: ssh: connect to host 127\.0\.0\.1 port \d+: Connection refused$/;
    expect(r.hosts.map((h) => [h.host, h.outcome, h.failedStep, h.error])).toEqual([
      [h1, 'updated', null, null],
      [h2, 'updated', null, null],
      [h3, 'rollback-failed', 'reboot', expect.stringMatching(lost)],
    ]);
    expect(r.hosts[0]!.snapshots).toEqual({
      before: { booted: 2, default: 2 },
      new: 3,
      after: { booted: 3, default: 3 },
    });
    expect(r.hosts[1]!.snapshots).toEqual({
      before: { booted: 3, default: 3 },
      new: 4,
      after: { booted: 4, default: 4 },
    });
    expect(r.hosts[2]!.snapshots).toEqual({ before: { booted: 2, default: 2 }, new: 3, after: null });
    // The timeline: each host's steps in order, host 2 and host 3 at the same time.
    expect(r.hosts.map((h) => h.timeline.map((e) => e.step))).toEqual([
      ['status', 'update', 'reboot', 'verify-boot', 'health-check', 'end'],
      ['status', 'update', 'reboot', 'verify-boot', 'health-check', 'end'],
      ['status', 'update', 'reboot', 'end'],
    ]);
    for (const h of r.hosts) {
      const t = h.timeline.map((e) => e.t);
      expect(t).toEqual([...t].sort((a, b) => a - b));
      for (const e of h.timeline) expect(e.at).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    }
    // Hosts 2 and 3 after the canary's end, and at the same time: each starts before the other
    // ends. (Each host reads its own clock, so their first entries may differ by a moment.)
    const [, second, third] = r.hosts.map((h) => ({ start: h.timeline[0]!.t, end: h.timeline.at(-1)!.t }));
    for (const h of [second!, third!]) expect(h.start).toBeGreaterThanOrEqual(r.hosts[0]!.timeline.at(-1)!.t);
    expect(second!.start).toBeLessThanOrEqual(third!.end);
    expect(third!.start).toBeLessThanOrEqual(second!.end);
    // The hosts themselves: host 3 did boot the new snapshot, Ansible just could not see it.
    expect(status(h1)).toMatchObject({ booted: 3, default: 3 });
    expect(status(h2)).toMatchObject({ booted: 4, default: 4 });
    expect(status(h3)).toMatchObject({ booted: 3, default: 3 });
    for (const h of hosts) expect(hasFakeHello(h)).toBe(false);

    // report.html: the table and the timeline, self-contained, rendered by a real browser.
    const html = readFileSync(join(report, 'report.html'), 'utf8');
    expect(html).toMatch(/^<!DOCTYPE html>\n/);
    for (const [h, o] of [
      [h1, 'updated'],
      [h2, 'updated'],
      [h3, 'rollback-failed'],
    ])
      expect(html).toContain(`<td class="host">${h}</td>\n<td><span class="badge o-${o}">${o}</span></td>`);
    expect(html).toContain(`<td class="err">${r.hosts[2]!.error}</td>`);
    expect(html.match(/<div class="bar s-reboot"/g)).toHaveLength(3);
    expect(html.match(/<div class="bar s-health-check"/g)).toHaveLength(2);
    expect(html).not.toMatch(/\b(src|href|url)\s*[=(]/i);
    expect(html).not.toMatch(/<script/i);
    const png = screenshot(join(report, 'report.html'), SCREENSHOT);
    expect(png.subarray(0, 8).toString('hex')).toBe('89504e470d0a1a0a');
    // 1200x800 (IHDR), and more than a blank page's few kilobytes.
    expect([png.readUInt32BE(16), png.readUInt32BE(20)]).toEqual([1200, 800]);
    expect(png.length).toBeGreaterThan(30_000);
  }, 900_000);

  it('rolls back a host whose health URL does not answer 200', () => {
    expect(onHost(h2, 'rm /srv/fleet-health/healthz').code).toBe(0);
    const report = join(state, 'report-url');
    const run = playbook(
      'host_update',
      {
        fleet_update_action: ACTION,
        fleet_hosts: h2,
        fleet_report_dir: report,
        fleet_health_url: HEALTH_URL,
        fleet_health_retries: 1,
        fleet_health_delay: 1,
      },
      'url-unhealthy',
    );
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({ [h2]: recapLine(53, 4, 0, 1, 3, 1, 0) });
    expect(run.out).toContain(
      `fatal: [${h2}]: FAILED! => {"changed": false, "msg": "health-check failed: Status code was 404 and not [200]: HTTP Error 404: File not found; host rolled-back"}`,
    );
    const r = readJson(join(report, 'report.json')) as UpdateReport;
    expect(r.hosts.map((h) => [h.host, h.outcome, h.failedStep, h.error, h.snapshots])).toEqual([
      [
        h2,
        'rolled-back',
        'health-check',
        'Status code was 404 and not [200]: HTTP Error 404: File not found',
        { before: { booted: 4, default: 4 }, new: 5, after: { booted: 4, default: 4 } },
      ],
    ]);
    expect(status(h2)).toMatchObject({ booted: 4, default: 4 });
    expect(hasFakeHello(h2)).toBe(false);
  }, 600_000);

  it('report.html escapes every string from the hosts and the inventory', () => {
    const hostile = '<img src=x onerror=alert(1)> & "q" \'a\'';
    const vars = join(state, 'hostile.json');
    writeFileSync(
      vars,
      JSON.stringify({
        fleet_update_report: {
          format: 'toolbox-fleet-host-update/1',
          action: `pkg install ${hostile}`,
          check: false,
          hosts: [
            {
              host: `<b>${hostile}</b>`,
              outcome: 'failed',
              failedStep: 'update',
              error: hostile,
              snapshots: { before: { booted: 1, default: 1 }, new: null, after: null },
              timeline: [
                { step: 'status', t: 1000, at: hostile },
                { step: '"><script>', t: 1001, at: hostile },
                { step: 'end', t: 1002, at: hostile },
              ],
              timings: { startedAt: hostile, finishedAt: hostile, seconds: { total: 2 } },
            },
          ],
        },
      }),
    );
    const out = join(state, 'hostile.html');
    const r = sh('ansible', [
      'localhost',
      '-c',
      'local',
      '-m',
      'ansible.builtin.template',
      '-a',
      `src=${join(ROOT, 'ansible/roles/host_update/templates/report.html.j2')} dest=${out} mode=0600`,
      '-e',
      `@${vars}`,
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const html = readFileSync(out, 'utf8');
    expect(html).not.toContain('<img');
    expect(html).not.toContain('<script');
    expect(html).not.toContain('<b>');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt; &amp; &#34;q&#34; &#39;a&#39;');
    expect(html).toContain('class="bar s-&#34;&gt;&lt;script&gt;"');
  });
});
