// The install role (toolbox.fleet.install) end to end, from the collection as users get it
// (ansible-galaxy collection build + install, test/fixtures/fleet/collection.ts), by its fully
// qualified playbook name: real ansible-playbook over ssh against two fresh fake fleet hosts
// (test/fixtures/fleet/make-fleet.sh with no toolbox on them). The hosts have no
// /usr/sbin/transactional-update, so the role copies the single executable for their
// architecture. Cases: a variable of the wrong type and an executable whose sha256 does not
// match both stop before any host changes; the install on both hosts, canary first, after which
// `toolbox run -- host-update status` answers; a second run that changes nothing; a host whose
// file differs gets the right one again; --check before and after (says what it would do, changes
// nothing). Then the RPM half on the same hosts, made fresh again (see its describe).
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
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
const EXE = { x86_64: join(ROOT, 'dist/sea/toolbox'), aarch64: join(ROOT, 'dist/sea/toolbox-linux-arm64') };
const DEST = '/usr/local/bin/toolbox';
const PREFIX = runPrefix('fli-');
const N = 2;
const state = mkdtempSync(`/tmp/${PREFIX}`);
const hosts = [1, 2].map((i) => `${PREFIX}${i}`);
const [h1, h2] = hosts as [string, string];
const key = join(state, 'ssh', 'id_ed25519');
const inventory = join(state, 'inventory.ini');
let collections = '';

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');

function writeInventory(): void {
  writeFleetInventory(inventory, hosts, key, [
    // The fake hosts' MicroOS root is not PID 1: this wrapper points the tools at its init.
    'fleet_host_update_command=["/usr/local/sbin/on-fake-microos", "toolbox", "run", "--", "host-update"]',
    `fleet_reboot_boot_time_command="cut -d' ' -f22 /proc/1/stat"`,
    'fleet_reboot_timeout=120',
  ]);
}

/** ansible-playbook toolbox.fleet.NAME, the installed collection's playbook */
const playbook = (name: string, vars: Record<string, unknown>, args: string[] = []): Play =>
  runPlaybook({ inventory, state, collections, forks: 2 }, name, vars, args);

const recapLine = (ok: number, changed: number, failed: number, skipped: number) =>
  `ok=${ok} changed=${changed} unreachable=0 failed=${failed} skipped=${skipped} rescued=0 ignored=0`;

/** what is at DEST on a host: its sha256, mode and owner, or "missing" */
const installed = (host: string) =>
  onHost(
    host,
    `if [ -e ${DEST} ]; then echo "$(sha256sum < ${DEST} | cut -d' ' -f1) $(stat -c '%a %U' ${DEST})"; else echo missing; fi`,
  ).stdout.trim();
/** files the role may leave beside DEST */
const leftovers = (host: string) => onHost(host, 'ls -A /usr/local/bin | grep -c "^\\.toolbox-install" || true').stdout;

// Recap lines found by running the plays (each checked against the tasks it should have run).
const CHECK_EXE_RECAP = recapLine(12, 0, 0, 8);
const CHECK_RPM_RECAP = recapLine(8, 0, 0, 11);
// the RPM's transactions, the reboot, the rollback and the reboot back: 5 changes, 1 rescue (the
// snapshot deletion skipped: the package's transaction succeeded)
const RPM_ROLLED_BACK_RECAP = 'ok=16 changed=5 unreachable=0 failed=1 skipped=3 rescued=1 ignored=0';
// the repository's transaction, the rollback, the snapshot deleted: 3 changes, 1 rescue (the
// package's transaction failed; no reboot)
const RPM_PKG_FAILED_RECAP = 'ok=11 changed=3 unreachable=0 failed=1 skipped=3 rescued=1 ignored=0';
// the repository's transaction, the package's, the reboot
const RPM_INSTALL_RECAP = recapLine(15, 3, 0, 4);
const RPM_AGAIN_RECAP = recapLine(7, 0, 0, 12);

let executables: Record<string, { path: string; sha256: string }> = {};

beforeAll(() => {
  if (sh('ansible-playbook', ['--version']).code !== 0)
    throw new Error("ansible-playbook is missing: run 'sudo bash .ci/setup-machine' first");
  if (sh('podman', ['image', 'exists', 'localhost/toolbox-test-fleet:latest']).code !== 0)
    throw new Error("the fleet host image is missing: run 'sudo bash .ci/setup-machine' first");
  for (const f of Object.values(EXE)) if (!existsSync(f)) throw new Error(`${f} is missing: run 'npm run build' first`);
  executables = Object.fromEntries(Object.entries(EXE).map(([arch, path]) => [arch, { path, sha256: sha256(path) }]));
  collections = installFleetCollection(join(state, 'galaxy')).collections;
  mkdirSync(join(state, 'ssh'), { mode: 0o700 });
  const keygen = sh('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', PREFIX, '-f', key]);
  expect(keygen.stderr).toBe('');
  // "-": fresh hosts, without toolbox.
  const up = sh('bash', [MAKE_FLEET, 'up', join(state, 'hosts'), PREFIX, String(N), `${key}.pub`, '-']);
  if (up.code !== 0) throw new Error(`make-fleet.sh up failed (${up.code}): ${up.stderr}`);
  writeInventory();
  for (const h of hosts) expect(installed(h)).toBe('missing');
}, 600_000);

afterAll(() => {
  sh('bash', [MAKE_FLEET, 'down', join(state, 'hosts'), PREFIX, String(N)]);
  rmSync(state, { recursive: true, force: true });
}, 300_000);

describe('toolbox.fleet.install', () => {
  it('refuses a variable of the wrong type before any host is touched', () => {
    const run = playbook('install', { fleet_install_method: 'yum', fleet_install_executables: executables });
    expect(run.code, run.out).toBe(2);
    // The validation is the first task: the host has no ok task.
    expect(run.recap).toEqual({ [h1]: recapLine(0, 0, 1, 0) });
    expect(run.out).toContain('value of fleet_install_method must be one of: auto, rpm, executable, got: yum');
    for (const h of hosts) expect(installed(h)).toBe('missing');
  });

  it('refuses an executable whose sha256 does not match, on the controller, before copying it', () => {
    const wrong = '0'.repeat(64);
    const run = playbook('install', {
      fleet_install_executables: { ...executables, x86_64: { path: EXE.x86_64, sha256: wrong } },
    });
    expect(run.code, run.out).toBe(2);
    // The canary failed: the second host never started.
    expect(run.recap).toEqual({ [h1]: recapLine(9, 0, 1, 1) });
    expect(run.out).toContain(
      `fatal: [${h1}]: FAILED! => {"assertion": "fleet_install_src.stat.checksum | default('') == fleet_install_exe.sha256 | lower", "changed": false, "evaluated_to": false, "msg": "${EXE.x86_64} has sha256 ${executables.x86_64!.sha256}, not ${wrong}"}`,
    );
    for (const h of hosts) {
      expect(installed(h)).toBe('missing');
      expect(leftovers(h)).toBe('0\n');
    }
  });

  it('says under --check that it would copy the executable, and changes nothing', () => {
    const run = playbook('install', { fleet_install_executables: executables }, ['--check']);
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: CHECK_EXE_RECAP, [h2]: CHECK_EXE_RECAP });
    for (const h of hosts) {
      expect(run.out).toContain(
        `ok: [${h}] => {\n    "msg": "would copy the executable ${EXE.x86_64} (sha256 ${executables.x86_64!.sha256}) to ${DEST}"\n}`,
      );
      expect(installed(h)).toBe('missing');
      expect(leftovers(h)).toBe('0\n');
    }
  }, 600_000);

  it('installs the executable for the host architecture on each host, canary first, and host-update answers', () => {
    const run = playbook('install', { fleet_install_executables: executables });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: recapLine(18, 1, 0, 2), [h2]: recapLine(18, 1, 0, 2) });
    // Canary first: the first host has its executable before the second host does anything.
    expect(run.out.indexOf(`changed: [${h1}]`)).toBeGreaterThan(0);
    expect(run.out.indexOf(`changed: [${h1}]`)).toBeLessThan(run.out.indexOf(`[${h2}]`));
    for (const h of hosts) {
      expect(installed(h)).toBe(`${executables.x86_64!.sha256} 755 root`);
      expect(leftovers(h)).toBe('0\n');
      const status = onHost(h, 'on-fake-microos toolbox run -- host-update status --json');
      expect(status.code, status.stderr).toBe(0);
      const s = parseJson(status.stdout, 'host-update status --json') as { booted: number; default: number };
      expect([s.booted, s.default]).toEqual([1, 1]);
    }
  }, 600_000);

  it('changes nothing on a second run', () => {
    const run = playbook('install', { fleet_install_executables: executables });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: recapLine(12, 0, 0, 8), [h2]: recapLine(12, 0, 0, 8) });
    for (const h of hosts) expect(installed(h)).toBe(`${executables.x86_64!.sha256} 755 root`);
  }, 600_000);

  it('says under --check that it is up to date', () => {
    const run = playbook('install', { fleet_install_executables: executables }, ['--check']);
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: CHECK_EXE_RECAP, [h2]: CHECK_EXE_RECAP });
    for (const h of hosts)
      expect(run.out).toContain(
        `ok: [${h}] => {\n    "msg": "already up to date: ${DEST} has sha256 ${executables.x86_64!.sha256}"\n}`,
      );
  }, 600_000);

  it('replaces an executable that differs from the expected sha256, on that host only', () => {
    expect(onHost(h2, `printf 'not toolbox\\n' > ${DEST}`).code).toBe(0);
    const run = playbook('install', { fleet_install_executables: executables });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: recapLine(12, 0, 0, 8), [h2]: recapLine(18, 1, 0, 2) });
    for (const h of hosts) {
      expect(installed(h)).toBe(`${executables.x86_64!.sha256} 755 root`);
      expect(leftovers(h)).toBe('0\n');
    }
  }, 600_000);
});

// The RPM half: the same two hosts, made fresh again (the executable above removed), installed
// as a transactional host is: toolbox-VERSION.x86_64.rpm as packaging/build-rpms.sh builds it
// (automatic requirements on; the fake root's base package provides the C and C++ runtime), in
// an rpm-md repository whose repomd.xml is signed (as scripts/release.mjs signs a release's),
// served over http on each host's own loopback (the fake root shares its host's network).
describe('toolbox.fleet.install, the RPM through transactional-update', () => {
  const PORT = 8701;
  const www = join(state, 'www');
  const keys = { right: join(state, 'repo-key.asc'), wrong: join(state, 'other-key.asc') };
  const repoUrl = (name: string) => `http://127.0.0.1:${PORT}/${name}`;
  const ROOT_CMD = ['/usr/local/sbin/on-fake-microos', '--root'];
  const rpmVars = (name: string, key: string, extra: Record<string, unknown> = {}) => ({
    fleet_install_method: 'rpm',
    fleet_install_repo_url: repoUrl(name),
    fleet_install_repo_key: key,
    fleet_install_root_command: ROOT_CMD,
    fleet_install_transactional_update_command: [...ROOT_CMD, 'transactional-update'],
    fleet_install_query_command: [...ROOT_CMD, 'rpm', '-q', 'toolbox'],
    // The fake root has no snapperd: snapper works on its files directly.
    fleet_install_snapper_command: [...ROOT_CMD, 'snapper', '--no-dbus'],
    ...extra,
  });
  /** the fake root's snapshots: number, booted (active) and default, as snapper lists them */
  const snapshots = (host: string) =>
    onHost(host, 'on-fake-microos --root snapper --no-dbus --csvout list --columns number,active,default').stdout;
  /** the toolbox RPM in the booted root, or the error */
  const rpmQuery = (host: string) => onHost(host, 'on-fake-microos --root rpm -q toolbox 2>&1').stdout.trim();
  /** each host serves www on its loopback, at every boot */
  const serve = (host: string) => {
    const unit = [
      '[Unit]',
      'Description=the fleet install test repositories',
      '[Service]',
      `ExecStart=/usr/bin/python3 -m http.server ${PORT} --bind 127.0.0.1 --directory /var/lib/fake-microos/www`,
      '[Install]',
      'WantedBy=multi-user.target',
      '',
    ].join('\n');
    const r = sh(
      'podman',
      [
        'exec',
        '-i',
        host,
        'sh',
        '-c',
        'cat > /etc/systemd/system/fleet-test-repo.service && systemctl daemon-reload && systemctl enable --now --quiet fleet-test-repo',
      ],
      unit,
    );
    expect(r.code, r.stderr).toBe(0);
  };
  /** waits until the host's repository answers (after a boot the server may still be starting) */
  const ready = (host: string) => {
    const r = onHost(
      host,
      `for i in $(seq 100); do python3 -c "import urllib.request; urllib.request.urlopen('${repoUrl('signed')}/repodata/repomd.xml')" 2>/dev/null && exit 0; sleep 0.2; done; exit 1`,
    );
    expect(r.code, `${host}: the test repository does not answer`).toBe(0);
  };
  let rpmFile = '';
  let fresh = '';

  beforeAll(() => {
    const rpms = sh('bash', [join(ROOT, 'packaging/build-rpms.sh'), join(state, 'rpms')]);
    expect(rpms.code, rpms.stderr).toBe(0);
    rpmFile = rpms.stdout.split('\n').find((f) => /\/toolbox-[^/]*\.x86_64\.rpm$/.test(f)) ?? '';
    expect(rpmFile).not.toBe('');
    const gpg = (home: string, args: string[]) => {
      const r = spawnSync('gpg', ['--batch', '--quiet', ...args], {
        encoding: 'utf8',
        env: { ...process.env, GNUPGHOME: home },
      });
      expect(r.status, r.stderr).toBe(0);
      return r.stdout;
    };
    for (const [name, file] of Object.entries(keys)) {
      const home = join(state, `gnupg-${name}`);
      mkdirSync(home, { mode: 0o700 });
      gpg(home, [
        '--pinentry-mode',
        'loopback',
        '--passphrase',
        '',
        '--quick-gen-key',
        `fleet ${name} <fli@example.invalid>`,
        'rsa2048',
        'sign',
        '1d',
      ]);
      writeFileSync(file, gpg(home, ['--armor', '--export']));
    }
    // The RPM signed as scripts/release.mjs signs a release's (Debian's rpm names gpg2: name gpg).
    const sign = spawnSync(
      'rpmsign',
      [
        '--define',
        `__gpg ${sh('sh', ['-c', 'command -v gpg']).stdout.trim()}`,
        '--define',
        '_gpg_name fleet right',
        '--addsign',
        rpmFile,
      ],
      { encoding: 'utf8', env: { ...process.env, GNUPGHOME: join(state, 'gnupg-right') } },
    );
    expect(sign.status, sign.stderr).toBe(0);
    // signed/: repomd.xml signed by the right key; unsigned/: the same without a signature.
    for (const name of ['signed', 'unsigned']) {
      const dir = join(www, name);
      mkdirSync(dir, { recursive: true });
      cpSync(rpmFile, join(dir, rpmFile.split('/').pop()!));
      expect(sh('createrepo_c', ['--quiet', dir]).code).toBe(0);
    }
    const repomd = join(www, 'signed', 'repodata', 'repomd.xml');
    gpg(join(state, 'gnupg-right'), ['--detach-sign', '--armor', repomd]);
    cpSync(keys.right, `${repomd}.key`);
    for (const [i, h] of hosts.entries()) {
      cpSync(www, join(state, 'hosts', `host${i + 1}`, 'www'), { recursive: true });
      // Fresh again: no toolbox on the machine, nor the toolbox container the executable made
      // (it mounts that file as host-update); the RPM's is the only one there will be.
      const rm = onHost(h, `[ ! -x ${DEST} ] || ${DEST} rm --force; rm -f ${DEST}`);
      expect(rm.code, rm.stderr).toBe(0);
      serve(h);
    }
    fresh = snapshots(h1);
    expect(fresh).toBe('number,active,default\n0,no,no\n1,yes,yes\n');
    for (const h of hosts) {
      expect(snapshots(h)).toBe(fresh);
      expect(rpmQuery(h)).toBe('package toolbox is not installed');
    }
  }, 600_000);

  afterAll(() => {
    // gpg started an agent per home; they are not needed any more.
    for (const name of Object.keys(keys))
      sh('gpgconf', ['--homedir', join(state, `gnupg-${name}`), '--kill', 'gpg-agent']);
  });

  it.each([
    ['signed by another key', 'signed', 'wrong'],
    ['unsigned', 'unsigned', 'right'],
  ] as const)(
    'refuses a repository %s before any snapshot, on the canary, and stops',
    (_, repo, key) => {
      for (const h of hosts) ready(h);
      const run = playbook('install', rpmVars(repo, keys[key]));
      expect(run.code, run.out).toBe(2);
      expect(run.recap).toEqual({ [h1]: recapLine(6, 0, 1, 1) });
      expect(run.out).toContain('Signature verification failed for repomd.xml');
      for (const h of hosts) {
        expect(snapshots(h)).toBe(fresh);
        expect(rpmQuery(h)).toBe('package toolbox is not installed');
        expect(
          onHost(h, 'on-fake-microos --root zypper --non-interactive repos -u 2>&1 | grep -c 127.0.0.1 || true').stdout,
        ).toBe('0\n');
      }
    },
    600_000,
  );

  it('rolls a host back to the snapshot it booted when the check after the reboot fails, and the canary stops the rest', () => {
    for (const h of hosts) ready(h);
    const run = playbook(
      'install',
      rpmVars('signed', keys.right, { fleet_health_command: ['false'], fleet_health_retries: 0 }),
    );
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({ [h1]: RPM_ROLLED_BACK_RECAP });
    expect(run.out).toContain(`install failed: non-zero return code; host rolled back to #1`);
    // Booted and default: #1 again. #3 (the RPM's) stays as a snapshot, not booted.
    expect(snapshots(h1)).toBe('number,active,default\n0,no,no\n1,yes,yes\n3,no,no\n');
    expect(rpmQuery(h1)).toBe('package toolbox is not installed');
    expect(snapshots(h2)).toBe(fresh);
    expect(rpmQuery(h2)).toBe('package toolbox is not installed');
  }, 900_000);

  it('leaves no snapshot behind when the package transaction fails (a package the repository does not have), and the canary stops the rest', () => {
    for (const h of hosts) ready(h);
    const before = hosts.map(snapshots);
    const run = playbook('install', rpmVars('signed', keys.right, { fleet_install_package: 'toolbox-not-there' }));
    expect(run.code, run.out).toBe(2);
    expect(run.recap).toEqual({ [h1]: RPM_PKG_FAILED_RECAP });
    expect(run.out).toContain(`install failed: non-zero return code; host rolled back to #1`);
    // The repository's snapshot (#4) was made, then deleted: the list is what it was, #1 booted and default.
    expect(before[0]).toBe('number,active,default\n0,no,no\n1,yes,yes\n3,no,no\n');
    expect(snapshots(h1)).toBe(before[0]);
    expect(rpmQuery(h1)).toBe('package toolbox is not installed');
    // Host 2 never started.
    expect(run.out).not.toContain(`[${h2}]`);
    expect(snapshots(h2)).toBe(fresh);
  }, 900_000);

  it('says under --check that it would install the RPM, and changes nothing', () => {
    for (const h of hosts) ready(h);
    const before = hosts.map(snapshots);
    const run = playbook('install', rpmVars('signed', keys.right), ['--check']);
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: CHECK_RPM_RECAP, [h2]: CHECK_RPM_RECAP });
    for (const h of hosts)
      expect(run.out).toContain(
        `ok: [${h}] => {\n    "msg": "would install the RPM toolbox from ${repoUrl('signed')} (signature checked) through transactional-update pkg install into one new snapshot, reboot into it, check host-update status; on failure roll back to the booted snapshot"\n}`,
      );
    expect(hosts.map(snapshots)).toEqual(before);
    for (const h of hosts) expect(rpmQuery(h)).toBe('package toolbox is not installed');
  }, 600_000);

  it('installs the RPM into one new snapshot on each host, canary first, reboots into it, and host-update answers', () => {
    for (const h of hosts) ready(h);
    const run = playbook('install', rpmVars('signed', keys.right));
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: RPM_INSTALL_RECAP, [h2]: RPM_INSTALL_RECAP });
    expect(run.out.indexOf(`changed: [${h1}]`)).toBeGreaterThan(0);
    expect(run.out.indexOf(`changed: [${h1}]`)).toBeLessThan(run.out.indexOf(`[${h2}]`));
    // One new snapshot each, booted and default: the repository's transaction was continued by
    // the package's, and its intermediate snapshot removed.
    expect(snapshots(h1)).toBe('number,active,default\n0,no,no\n1,no,no\n3,no,no\n5,yes,yes\n');
    expect(snapshots(h2)).toBe('number,active,default\n0,no,no\n1,no,no\n3,yes,yes\n');
    const version = rpmFile
      .split('/')
      .pop()!
      .replace(/\.rpm$/, '');
    for (const [h, booted] of [
      [h1, 5],
      [h2, 3],
    ] as const) {
      expect(rpmQuery(h)).toBe(version);
      expect(onHost(h, `test -e ${DEST} || echo none`).stdout).toBe('none\n');
      const status = onHost(h, 'on-fake-microos toolbox run -- host-update status --json');
      expect(status.code, status.stderr).toBe(0);
      const s = parseJson(status.stdout, 'host-update status --json') as { booted: number; default: number };
      expect([s.booted, s.default]).toEqual([booted, booted]);
    }
  }, 900_000);

  it('changes nothing on a second run (no new snapshot)', () => {
    for (const h of hosts) ready(h);
    const before = hosts.map(snapshots);
    const run = playbook('install', rpmVars('signed', keys.right));
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: RPM_AGAIN_RECAP, [h2]: RPM_AGAIN_RECAP });
    expect(hosts.map(snapshots)).toEqual(before);
  }, 600_000);

  it('says under --check that the RPM is up to date', () => {
    const before = hosts.map(snapshots);
    const run = playbook('install', rpmVars('signed', keys.right), ['--check']);
    expect(run.code, run.out).toBe(0);
    // The second run's tasks, with the check-mode line instead of the host-update check (the
    // repository check is skipped: the package is there).
    expect(run.recap).toEqual({ [h1]: RPM_AGAIN_RECAP, [h2]: RPM_AGAIN_RECAP });
    const version = rpmFile
      .split('/')
      .pop()!
      .replace(/\.rpm$/, '');
    for (const h of hosts) expect(run.out).toContain(`ok: [${h}] => {\n    "msg": "already up to date: ${version}"\n}`);
    expect(hosts.map(snapshots)).toEqual(before);
  }, 600_000);
});
