// Rootless podman's own failure texts, exactly as podman 4.3 printed them on a host missing one
// piece of the rootless setup, and the one line toolbox turns each into.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkRuntimeDirEnv, hasSubidRange, rootlessFailure, type RootlessHost } from '../../src/engine/rootless.js';

const host = (subids: boolean | undefined = true): RootlessHost => ({
  uid: 1001,
  user: 'alice',
  hasSubids: () => subids,
});
const line = (e: { message: string; hint?: string | undefined } | undefined) =>
  e ? `${e.message}. Hint: ${e.hint}` : undefined;

describe('rootlessFailure maps podman texts to their cause', () => {
  it('no runtime directory', () => {
    const e = rootlessFailure('Error: creating events dirs: mkdir /run/user/1001: permission denied\n', host());
    expect(e?.exitCode).toBe(125);
    expect(line(e)).toBe(
      'rootless podman needs the runtime directory /run/user/1001, which does not exist (systemd-logind makes it at login). Hint: log in as alice through logind (ssh, machinectl shell alice@), or as root: install -d -m 0700 -o alice -g $(id -g alice) /run/user/1001',
    );
  });

  it("an XDG_RUNTIME_DIR inherited from root (podman's logrus line, quotes escaped)", () => {
    const raw =
      'time="2026-11-29T22:08:31Z" level=error msg="XDG_RUNTIME_DIR directory \\"/run/user/0\\" is not owned by the current user"\n';
    expect(line(rootlessFailure(raw, host()))).toBe(
      "XDG_RUNTIME_DIR=/run/user/0 is not owned by alice (uid 1001): it was inherited from another user's session. Hint: start a login session as alice (su - alice, machinectl shell alice@), or set XDG_RUNTIME_DIR=/run/user/1001",
    );
  });

  it('no /dev/mqueue', () => {
    expect(line(rootlessFailure('Error: statfs /dev/mqueue: no such file or directory\n', host()))).toBe(
      'rootless podman cannot share the host IPC namespace: the host has no /dev/mqueue (systemd mounts it at boot). Hint: as root: mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue',
    );
  });

  it('an rlimit above the hard limit (runc)', () => {
    const raw =
      'Error: unable to start container "6543bd57a9fbe810228240673292c2c9a68487b8d5933990084c4a80eab5ba51": runc: runc create failed: unable to start container process: error during container init: error setting rlimits for ready process: error setting rlimit type 7: operation not permitted: OCI permission denied\n';
    expect(line(rootlessFailure(raw, host()))).toBe(
      "rootless podman cannot set the nofile limit in the toolbox: it is above your hard limit ('ulimit -H -a' shows it). Hint: lower nofile in default_ulimits of containers.conf (or in --podman-args --ulimit) to at most your hard limit, or raise the hard limit in /etc/security/limits.conf",
    );
    expect(rootlessFailure(raw.replace('type 7', 'type 6'), host())?.message).toMatch(
      /^rootless podman cannot set the nproc limit /,
    );
  });

  const NO_SUBIDS =
    "rootless podman needs subordinate uid and gid ranges for alice, and /etc/subuid or /etc/subgid has none. Hint: as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 alice (a range no other user has), then run 'podman system migrate' as alice";

  it.each([
    [
      'create, keep-id',
      'Error: keep-id requires additional UIDs or GIDs defined in /etc/subuid and /etc/subgid to function correctly: %!w(<nil>)\n',
    ],
    [
      'the first call after the range went',
      'time="2026-11-29T22:11:36Z" level=error msg="cannot find UID/GID for user alice: no subuid ranges found for user \\"alice\\" in /etc/subuid - check rootless mode in man pages."\ntime="2026-11-29T22:11:36Z" level=warning msg="Using rootless single mapping into the namespace. This might break some images. Check /etc/subuid and /etc/subgid for adding sub*ids if not using a network user"\nError: something else\n',
    ],
    [
      'pulling an image',
      'Error: writing blob: adding layer with blob "sha256:66e2": ApplyLayer stdout:  stderr: potentially insufficient UIDs or GIDs available in user namespace (requested 0:42 for /etc/gshadow): Check /etc/subuid and /etc/subgid if configured locally and run podman-system-migrate: lchown /etc/gshadow: invalid argument exit status 1\n',
    ],
  ])('no subuid range: %s', (_what, raw) => {
    expect(line(rootlessFailure(raw, host(true)))).toBe(NO_SUBIDS);
  });

  it('no subuid range, told only by the host: a later call fails on files it cannot read', () => {
    const raw =
      'Error: getting graph driver info "8effae68d33c3b9b184dabd834d3cc16c39be57132822c835b2045ad5d4a7ca5": open /home/alice/.local/share/containers/storage/overlay/c0d0baae14183e2942b376a086150afbab60af94c9a59be3215ff80ec85c2b49/lower: permission denied\n';
    expect(line(rootlessFailure(raw, host(false)))).toBe(NO_SUBIDS);
    expect(rootlessFailure(raw, host(true))).toBeUndefined();
    expect(rootlessFailure(raw, host(undefined))).toBeUndefined();
  });

  it('anything else is left to the usual mapping', () => {
    expect(rootlessFailure('Error: inspecting object: localhost/x: image not known\n', host())).toBeUndefined();
  });
});

describe('hasSubidRange', () => {
  const text = 'bob:100000:65536\nalice:165536:65536\n1005:231072:65536\nempty:300000:0\n';
  it('by name, by uid, and not for a zero-length range or another user', () => {
    expect(hasSubidRange(text, 'alice', 1001)).toBe(true);
    expect(hasSubidRange(text, 'carol', 1005)).toBe(true);
    expect(hasSubidRange(text, 'empty', 1006)).toBe(false);
    expect(hasSubidRange(text, 'ali', 1007)).toBe(false);
    expect(hasSubidRange('', 'alice', 1001)).toBe(false);
  });
});

describe('checkRuntimeDirEnv', () => {
  it('accepts no XDG_RUNTIME_DIR, and one the user owns', () => {
    const dir = mkdtempSync(join(tmpdir(), 'rl-unit-'));
    try {
      const me = { uid: process.getuid!(), user: 'me', hasSubids: () => true };
      expect(checkRuntimeDirEnv({}, me)).toBeUndefined();
      expect(checkRuntimeDirEnv({ XDG_RUNTIME_DIR: dir }, me)).toBeUndefined();
    } finally {
      rmSync(dir, { recursive: true });
    }
  });

  it("refuses another user's, and a missing one, with exit code 1", () => {
    const owner = process.getuid!() === 1001 ? 1002 : 1001;
    const notMine = checkRuntimeDirEnv({ XDG_RUNTIME_DIR: '/' }, { uid: owner, user: 'alice', hasSubids: () => true });
    expect(notMine?.exitCode).toBe(1);
    expect(line(notMine)).toBe(
      `XDG_RUNTIME_DIR=/ is not owned by alice (uid ${owner}): it was inherited from another user's session. Hint: start a login session as alice (su - alice, machinectl shell alice@), or set XDG_RUNTIME_DIR=/run/user/${owner}`,
    );
    expect(
      line(
        checkRuntimeDirEnv(
          { XDG_RUNTIME_DIR: '/run/user/424242' },
          { uid: 424242, user: 'alice', hasSubids: () => true },
        ),
      ),
    ).toBe(
      'XDG_RUNTIME_DIR=/run/user/424242 does not exist (systemd-logind makes it at login). Hint: log in as alice through logind (ssh, machinectl shell alice@), or as root: install -d -m 0700 -o alice -g $(id -g alice) /run/user/424242',
    );
  });
});
