// host-update end to end: the built bin runs inside a real rootful toolbox (made by the built
// CLI) and drives a fake MicroOS host: a btrfs loop image with snapper, a read-only snapshot as
// its root, real zypper with a signed repo, and a transactional-update test stand-in.
import { spawn, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdtempSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { labelsFor } from '../../src/core/box/labels.js';
import type { BoxSpec } from '../../src/core/ports.js';
import { createArgs } from '../../src/engine/create-args.js';
import { podman as podmanQuirks } from '../../src/engine/engines/podman.js';
import { snapperList, startFakeHost, type FakeHost } from '../fixtures/fake-host/fake-host.js';
import { Tmux } from './support/tmux.js';
import {
  CLI_FORM,
  hostUpdateInBox,
  isolatedEnv,
  mountArgs,
  PACKAGE_VERSION,
  podman,
  RUN_LABEL_KEY,
  RUN_TAG,
  SEA,
  parseJson,
  toolbox as runToolbox,
  type Result,
  runPrefix,
  removeContainers,
  ROOT,
  waitFor,
} from './helpers.js';

const IMAGE = 'localhost/toolbox-test:latest';
const P = runPrefix('hu-e2e-');
const BOX = `${P}box`;
const SANDBOX = `${P}sbox`;
// host-update is the executable toolbox mounts into every toolbox (in the npm form, this checkout
// mounted in, run on the machine's node, mounted in too: same glibc).
const IN_BOX = hostUpdateInBox('/opt/toolbox');
const MOUNTS = mountArgs(IN_BOX.mounts);
const HU = IN_BOX.argv;
const ROOTFUL_HINT = "Hint: use a rootful toolbox: 'toolbox -r' (or run toolbox as root), without --sandbox";
const NOT_TRANSACTIONAL =
  'Error: this host is not transactional (it has no transactional-update). Hint: host-update drives transactional-update on hosts like openSUSE MicroOS; update this host with its own package manager';

const env = isolatedEnv();
const home = env.HOME!;

function toolbox(args: string[]): Result {
  return runToolbox(args, { env });
}

/** host-update in the toolbox, through `toolbox run` as an admin would type it. */
function hu(args: string[], box = BOX): Result {
  return toolbox(['run', '-c', box, '--', ...HU, ...args]);
}

function lastLine(text: string): string {
  return text.trimEnd().split('\n').pop() ?? '';
}

/** host-update status --json, the parts read one by one here */
interface HostStatus {
  snapshots: { number: number }[];
  transaction: { pid: number; command: string } | null;
}
const statusJson = (text: string) => parseJson(text, 'host-update status --json') as HostStatus;

let host: FakeHost;
let plain: FakeHost;
const pid = () => String(host.pid);

beforeAll(() => {
  removeContainers(P);
  host = startFakeHost(P);
  plain = startFakeHost(`${P}plain-`, { plain: true });
  const created = toolbox(['create', '-c', BOX, '-i', IMAGE, ...MOUNTS]);
  expect(created.stderr).toBe('');
  expect(created.code).toBe(0);
  const sandbox = toolbox(['create', '-c', SANDBOX, '-S', '-i', IMAGE, ...MOUNTS]);
  expect(sandbox.code).toBe(0);
});

afterAll(() => {
  removeContainers(P);
  // unset when beforeAll failed before it started them
  (host as FakeHost | undefined)?.stop();
  (plain as FakeHost | undefined)?.stop();
  rmSync(home, { recursive: true, force: true });
});

/** The first seven lines of `status` on a fresh fake host: booted on #1, nothing pending. */
function expectFreshHost(lines: string[]): void {
  expect(lines.slice(0, 6)).toEqual([
    'booted snapshot:   #1',
    'current snapshot:  #1',
    'default snapshot:  #1 (next boot)',
    'reboot needed:     no',
    'transaction:       none running',
    'snapshots:',
  ]);
  expect(lines[6]).toMatch(
    /^ {2}#1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}first root filesystem {2}\[booted, default\]$/,
  );
}

describe('host-update status', () => {
  it('shows the booted, current and default snapshots of a fresh host', () => {
    const r = hu(['--host-pid', pid(), 'status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expectFreshHost(lines);
    expect(lines.slice(7)).toEqual(['']);
  });

  it('gives the same as JSON, also through TOOLBOX_HOST_PID', () => {
    const r = toolbox(['run', '-c', BOX, '--', 'env', `TOOLBOX_HOST_PID=${pid()}`, ...HU, 'status', '--json']);
    expect(r.code).toBe(0);
    const s = statusJson(r.stdout);
    expect(s).toMatchObject({
      host: { pid: host.pid },
      booted: 1,
      current: 1,
      default: 1,
      rebootNeeded: false,
      rebootNeededFile: false,
      transaction: null,
      systemd: false,
    });
    expect(s.snapshots).toEqual([
      {
        number: 1,
        date: expect.stringMatching(/^\d{4}-/) as unknown,
        description: 'first root filesystem',
        default: true,
        active: true,
      },
    ]);
  });

  it('reads a host root mounted as a directory (chroot, as in a kubectl debug pod)', () => {
    const r = hu(['--host-root', `/proc/${pid()}/root`, 'status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      host: { root: `/proc/${pid()}/root` },
      booted: 1,
      default: 1,
      rebootNeeded: false,
    });
  });
});

// snapper create reserves the snapshot's number (mkdir /.snapshots/N), makes the btrfs snapshot,
// and only then writes N/info.xml. In that window `snapper list` prints "loading N failed" on
// stderr and exits 0; status once crashed there with an internal error. The window is made here
// as snapper leaves it, by hand, so that it lasts as long as the test needs: no timing involved.
describe('host-update status while snapper is creating a snapshot', () => {
  it('lists the others and shows the one being created as unreadable, as text and as JSON', () => {
    const made = host.sh(
      'mkdir /.snapshots/2 && btrfs -q subvolume snapshot / /.snapshots/2/snapshot && snapper --no-dbus list 2>&1 >/dev/null',
    );
    try {
      expect(made.code).toBe(0);
      expect(made.stdout).toBe('loading 2 failed\n');
      const r = hu(['--host-pid', pid(), 'status']);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      const lines = r.stdout.split('\n');
      expectFreshHost(lines);
      expect(lines.slice(7)).toEqual([
        '  #2  unreadable: snapper could not load it (being created, or its info.xml is damaged)',
        '',
      ]);
      const j = hu(['--host-pid', pid(), 'status', '--json']);
      expect(j.code).toBe(0);
      expect(JSON.parse(j.stdout)).toMatchObject({
        booted: 1,
        default: 1,
        rebootNeeded: false,
        unreadableSnapshots: [2],
      });
      expect(statusJson(j.stdout).snapshots.map((x) => x.number)).toEqual([1]);
    } finally {
      host.sh('btrfs -q subvolume delete /.snapshots/2/snapshot; rmdir /.snapshots/2');
    }
    expect(host.sh('ls /.snapshots').stdout).toBe('1\n');
  });

  it('a snapshot list snapper cannot give at all: one error line, exit 1, and the error object with --json', () => {
    // No snapper config, as on a host where it was removed: snapper fails with its own reason.
    const hidden = host.sh('mkdir -p /run/hu-e2e-noconfig && mount --bind /run/hu-e2e-noconfig /etc/snapper/configs');
    try {
      expect(hidden.code).toBe(0);
      const message = "cannot list the host's snapshots: Config 'root' not found.";
      const hint = "check 'snapper list' on the host";
      const r = hu(['--host-pid', pid(), 'status']);
      expect([r.code, r.stdout, r.stderr]).toEqual([1, '', `Error: ${message} Hint: ${hint}\n`]);
      const j = hu(['--host-pid', pid(), 'status', '--json']);
      expect(j.code).toBe(1);
      expect(JSON.parse(j.stdout)).toEqual({ ok: false, result: 'failed', error: message, hint });
    } finally {
      host.sh('umount /etc/snapper/configs; rmdir /run/hu-e2e-noconfig');
    }
    expect(hu(['--host-pid', pid(), 'status']).code).toBe(0);
  });
});

describe('host-update pkg install', () => {
  it('makes a new default snapshot holding the package and says to reboot', () => {
    const r = hu(['--host-pid', pid(), 'pkg', 'install', 'fake-hello']);
    expect(r.stdout).toBe('new snapshot #2 (from #1); reboot to activate\n');
    expect(r.code).toBe(0);
    // transactional-update's and zypper's own lines are progress, on stderr.
    expect(r.stderr).toContain('Using snapshot 1 as base for new snapshot 2.\n');
    expect(r.stderr).toContain('(1/1) Installing: fake-hello-1.0-1.noarch');
    expect(r.stderr).toContain('New default snapshot is #2 (/.snapshots/2/snapshot).\n');
    // Checked on the host itself, not through host-update:
    expect(snapperList(host)).toEqual([
      { number: 1, default: false, active: true },
      { number: 2, default: true, active: false },
    ]);
    expect(
      host.sh(
        'cat /.snapshots/2/snapshot/usr/share/fake-hello/README; test -e /usr/share/fake-hello && echo live; test -e /run/reboot-needed && echo reboot-needed',
      ).stdout,
    ).toBe('fake-hello\nreboot-needed\n');
  });

  it('then status says a reboot is needed', () => {
    const r = hu(['--host-pid', pid(), 'status', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({
      booted: 1,
      current: 1,
      default: 2,
      rebootNeeded: true,
      rebootNeededFile: true,
    });
    expect(hu(['--host-pid', pid(), 'status']).stdout).toContain('reboot needed:     yes (boot #2 to activate it)\n');
  });

  it('refuses an option disguised as a package name (exit 2)', () => {
    const r = hu(['--host-pid', pid(), 'pkg', 'install', '--', '--from=evil']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('Error: not a package name: --from=evil. Hint: package names cannot start with "-"\n');
    expect(r.code).toBe(2);
  });
});

describe('nothing to do', () => {
  it('up with nothing to update discards the snapshot and keeps the default', () => {
    const r = hu(['--host-pid', pid(), 'up']);
    expect(r.stdout).toBe('nothing changed; snapshot discarded\n');
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('zypper: nothing to update\nRemoving snapshot #3...\n');
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2]);
  });

  it('reports it as JSON', () => {
    const r = hu(['--host-pid', pid(), 'patch', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, result: 'unchanged', discarded: 3, default: 2 });
  });
});

describe('a zypper failure', () => {
  it('shows the problem, confirms the snapshot was discarded, and exits 1', () => {
    const r = hu(['--host-pid', pid(), 'pkg', 'install', 'fake-broken']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(
      '\nProblem: nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch\n',
    );
    expect(lastLine(r.stderr)).toBe(
      'Error: zypper failed (exit code 4): nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch; snapshot #3 was discarded. Hint: resolve the problem (a missing package, dependency or repository), then retry; the host is unchanged',
    );
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2]);
    expect(snapperList(host).find((s) => s.default)?.number).toBe(2);
  });

  it('gives the failure as JSON on stdout too', () => {
    const r = hu(['--host-pid', pid(), 'pkg', 'install', 'fake-broken', '--json']);
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      result: 'failed',
      error:
        'zypper failed (exit code 4): nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch; snapshot #3 was discarded',
      hint: 'resolve the problem (a missing package, dependency or repository), then retry; the host is unchanged',
      snapshot: 3,
      discarded: true,
      problems: ['nothing provides fake-missing-dependency needed by fake-broken-1.0-1.noarch'],
      exitCode: 1,
    });
  });
});

describe('exit code 0 is not trusted', () => {
  it('reports a failure when the new snapshot did not become the default', () => {
    // The stand-in then behaves like transactional-update when closing the snapshot fails.
    host.sh('mkdir -p /run/fake-transactional-update && touch /run/fake-transactional-update/fail-set-default');
    try {
      const r = hu(['--host-pid', pid(), 'pkg', 'install', 'fake-hello']);
      expect(r.stderr).toContain('New default snapshot is #3 (/.snapshots/3/snapshot).\n');
      expect(r.stdout).toBe('');
      expect(lastLine(r.stderr)).toBe(
        "Error: transactional-update reported new default snapshot #3, but the default snapshot is #2. Hint: the snapshot was not activated, so a reboot would not apply it; see 'host-update log' for transactional-update's full output, then retry",
      );
      expect(r.code).toBe(1);
    } finally {
      host.sh('rm -f /run/fake-transactional-update/fail-set-default');
    }
  });

  it('cleanup removes the snapshot left by that failure', () => {
    const r = hu(['--host-pid', pid(), 'cleanup']);
    expect(r.stdout).toBe('removed 1 snapshot: #3\n');
    expect(r.code).toBe(0);
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2]);
  });
});

describe('the lock', () => {
  it('names the running transaction and changes nothing', async () => {
    // A real second instance, started on the host by its admin, holding the lock.
    const holder = spawn(
      'nsenter',
      [`--target=${pid()}`, '--mount', '--', 'transactional-update', '-n', 'run', 'sleep', '600'],
      { stdio: 'ignore' },
    );
    const ended = new Promise((res) => holder.on('close', res));
    try {
      for (
        let i = 0;
        i < 100 && host.sh('cat /var/run/transactional-update.pid').stdout.trim() !== String(holder.pid);
        i++
      ) {
        await new Promise((res) => setTimeout(res, 100));
      }
      const command = '/bin/bash /usr/sbin/transactional-update -n run sleep 600';
      const r = hu(['--host-pid', pid(), 'pkg', 'install', 'fake-hello']);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `Error: another transaction is running (PID ${holder.pid}: ${command}). Hint: wait for it to finish ('host-update status' shows when it has), or follow its log with 'host-update log -f'\n`,
      );
      expect(r.code).toBe(1);
      const s = hu(['--host-pid', pid(), 'status']);
      expect(s.stdout).toContain(`transaction:       running (PID ${holder.pid}: ${command})\n`);
      expect(statusJson(hu(['--host-pid', pid(), 'status', '--json']).stdout).transaction).toEqual({
        pid: holder.pid,
        command,
      });
    } finally {
      holder.kill('SIGTERM');
      await ended;
    }
    // The holder cleaned up after itself; host-update made no snapshot of its own.
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2]);
    expect(statusJson(hu(['--host-pid', pid(), 'status', '--json']).stdout).transaction).toBe(null);
  });
});

describe('rollback', () => {
  it('to the booted snapshot: no reboot needed', () => {
    const r = hu(['--host-pid', pid(), 'rollback', '1']);
    expect(r.stdout).toBe('default snapshot is now #1, the booted one; no reboot needed\n');
    expect(r.stderr).toContain('Please reboot to finish rollback!\n');
    expect(r.code).toBe(0);
    expect(snapperList(host).find((s) => s.default)?.number).toBe(1);
  });

  it('to another snapshot: reboot to activate', () => {
    const r = hu(['--host-pid', pid(), 'rollback', '2', '--json']);
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({ ok: true, result: 'rollback', default: 2, booted: 1, rebootNeeded: true });
    expect(snapperList(host).find((s) => s.default)?.number).toBe(2);
  });

  it('last: back to the last working snapshot', () => {
    const r = hu(['--host-pid', pid(), 'rollback', 'last']);
    expect(r.stdout).toBe('default snapshot is now #1, the booted one; no reboot needed\n');
    expect(r.code).toBe(0);
  });

  it('refuses a snapshot that does not exist (exit 1) and a word that is not a number (exit 2)', () => {
    const missing = hu(['--host-pid', pid(), 'rollback', '99']);
    expect(missing.stderr).toBe("Error: the host has no snapshot #99. Hint: pick one from 'host-update status'\n");
    expect(missing.code).toBe(1);
    const word = hu(['--host-pid', pid(), 'rollback', 'yesterday']);
    expect(word.stderr).toBe(
      "Error: not a snapshot number: yesterday. Hint: give a snapshot number from 'host-update status', or 'last'\n",
    );
    expect(word.code).toBe(2);
  });
});

describe('a broken pipe during a run', () => {
  it('does not stop the transaction: it completes and the outcome is still checked', () => {
    // head exits after the first line; every later write of host-update meets a closed pipe.
    const script = `${HU.join(' ')} --host-pid ${pid()} pkg install fake-hello 2>&1 | head -n 1; echo "host-update exit: \${PIPESTATUS[0]}"`;
    const r = toolbox(['run', '-c', BOX, '--', 'bash', '-c', script]);
    expect(r.stdout).toBe('transactional-update 6.1.0 (test stand-in) started\nhost-update exit: 0\n');
    expect(r.code).toBe(0);
    const list = snapperList(host);
    expect(list.map((s) => s.number)).toEqual([1, 2, 3]);
    expect(list.find((s) => s.default)?.number).toBe(3);
    expect(
      host.sh(
        'test -e /var/run/transactional-update.pid || echo unlocked; tail -n 2 /var/log/transactional-update.log | cut -d" " -f3-',
      ).stdout,
    ).toBe(
      'unlocked\nNew default snapshot is #3 (/.snapshots/3/snapshot).\nPlease reboot your machine to activate the changes and avoid data loss.\n',
    );
  });

  it('host-update itself dying (its terminal closed) does not kill transactional-update mid-snapshot', async () => {
    // SIGHUP as when the terminal closes, sent once the snapshot is open; nobody reads the pipe after.
    const script = `${HU.join(' ')} --host-pid ${pid()} pkg install fake-hello >/tmp/hu-out 2>/tmp/hu-err & hu=$!
until grep -q 'Using snapshot' /tmp/hu-err 2>/dev/null; do sleep 0.05; done
kill -HUP $hu; wait $hu; echo "host-update exit: $?"`;
    // -n keeps the toolbox running after the session: stopping it would kill every process
    // started from it, transactional-update included (on a systemd host the unit survives that).
    const r = toolbox(['run', '-n', '-c', BOX, '--', 'bash', '-c', script]);
    expect(r.stdout).toBe('host-update exit: 129\n');
    // transactional-update runs on by itself; wait for it to release its lock.
    for (let i = 0; i < 300 && host.sh('test -e /var/run/transactional-update.pid').code === 0; i++) {
      await new Promise((res) => setTimeout(res, 100));
    }
    expect(
      host.sh(
        'test -e /var/run/transactional-update.pid || echo unlocked; tail -n 2 /var/log/transactional-update.log | cut -d" " -f3-',
      ).stdout,
    ).toBe(
      'unlocked\nNew default snapshot is #4 (/.snapshots/4/snapshot).\nPlease reboot your machine to activate the changes and avoid data loss.\n',
    );
    expect(snapperList(host).find((s) => s.default)?.number).toBe(4);
    // Closed properly: read-only, no in-progress mark left.
    expect(
      host.sh(
        'btrfs property get -ts /.snapshots/4/snapshot ro; snapper --no-dbus --csvout list --columns number,userdata | grep "^4,"',
      ).stdout,
    ).toBe('ro=true\n4,\n');
  });

  it('log prints that run from the log file', () => {
    const r = hu(['--host-pid', pid(), 'log', '--lines', '1']);
    expect(r.stdout).toMatch(
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d Please reboot your machine to activate the changes and avoid data loss\.\n$/,
    );
    expect(r.code).toBe(0);
  });
});

describe('refusals', () => {
  it('a non-transactional host: "this host is not transactional", nothing run', () => {
    for (const args of [['status'], ['pkg', 'install', 'fake-hello'], ['up', '--json']]) {
      const r = hu(['--host-pid', String(plain.pid), ...args]);
      expect(lastLine(r.stderr)).toBe(NOT_TRANSACTIONAL);
      expect(r.code).toBe(1);
    }
  });

  it('reboot on a host whose init is not systemd', () => {
    const r = hu(['--host-pid', pid(), 'reboot']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      "Error: the host's init is not systemd, so host-update cannot reboot it. Hint: reboot the host from its console or hypervisor\n",
    );
    expect(r.code).toBe(1);
  });

  it('an unprivileged (--sandbox) toolbox is told to use a rootful one', () => {
    const r = hu(['status'], SANDBOX);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: this toolbox is unprivileged (it lacks CAP_SYS_ADMIN), so it cannot enter the host. ${ROOTFUL_HINT}\n`,
    );
    expect(r.code).toBe(1);
  });

  it('a rootless toolbox (a user namespace) is told to use a rootful one', () => {
    const r = toolbox([
      'run',
      '-c',
      BOX,
      '--',
      'unshare',
      '--user',
      '--map-root-user',
      ...HU,
      '--host-pid',
      pid(),
      'pkg',
      'install',
      'fake-hello',
    ]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: this toolbox is rootless (it runs in a user namespace), so it cannot change the host. ${ROOTFUL_HINT}\n`,
    );
    expect(r.code).toBe(1);
    expect(snapperList(host).map((s) => s.number)).toEqual([1, 2, 3, 4]);
  });

  it('usage errors exit 2', () => {
    const r = hu(['--host-pid', 'one', 'status']);
    expect(r.stderr).toBe('Error: not a process ID: one. Hint: give --host-pid a positive number\n');
    expect(r.code).toBe(2);
    const u = hu(['frobnicate']);
    expect(u.stderr).toBe("Error: unknown command 'frobnicate'. Hint: run 'host-update --help' for usage\n");
    expect(u.code).toBe(2);
  });
});

// toolbox mounts its own executable into every toolbox it makes, as host-update on PATH
// (src/core/box/host-update-in-box.ts). The npm form cannot (test/e2e/npm-form.test.ts).
describe.skipIf(CLI_FORM === 'npm')('host-update in every toolbox', () => {
  const OWN_IMAGE = `localhost/${P}own-host-update:latest`;
  const OWN = `${P}own`;
  const OLD = `${P}old`;
  const OLD_OWN = `${P}old-own`;
  const MARK = 'host-update from the image:';
  const inBox = (box: string, command: string[], image = IMAGE) =>
    toolbox(['run', '-c', box, '-i', image, '--', ...command]);
  /** `host-update status` now (earlier tests changed the host), from the toolbox BOX. */
  const statusNow = () => {
    const r = hu(['--host-pid', pid(), 'status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^booted snapshot: {3}#1\n/);
    return r.stdout;
  };
  const label = (name: string) =>
    podman(['inspect', '--format', '{{index .Config.Labels "io.toolbox.host-update"}}', name]).stdout;

  /** A toolbox as toolbox made it before it mounted host-update: today's create, without the mount and its label. */
  function createOld(name: string, image: string): void {
    const spec: BoxSpec = { name, image, mode: 'system', sandbox: false, engineArgs: [] };
    // Today's labels write io.toolbox.host-update always (empty when unknown); before, there was none.
    const labels: Record<string, string> = { ...labelsFor(spec, PACKAGE_VERSION), [RUN_LABEL_KEY]: RUN_TAG };
    delete labels['io.toolbox.host-update'];
    const args = createArgs(podmanQuirks, spec, labels, true, existsSync);
    expect(args.join(' ')).not.toMatch(/usr\/local\/bin\/host-update|io\.toolbox\.host-update/);
    const r = podman(args);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  }

  beforeAll(() => {
    // An image that ships its own /usr/bin/host-update, as the toolbox-host-update RPM does.
    const dir = mkdtempSync(join(home, 'own-image-'));
    writeFileSync(
      join(dir, 'Containerfile'),
      [
        `FROM ${IMAGE}`,
        `RUN printf '#!/bin/sh\\necho "${MARK} $*"\\n' > /usr/bin/host-update && chmod 755 /usr/bin/host-update`,
        '',
      ].join('\n'),
    );
    const built = spawnSync('podman', ['build', '--quiet', '--network', 'none', '-t', OWN_IMAGE, dir], {
      encoding: 'utf8',
    });
    expect(built.stderr).toBe('');
    expect(built.status).toBe(0);
    expect(toolbox(['create', '-c', OWN, '-i', OWN_IMAGE]).code).toBe(0);
    createOld(OLD, IMAGE);
    createOld(OLD_OWN, OWN_IMAGE);
  });

  afterAll(() => {
    removeContainers(P);
    podman(['rmi', '--force', OWN_IMAGE]);
  });

  it('a toolbox from an image without host-update runs the mounted executable: host-update status', () => {
    expect(label(BOX)).toBe(`${realpathSync(SEA)}\n`);
    const where = inBox(BOX, [
      'sh',
      '-c',
      'command -v host-update; test -w /usr/local/bin/host-update || echo read-only',
    ]);
    expect(where.stdout).toBe('/usr/local/bin/host-update\nread-only\n');
    const r = inBox(BOX, ['host-update', '--host-pid', pid(), 'status']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(statusNow());
  });

  it("the host's executable wins over the image's own /usr/bin/host-update, which stays callable by its path", () => {
    const r = inBox(OWN, ['host-update', '--host-pid', pid(), 'status'], OWN_IMAGE);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(statusNow());
    // also in a login shell, where the image's profile sets PATH
    expect(inBox(OWN, ['bash', '-lc', 'command -v host-update'], OWN_IMAGE).stdout).toBe(
      '/usr/local/bin/host-update\n',
    );
    expect(inBox(OWN, ['/usr/bin/host-update', 'status'], OWN_IMAGE)).toMatchObject({
      code: 0,
      stdout: `${MARK} status\n`,
    });
  });

  it('a toolbox made before: one line that says to upgrade it, exit 127; the upgrade brings host-update', () => {
    const r = inBox(OLD, ['host-update', 'status']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: host-update is not in toolbox ${OLD}: it was made before toolbox put host-update into every toolbox, and its image has none. Hint: run 'toolbox upgrade ${OLD}'\n`,
    );
    expect(r.code).toBe(127);
    expect(label(OLD)).toBe('\n');
    const upgraded = toolbox(['upgrade', OLD]);
    expect(upgraded.code).toBe(0);
    expect(label(OLD)).toBe(`${realpathSync(SEA)}\n`);
    const after = inBox(OLD, ['host-update', '--host-pid', pid(), 'status']);
    expect(after.stderr).toBe('');
    expect(after.code).toBe(0);
    expect(after.stdout).toBe(statusNow());
  });

  it("a toolbox made before whose image has its own host-update runs the image's until upgraded", () => {
    expect(inBox(OLD_OWN, ['host-update', 'status'], OWN_IMAGE)).toMatchObject({
      code: 0,
      stdout: `${MARK} status\n`,
      stderr: '',
    });
  });

  it('a toolbox whose executable is gone cannot start: one line; an upgrade with this one rebuilds it', () => {
    const GONE = `${P}gone`;
    const dir = mkdtempSync(join(home, 'moved-'));
    const moved = join(dir, 'toolbox');
    copyFileSync(SEA, moved);
    chmodSync(moved, 0o755);
    const made = spawnSync(moved, ['create', '-c', GONE, '-i', IMAGE], { env, encoding: 'utf8', input: '' });
    expect(made.status).toBe(0);
    expect(label(GONE)).toBe(`${moved}\n`);
    expect(podman(['stop', '-t', '0', GONE]).code).toBe(0);
    rmSync(dir, { recursive: true });
    const r = toolbox(['run', '-c', GONE, 'true']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 125,
      stdout: '',
      stderr: `Error: toolbox ${GONE} cannot start: ${moved}, the toolbox executable it mounts as host-update, is gone. Hint: put the executable back there, or run 'toolbox upgrade ${GONE}' to rebuild it with this one\n`,
    });
    expect(toolbox(['upgrade', GONE]).code).toBe(0);
    expect(label(GONE)).toBe(`${realpathSync(SEA)}\n`);
    expect(inBox(GONE, ['host-update', '--help']).code).toBe(0);
  });

  // As a user types it: `toolbox` in a terminal (dist/sea on PATH), then host-update inside.
  // HU_TRANSCRIPT=FILE keeps the terminal's text.
  it('typed in a terminal: toolbox, then host-update --help and host-update status inside', async () => {
    const TTY = `${P}tty`;
    const work = mkdtempSync(join(home, 'tty-'));
    const terminal = new Tmux(join(work, 'tmux.socket'), {
      ...env,
      PATH: `${join(ROOT, 'dist/sea')}:${env.PATH ?? ''}`,
      PS1: 'host$ ',
    });
    const type = (line: string) => terminal.run('send-keys', '-t', 'hu', line, 'Enter');
    const text = () => terminal.run('capture-pane', '-p', '-J', '-S', '-', '-t', 'hu').stdout;
    try {
      expect(terminal.start('hu', 'exec bash --norc --noprofile -i').status).toBe(0);
      await waitFor(() => text().includes('host$ '), 'the shell prompt');
      const prompt = `[root@${TTY} /]#`;
      /** what the terminal shows after the line `typed`, once the toolbox prompt is back */
      const answered = (typed: string) => (text().split(`${prompt} ${typed}\n`)[1] ?? '').includes(prompt);
      type(`toolbox -c ${TTY} -i ${IMAGE}`);
      await waitFor(() => text().includes(`${prompt} `), 'the toolbox prompt', 120_000);
      type('host-update --help');
      await waitFor(() => answered('host-update --help'), 'the help');
      const status = `host-update --host-pid ${pid()} status`;
      type(status);
      await waitFor(() => answered(status), 'the status');
      type('exit');
      await waitFor(() => text().trimEnd().endsWith('host$'), 'toolbox to exit');
      const transcript = text().trimEnd();
      if (process.env.HU_TRANSCRIPT) writeFileSync(process.env.HU_TRANSCRIPT, `${transcript}\n`);
      const lines = transcript.split('\n');
      expect(lines[0]).toBe(`host$ toolbox -c ${TTY} -i ${IMAGE}`);
      const help = lines.findIndex((l) => l.endsWith(`${prompt} host-update --help`));
      expect(lines[help + 1]).toBe('Usage: host-update [options] [command]');
      const at = lines.findIndex((l) => l.endsWith(`${prompt} ${status}`));
      const shown = lines.slice(
        at + 1,
        lines.findIndex((l, i) => i > at && l.includes(prompt)),
      );
      expect(`${shown.join('\n')}\n`).toBe(statusNow());
      expect(lines.at(-1)).toBe('host$');
    } finally {
      terminal.run('kill-server');
      rmSync(work, { recursive: true, force: true });
    }
  });

  it('a sandboxed toolbox gets it too, and it refuses there in one line', () => {
    expect(label(SANDBOX)).toBe(`${realpathSync(SEA)}\n`);
    const r = inBox(SANDBOX, ['host-update', 'status']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      code: 1,
      stdout: '',
      stderr: `Error: this toolbox is unprivileged (it lacks CAP_SYS_ADMIN), so it cannot enter the host. ${ROOTFUL_HINT}\n`,
    });
  });
});
