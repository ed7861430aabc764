// Reaching the host, and the refusals for toolboxes that cannot.
import { describe, expect, it } from 'vitest';
import { hostArgv, resolveTarget } from '../../../src/host/host-access.js';
import { checkPrivileges, isRootless } from '../../../src/host/privileges.js';
import { checkPackages } from '../../../src/host/program.js';

const FULL_CAPS = 'CapEff:\t000001ffffffffff\n';

describe('privileges', () => {
  it('tells rootless from rootful by the uid map', () => {
    expect(isRootless('         0          0 4294967295\n')).toBe(false);
    expect(isRootless('         0       1000          1\n         1     100000      65536\n')).toBe(true);
  });

  it('refuses rootless, unprivileged and non-root callers with the rootful hint', () => {
    const hint = "use a rootful toolbox: 'toolbox -r' (or run toolbox as root), without --sandbox";
    const rootless = { uid: 0, uidMap: '0 1000 1', status: FULL_CAPS };
    expect(() => {
      checkPrivileges(rootless, 'nsenter');
    }).toThrow('this toolbox is rootless (it runs in a user namespace), so it cannot change the host');
    const sandbox = { uid: 0, uidMap: '0 0 4294967295', status: 'CapEff:\t00000000a80425fb\n' };
    expect(() => {
      checkPrivileges(sandbox, 'nsenter');
    }).toThrow('this toolbox is unprivileged (it lacks CAP_SYS_ADMIN), so it cannot enter the host');
    let thrown: unknown;
    try {
      checkPrivileges({ uid: 1000, uidMap: '0 0 4294967295', status: FULL_CAPS }, 'nsenter');
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toMatchObject({ message: 'host-update must run as root inside the toolbox', hint });
    expect(() => {
      checkPrivileges({ uid: 0, uidMap: '0 0 4294967295', status: FULL_CAPS }, 'nsenter');
    }).not.toThrow();
  });
});

describe('the way in', () => {
  it('enters the target namespaces with a clean environment', () => {
    expect(hostArgv({ kind: 'nsenter', pid: 1 }, ['snapper', 'list'])).toEqual([
      'nsenter',
      '--target=1',
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--pid',
      '--',
      'env',
      '-i',
      'PATH=/usr/sbin:/usr/bin:/sbin:/bin',
      'LC_ALL=C.UTF-8',
      'HOME=/root',
      'snapper',
      'list',
    ]);
    expect(hostArgv({ kind: 'chroot', root: '/host' }, ['true'])[0]).toBe('chroot');
  });

  it('takes --host-pid, then TOOLBOX_HOST_PID; --host-root alone', () => {
    expect(resolveTarget({ hostPid: '42' }, { TOOLBOX_HOST_PID: '7' })).toEqual({ kind: 'nsenter', pid: 42 });
    expect(resolveTarget({}, { TOOLBOX_HOST_PID: '7' })).toEqual({ kind: 'nsenter', pid: 7 });
    expect(resolveTarget({ hostRoot: '/host' }, {})).toEqual({ kind: 'chroot', root: '/host' });
    expect(() => resolveTarget({ hostPid: '1', hostRoot: '/host' }, {})).toThrow(
      '--host-pid and --host-root exclude each other',
    );
    expect(() => resolveTarget({ hostPid: '0' }, {})).toThrow('not a process ID: 0');
  });

  it('refuses package names that zypper would read as options', () => {
    expect(checkPackages(['vim', 'strace'])).toEqual(['vim', 'strace']);
    expect(() => checkPackages(['--root=/'])).toThrow('not a package name: --root=/');
  });
});
