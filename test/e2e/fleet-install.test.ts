// The install role (toolbox.fleet.install) end to end, from the collection as users get it
// (ansible-galaxy collection build + install, test/fixtures/fleet/collection.ts), by its fully
// qualified playbook name: real ansible-playbook over ssh against two fresh fake fleet hosts
// (test/fixtures/fleet/make-fleet.sh with no toolbox on them). The hosts have no
// /usr/sbin/transactional-update, so the role copies the single executable for their
// architecture. Cases: a variable of the wrong type and an executable whose sha256 does not
// match both stop before any host changes; the install on both hosts, canary first, after which
// `toolbox run -- host-update status` answers; a second run that changes nothing; a host whose
// file differs gets the right one again.
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
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
  ]);
}

/** ansible-playbook toolbox.fleet.NAME, the installed collection's playbook */
const playbook = (name: string, vars: Record<string, unknown>): Play =>
  runPlaybook({ inventory, state, collections, forks: 2 }, name, vars);

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

  it('installs the executable for the host architecture on each host, canary first, and host-update answers', () => {
    const run = playbook('install', { fleet_install_executables: executables });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: recapLine(18, 1, 0, 1), [h2]: recapLine(18, 1, 0, 1) });
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
    expect(run.recap).toEqual({ [h1]: recapLine(12, 0, 0, 7), [h2]: recapLine(12, 0, 0, 7) });
    for (const h of hosts) expect(installed(h)).toBe(`${executables.x86_64!.sha256} 755 root`);
  }, 600_000);

  it('replaces an executable that differs from the expected sha256, on that host only', () => {
    expect(onHost(h2, `printf 'not toolbox\\n' > ${DEST}`).code).toBe(0);
    const run = playbook('install', { fleet_install_executables: executables });
    expect(run.code, run.out).toBe(0);
    expect(run.recap).toEqual({ [h1]: recapLine(12, 0, 0, 7), [h2]: recapLine(18, 1, 0, 1) });
    for (const h of hosts) {
      expect(installed(h)).toBe(`${executables.x86_64!.sha256} 755 root`);
      expect(leftovers(h)).toBe('0\n');
    }
  }, 600_000);
});
