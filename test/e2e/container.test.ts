// The container itself: created as microos-toolbox does, labelled, persistent.
import { readFileSync, readlinkSync, writeFileSync, rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerId,
  containerState,
  ENGINE,
  isolatedEnv,
  PACKAGE_VERSION,
  podman,
  removeContainers,
  toolbox,
  runPrefix,
} from './helpers.js';

const P = runPrefix('e2e-ctr-');
const BOX = `${P}box`;
const env = isolatedEnv();
const inBox = (...cmd: string[]) => toolbox(['run', '-n', '-c', BOX, '--', ...cmd], { env });

beforeAll(() => {
  removeContainers(P);
  expect(toolbox(['create', BOX], { env }).code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
});

describe('host access', () => {
  it('sees the host root at /media/root', () => {
    const marker = `/tmp/${P}marker-${process.pid}`;
    writeFileSync(marker, 'from the host\n');
    try {
      expect(inBox('cat', `/media/root${marker}`).stdout).toBe('from the host\n');
    } finally {
      rmSync(marker);
    }
  });

  it('shares the host pid, network and ipc namespaces', () => {
    for (const ns of ['pid', 'net', 'ipc']) {
      expect(inBox('readlink', `/proc/self/ns/${ns}`).stdout).toBe(`${readlinkSync(`/proc/self/ns/${ns}`)}\n`);
    }
    // and sees host processes, this test runner among them
    expect(inBox('cat', `/proc/${process.pid}/comm`).stdout).toBe(readFileSync(`/proc/${process.pid}/comm`, 'utf8'));
  });

  it('has full capabilities', () => {
    const host = BigInt(`0x${/CapBnd:\s*(\S+)/.exec(readFileSync('/proc/self/status', 'utf8'))![1]!}`);
    // docker quirk: docker 20.10 (CI's) gives a privileged container the capabilities it knows,
    // none past CAP_AUDIT_READ (37); podman gives every one the host has.
    const all = ENGINE === 'docker' ? host & ((1n << 38n) - 1n) : host;
    expect(inBox('sh', '-c', 'grep CapEff /proc/self/status').stdout).toBe(
      `CapEff:\t${all.toString(16).padStart(16, '0')}\n`,
    );
  });

  it('has the hostname of its name, and machine-id and localtime read-only', () => {
    expect(inBox('hostname').stdout).toBe(`${BOX}\n`);
    expect(inBox('cat', '/etc/machine-id').stdout).toBe(readFileSync('/etc/machine-id', 'utf8'));
    for (const file of ['/etc/machine-id', '/etc/localtime']) {
      const r = inBox('sh', '-c', `: >> ${file}`);
      expect(r.stderr).toMatch(/Read-only file system/);
      expect(r.code).not.toBe(0);
    }
  });
});

describe('labels and settings', () => {
  it('is marked as a toolbox with mode, version and the settings to recreate it', () => {
    const labels = JSON.parse(
      podman(['container', 'inspect', '--format', '{{json .Config.Labels}}', BOX]).stdout,
    ) as Record<string, string>;
    expect(labels['io.toolbox.managed']).toBe('true');
    expect(labels['io.toolbox.mode']).toBe('system');
    expect(labels['io.toolbox.version']).toBe(PACKAGE_VERSION);
    expect(JSON.parse(labels['io.toolbox.spec']!)).toEqual({
      name: BOX,
      image: 'localhost/toolbox-test:latest',
      mode: 'system',
      sandbox: false,
      engineArgs: [],
    });
  });

  it('is created privileged with the microos-toolbox flags', () => {
    const hc = JSON.parse(podman(['container', 'inspect', '--format', '{{json .HostConfig}}', BOX]).stdout) as Record<
      string,
      unknown
    >;
    expect(hc.Privileged).toBe(true);
    expect(hc.PidMode).toBe('host'); // ipc: podman 4.3 reports it oddly; the namespace test above pins it
    expect(hc.NetworkMode).toBe('host');
    expect(hc.SecurityOpt).toEqual(['label=disable']);
    // podman spells out the options it applied; docker keeps them as given.
    const opts = ENGINE === 'docker' ? 'rslave' : 'rslave,rw,rbind';
    expect(hc.Binds).toEqual(expect.arrayContaining([`/:/media/root:${opts}`, `/sys:/sys:${opts}`]));
  });

  it('--podman-args passes extra arguments to create', () => {
    const name = `${P}args`;
    const r = toolbox(['run', '-n', '-c', name, '--podman-args', '--env TB_EXTRA=yes', '--', 'printenv', 'TB_EXTRA'], {
      env,
    });
    expect(r.stdout).toBe('yes\n');
    expect(r.code).toBe(0);
  });
});

describe('a pet: it persists', () => {
  it('keeps what was installed across stop and start', () => {
    expect(inBox('sh', '-c', 'echo kept > /root/pet').code).toBe(0);
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    expect(containerState(BOX)).toBe('exited');
    const id = containerId(BOX);
    expect(inBox('cat', '/root/pet').stdout).toBe('kept\n');
    expect(containerId(BOX)).toBe(id);
  });
});

describe('TOOLBOX_SHELL and the /bin/sh fallback', () => {
  it('uses bash by default, as a login shell', () => {
    const r = toolbox(['-n', '-c', BOX], { env, input: 'echo "$0"; shopt -q login_shell && echo login\n' });
    expect(r.stdout).toBe('/bin/bash\nlogin\n');
  });

  it('honours TOOLBOX_SHELL', () => {
    const r = toolbox(['-n', '-c', BOX], { env: { ...env, TOOLBOX_SHELL: '/bin/sh' }, input: 'echo "$0"\n' });
    expect(r.stdout).toBe('/bin/sh\n');
  });

  it('falls back to /bin/sh in an image without bash', () => {
    const r = toolbox(['-n', '-c', `${P}minimal`, '-i', 'localhost/toolbox-test-minimal:latest'], {
      env,
      input: 'echo "$0"\n',
    });
    expect(r.stderr).toBe('toolbox: /bin/bash is not in this image; starting /bin/sh\n');
    expect(r.stdout).toBe('/bin/sh\n');
    expect(r.code).toBe(0);
  });
});
