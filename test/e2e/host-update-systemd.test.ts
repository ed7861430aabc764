// host-update against a fake MicroOS host whose init is systemd: transactional-update runs as a
// transient unit, its journal is followed, it survives the toolbox stopping, and `attach`
// follows it again. The host is a privileged podman container booting the read-only default
// btrfs snapshot (make-fake-host.sh --systemd); the toolbox nsenters into its systemd.
import { spawn, spawnSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { snapperList, startFakeHost, type FakeHost } from '../fixtures/fake-host/fake-host.js';
import {
  cli,
  hostUpdateInBox,
  mountArgs,
  isolatedEnv,
  toolbox as runToolbox,
  type Result,
  runPrefix,
  removeContainers,
} from './helpers.js';

const ROOT = resolve(import.meta.dirname, '../..');
const IMAGE = 'localhost/toolbox-test:latest';
const PREFIX = runPrefix('hu-e2e-sd-');
const BOX = `${PREFIX}box`;
const IN_BOX = hostUpdateInBox('/opt/toolbox');
const MOUNTS = mountArgs(IN_BOX.mounts);
const HU = IN_BOX.argv;

const env = isolatedEnv();
const home = env.HOME!;

function toolbox(args: string[]): Result {
  return runToolbox(args, { env });
}

function toolboxAsync(args: string[]) {
  const child = spawn(...cli(args), { env, cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Pick<Result, 'code' | 'stdout' | 'stderr'>>((res) =>
    child.on('close', (code) => {
      res({ code, stdout, stderr });
    }),
  );
  return { done, stderr: () => stderr };
}

function hu(args: string[]): Result {
  return toolbox(['run', '-c', BOX, '--', ...HU, '--host-pid', String(host.pid), ...args]);
}

async function until(what: string, check: () => boolean): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (check()) return;
    await new Promise((res) => setTimeout(res, 100));
  }
  throw new Error(`timed out waiting for ${what}`);
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

const runningUnits = () =>
  host.sh("systemctl list-units --plain --no-legend --state=active 'host-update-*.service'").stdout.trim();

let host: FakeHost;

beforeAll(() => {
  removeContainers(PREFIX);
  host = startFakeHost(PREFIX, { systemd: true });
  const created = toolbox(['create', '-c', BOX, '-i', IMAGE, ...MOUNTS]);
  expect(created.code).toBe(0);
});

afterAll(() => {
  removeContainers(PREFIX);
  // unset when beforeAll failed before it started the host
  (host as FakeHost | undefined)?.stop();
  rmSync(home, { recursive: true, force: true });
});

describe('a host run by systemd', () => {
  it('status says so', () => {
    const r = hu(['status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      systemd: true,
      booted: 1,
      current: 1,
      default: 1,
      rebootNeeded: false,
      transaction: null,
    });
  });

  it('pkg install runs transactional-update as a transient unit and follows its journal', () => {
    const r = hu(['pkg', 'install', 'fake-hello']);
    expect(r.stdout).toBe('new snapshot #2 (from #1); reboot to activate\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(
      /^Starting host-update-\d{14}-\d+\.service - host-update: transactional-update -n --no-selfupdate --drop-if-no-change pkg install fake-hello\.\.\.\n/,
    );
    expect(r.stderr).toContain('Using snapshot 1 as base for new snapshot 2.\n');
    expect(r.stderr).toContain('New default snapshot is #2 (/.snapshots/2/snapshot).\n');
    expect(snapperList(host).find((s) => s.default)?.number).toBe(2);
    // --collect: the finished unit is gone; its lines stay in the journal.
    expect(host.sh("systemctl list-units --all --plain --no-legend 'host-update-*'").stdout).toBe('');
    expect(host.sh("journalctl -t transactional-update -o cat | grep '^New default'").stdout).toBe(
      'New default snapshot is #2 (/.snapshots/2/snapshot).\n',
    );
  });

  it('log reads the journal', () => {
    const r = hu(['log', '--lines', '2']);
    expect(r.code).toBe(0);
    const lines = r.stdout.trimEnd().split('\n');
    expect(lines).toHaveLength(2);
    expect(lines[0]).toMatch(
      / fake-microos transactional-update\[\d+\]: New default snapshot is #2 \(\/\.snapshots\/2\/snapshot\)\.$/,
    );
    expect(lines[1]).toMatch(
      / fake-microos transactional-update\[\d+\]: Please reboot your machine to activate the changes and avoid data loss\.$/,
    );
  });

  it('a zypper failure in the unit: problem, discarded snapshot, exit 1', () => {
    const r = hu(['pkg', 'install', 'fake-broken']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      'Problem: nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch\n',
    );
    expect(lastLine(r.stderr)).toBe(
      'Error: zypper failed (exit code 4): nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch; snapshot #3 was discarded. Hint: resolve the problem (a missing package, dependency or repository), then retry; the host is unchanged',
    );
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2]);
  });

  it('the transaction survives the toolbox stopping, and attach follows it to its outcome', async () => {
    // Hold the stand-in with its snapshot open, so there is time to stop the toolbox.
    host.sh('mkdir -p /run/fake-transactional-update && touch /run/fake-transactional-update/hold');
    try {
      const first = toolboxAsync([
        'run',
        '-c',
        BOX,
        '--',
        ...HU,
        '--host-pid',
        String(host.pid),
        'pkg',
        'install',
        'fake-hello',
      ]);
      await until(
        'the unit to start',
        () => runningUnits() !== '' && host.sh('test -e /var/run/transactional-update.pid').code === 0,
      );
      const unit = runningUnits().split(/\s+/)[0]!;
      // podman 4.3 may report the stop as failed ("active exec sessions") although the
      // container stops; what matters here is that it is stopped and the unit is not.
      toolbox(['stop', '--force', BOX]);
      await first.done;
      const state = spawnSync('podman', ['container', 'inspect', '--format', '{{.State.Running}}', BOX], {
        encoding: 'utf8',
      });
      expect(state.stdout).toBe('false\n');
      expect(host.sh(`systemctl is-active ${unit}`).stdout).toBe('active\n');

      const attach = toolboxAsync(['run', '-c', BOX, '--', ...HU, '--host-pid', String(host.pid), 'attach']);
      await until('attach to follow the unit', () => attach.stderr().includes(`attached to ${unit}\n`));
      host.sh('rm -f /run/fake-transactional-update/hold');
      const r = await attach.done;
      expect(r.stdout).toBe('new snapshot #3 (from #1); reboot to activate\n');
      expect(r.code).toBe(0);
      expect(r.stderr).toContain('New default snapshot is #3 (/.snapshots/3/snapshot).\n');
    } finally {
      host.sh('rm -f /run/fake-transactional-update/hold');
    }
    expect(snapperList(host).find((s) => s.default)?.number).toBe(3);
  });

  it('attach with nothing running says so', () => {
    const r = hu(['attach']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "Error: nothing to attach to: no host-update transaction is running. Hint: 'host-update status' shows the snapshots; 'host-update log' the last run\n",
    );
    expect(r.code).toBe(1);
  });

  it('reboot asks systemd to reboot the host', async () => {
    const r = hu(['reboot']);
    expect(r.stdout).toBe('rebooting the host\n');
    expect(r.code).toBe(0);
    // The fake host's systemd leaves the running state for the reboot.
    await until(
      'the host to go down',
      () => !/^(running|degraded)$/.test(host.sh('systemctl is-system-running').stdout.trim()),
    );
  });
});
