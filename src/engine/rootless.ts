// Rootless podman fails on a host that is not set up for it with texts that name neither the
// cause nor the fix ("mkdir /run/user/1000: permission denied", "open .../lower: permission
// denied"). This turns them into one line that does. Used only when toolbox runs podman as an
// unprivileged user, and only after an engine call failed: nothing here costs the hot path.
import { lstatSync, readFileSync } from 'node:fs';
import { EngineError, ToolboxError } from '../core/errors.js';

export interface RootlessHost {
  uid: number;
  user: string;
  /** whether USER (or UID) has a range in /etc/subuid and in /etc/subgid; undefined: cannot tell */
  hasSubids(): boolean | undefined;
}

const RLIMITS = [
  'cpu',
  'fsize',
  'data',
  'stack',
  'core',
  'rss',
  'nproc',
  'nofile',
  'memlock',
  'as',
  'locks',
  'sigpending',
  'msgqueue',
  'nice',
  'rtprio',
  'rttime',
];

const SUBID_TEXT =
  /no subuid ranges found|no subgid ranges found|keep-id requires additional UIDs or GIDs|potentially insufficient UIDs or GIDs|rootless single mapping|newuidmap|newgidmap/i;

/** The rootless cause of an engine failure, or undefined when the failure is something else. */
export function rootlessFailure(stderr: string, host: RootlessHost): EngineError | undefined {
  // podman prints this one as a logrus line, its quotes escaped.
  const notOwned = /XDG_RUNTIME_DIR directory \\?"([^"\\]*)\\?" is not owned by the current user/.exec(stderr)?.[1];
  if (notOwned !== undefined) return runtimeDirNotYours(notOwned, host);
  const noRuntimeDir = /mkdir (\/run\/user\/\d+): permission denied/.exec(stderr)?.[1];
  if (noRuntimeDir !== undefined) return runtimeDirMissing(noRuntimeDir, host);
  if (/statfs \/dev\/mqueue: no such file or directory/.test(stderr)) {
    return new EngineError(
      'rootless podman cannot share the host IPC namespace: the host has no /dev/mqueue (systemd mounts it at boot)',
      'as root: mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue',
    );
  }
  const rlimit = /error setting rlimit type (\d+): operation not permitted/i.exec(stderr);
  if (rlimit) {
    const name = RLIMITS[Number(rlimit[1])] ?? `type ${rlimit[1]}`;
    return new EngineError(
      `rootless podman cannot set the ${name} limit in the toolbox: it is above your hard limit ('ulimit -H -a' shows it)`,
      `lower ${name} in default_ulimits of containers.conf (or in --podman-args --ulimit) to at most your hard limit, or raise the hard limit in /etc/security/limits.conf`,
    );
  }
  // Without a range podman either says so (the first call), or fails later on files its
  // single-uid namespace cannot read: ask the host rather than trust the text.
  if (SUBID_TEXT.test(stderr) || host.hasSubids() === false) return noSubids(host);
  return undefined;
}

function noSubids(host: RootlessHost): EngineError {
  return new EngineError(
    `rootless podman needs subordinate uid and gid ranges for ${host.user}, and /etc/subuid or /etc/subgid has none`,
    `as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${host.user} (a range no other user has), then run 'podman system migrate' as ${host.user}`,
  );
}

/** How to make the missing runtime directory DIR: said by podman's failure and by toolbox's own check. */
function makeRuntimeDir(dir: string, host: RootlessHost): string {
  return `log in as ${host.user} through logind (ssh, machinectl shell ${host.user}@), or as root: install -d -m 0700 -o ${host.user} -g $(id -g ${host.user}) ${dir}`;
}

function runtimeDirMissing(dir: string, host: RootlessHost): EngineError {
  return new EngineError(
    `rootless podman needs the runtime directory ${dir}, which does not exist (systemd-logind makes it at login)`,
    makeRuntimeDir(dir, host),
  );
}

/** What is wrong with another user's runtime directory DIR, and the fix. */
function notYours(dir: string, host: RootlessHost): { message: string; hint: string } {
  return {
    message: `XDG_RUNTIME_DIR=${dir} is not owned by ${host.user} (uid ${host.uid}): it was inherited from another user's session`,
    hint: `start a login session as ${host.user} (su - ${host.user}, machinectl shell ${host.user}@), or set XDG_RUNTIME_DIR=/run/user/${host.uid}`,
  };
}

function runtimeDirNotYours(dir: string, host: RootlessHost): EngineError {
  const { message, hint } = notYours(dir, host);
  return new EngineError(message, hint);
}

/** Whether NAME or UID has a line in a subid file; undefined when the file cannot be read. */
export function hasSubidRange(text: string, user: string, uid: number): boolean {
  return text.split('\n').some((line) => {
    const [owner, start, count] = line.trim().split(':');
    return (owner === user || owner === String(uid)) && Number(count) > 0 && start !== undefined && start !== '';
  });
}

/**
 * The host as /etc/subuid and /etc/subgid describe it. A host that serves subids from
 * elsewhere (nsswitch's subid: line, e.g. sssd) is "cannot tell", never "none".
 */
export function localRootlessHost(uid: number, user: string): RootlessHost {
  return {
    uid,
    user,
    hasSubids() {
      try {
        if (/^\s*subid\s*:/m.test(readFileSync('/etc/nsswitch.conf', 'utf8'))) return undefined;
      } catch {
        /* no nsswitch.conf: the files are the only source */
      }
      try {
        return ['/etc/subuid', '/etc/subgid'].every((f) => hasSubidRange(readFileSync(f, 'utf8'), user, uid));
      } catch (error) {
        // No file: no range. A file we may not read: cannot tell.
        return (error as NodeJS.ErrnoException).code === 'ENOENT' ? false : undefined;
      }
    },
  };
}

/**
 * Refuses an XDG_RUNTIME_DIR that cannot be this user's before anything uses it: toolbox keeps
 * its sessions there and rootless podman its state, and neither can work in another user's
 * directory (`sudo -u`, or `su` without `-`, pass root's on).
 */
export function checkRuntimeDirEnv(env: NodeJS.ProcessEnv, host: RootlessHost): ToolboxError | undefined {
  const dir = env.XDG_RUNTIME_DIR;
  if (!dir || host.uid === 0) return undefined;
  let owner: number;
  try {
    owner = lstatSync(dir).uid;
  } catch {
    return new ToolboxError(`XDG_RUNTIME_DIR=${dir} does not exist (systemd-logind makes it at login)`, {
      hint: makeRuntimeDir(dir, host),
    });
  }
  if (owner === host.uid) return undefined;
  const { message, hint } = notYours(dir, host);
  return new ToolboxError(message, { hint });
}
