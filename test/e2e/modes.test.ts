// User mode (-u) through the engine via sudo (-r), as a real unprivileged user, and --sandbox.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_ARGV, freshUserName, isolatedEnv, podman, removeContainers, toolbox, runPrefix } from './helpers.js';

const P = runPrefix('e2e-mode-');
// A user of this run's own, so that it removes exactly what it made.
const USER = freshUserName('tbm');

const SUDOERS = `/etc/sudoers.d/${USER}`;
const SHARED = `/tmp/${P}shared`;
let madeUser = false;
let madeSudoers = false;

beforeAll(() => {
  removeContainers(P);
  expect(spawnSync('useradd', ['-m', '-s', '/bin/bash', USER]).status).toBe(0);
  madeUser = true;
  // -r runs the engine via sudo: this user may run podman as root, nothing else.
  expect(existsSync(SUDOERS)).toBe(false);
  writeFileSync(SUDOERS, `${USER} ALL=(root) NOPASSWD: /usr/bin/podman\n`, { mode: 0o440 });
  madeSudoers = true;
});
afterAll(() => {
  removeContainers(P);
  rmSync(SHARED, { force: true });
  if (madeSudoers) rmSync(SUDOERS, { force: true });
  if (madeUser) expect(spawnSync('userdel', ['-r', '-f', USER]).status).toBe(0);
});

function asUser(args: string[], input = '') {
  const home = `/home/${USER}`;
  const env = `HOME=${home} USER=${USER} PATH=/usr/bin:/bin LANG=C.UTF-8 TOOLBOX_IMAGE=localhost/toolbox-test:latest`;
  // runuser starts the CLI as the unprivileged user; arguments travel as argv, no shell.
  const r = spawnSync('runuser', ['-u', USER, '--', 'env', ...env.split(' '), ...CLI_ARGV, ...args], {
    cwd: home,
    input,
    encoding: 'utf8',
  });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('user mode', () => {
  const BOX = `${P}user`;
  it('runs as the user, in the current directory, with the home directory mounted and sudo set up', () => {
    const uid = spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim();
    const r = asUser([
      '-u',
      '-r',
      '-c',
      BOX,
      'run',
      '--',
      'sh',
      '-c',
      'id -un; id -u; pwd; echo "$HOME"; sudo -n id -u; echo hi > ~/from-toolbox',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${USER}\n${uid}\n/home/${USER}\n/home/${USER}\n0\n`);
    expect(r.code).toBe(0);
    expect(readFileSync(`/home/${USER}/from-toolbox`, 'utf8')).toBe('hi\n');
  });

  it('is labelled user mode and mounts /tmp', () => {
    const labels = JSON.parse(
      podman(['container', 'inspect', '--format', '{{json .Config.Labels}}', BOX]).stdout,
    ) as Record<string, string>;
    expect(labels['io.toolbox.mode']).toBe('user');
    writeFileSync(SHARED, 'tmp is shared\n');
    expect(asUser(['-u', '-r', '-c', BOX, 'run', 'cat', SHARED]).stdout).toBe('tmp is shared\n');
  });

  it('the default name gets -user, and subcommands stay in system mode without -u', () => {
    const r = asUser(['-r', '-u', '-t', 'x', 'run', '-n', 'hostname']);
    expect(r.stdout).toBe(`toolbox-${USER}-user-x\n`);
    podman(['rm', '-f', `toolbox-${USER}-user-x`]);
    const env = isolatedEnv();
    const sys = toolbox(['run', '-n', '-t', P.slice(0, -1), 'id', '-u'], { env });
    expect(sys.stdout).toBe('0\n');
    podman(['rm', '-f', `toolbox-root-${P.slice(0, -1)}`]);
  });
});

describe('--sandbox', () => {
  const BOX = `${P}sandbox`;
  const env = isolatedEnv();
  const inBox = (...cmd: string[]) => toolbox(['run', '-n', '-S', '-c', BOX, '--', ...cmd], { env });

  it('is not privileged and does not share the host pid namespace', () => {
    const hc: unknown = JSON.parse(
      podman(['container', 'inspect', '--format', '{{json .HostConfig}}', BOX]).stdout || 'null',
    );
    expect(hc).toBe(null); // not created yet
    expect(inBox('true').code).toBe(0);
    const made = JSON.parse(podman(['container', 'inspect', '--format', '{{json .HostConfig}}', BOX]).stdout) as Record<
      string,
      unknown
    >;
    expect(made.Privileged).toBe(false);
    expect(inBox('readlink', '/proc/self/ns/pid').stdout).not.toBe(
      spawnSync('readlink', ['/proc/self/ns/pid'], { encoding: 'utf8' }).stdout,
    );
  });

  it('cannot write the host root, mount, or load kernel modules', () => {
    const write = inBox('sh', '-c', `echo x > /media/root/tmp/${P}sandbox-escape`);
    expect(write.stderr).toMatch(/Read-only file system/);
    expect(write.code).not.toBe(0);
    expect(inBox('mount', '-t', 'tmpfs', 'none', '/mnt').code).not.toBe(0);
    const caps = inBox('grep', 'CapEff', '/proc/self/status').stdout;
    const host = /CapEff:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1];
    expect(caps).not.toBe(`CapEff:\t${host}\n`);
    // CAP_SYS_ADMIN (bit 21) and CAP_SYS_MODULE (bit 16) are gone
    const eff = BigInt(`0x${/CapEff:\s*(\S+)/.exec(caps)![1]}`);
    expect(eff & (1n << 21n)).toBe(0n);
    expect(eff & (1n << 16n)).toBe(0n);
  });
});
