// How commands reach the host: into the namespaces of host PID 1 (a toolbox shares the host's
// PID namespace), of another process (--host-pid, for tests and nested setups), or into a host
// root mounted at /host (what `kubectl debug node` gives a debug pod).
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { ToolboxError, UsageError } from '../core/errors.js';
import { capture, interactive, stream, type Captured, type Streaming } from '../os/runner.js';
import { checkPrivileges } from './privileges.js';

export type HostTarget = { kind: 'nsenter'; pid: number } | { kind: 'chroot'; root: string };

/** What the rest of host-update needs from the host; unit tests fake it. */
export interface HostPort {
  readonly target: HostTarget;
  capture(command: readonly string[]): Promise<Captured>;
  /** stoppable: kill() must end the command itself (a follower), not just the wrapper */
  stream(command: readonly string[], onOutput: (chunk: string) => void, options?: { stoppable?: boolean }): Streaming;
  interactive(command: readonly string[]): Promise<number>;
}

// The toolbox's environment (PATH, locale, TERM of the user's shell) means nothing on the host,
// and zypper's messages are parsed: run with a clean, fixed environment.
const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
const HOST_ENV = ['env', '-i', `PATH=${HOST_PATH}`, 'LC_ALL=C.UTF-8', 'HOME=/root'];
// What nsenter or chroot itself runs with. The first program they start is the HOST's env, as
// root: with the toolbox's environment (an image's LD_PRELOAD, GCONV_PATH...), the host's loader
// would run a file the image names, one any user may have planted on the host (issue 21, F2).
const WRAPPER_ENV = { PATH: HOST_PATH };

export function hostArgv(target: HostTarget, command: readonly string[]): [string, ...string[]] {
  if (target.kind === 'nsenter') {
    // --pid too: systemd-run resolves its command through the caller's PID namespace.
    return [
      'nsenter',
      `--target=${target.pid}`,
      '--mount',
      '--uts',
      '--ipc',
      '--net',
      '--pid',
      '--',
      ...HOST_ENV,
      ...command,
    ];
  }
  return ['chroot', target.root, ...HOST_ENV, ...command];
}

export interface TargetOptions {
  hostPid?: string | undefined;
  hostRoot?: string | undefined;
}

/** Picks the target: explicit options, then TOOLBOX_HOST_PID, then PID 1, then /host. */
export function resolveTarget(options: TargetOptions, env: NodeJS.ProcessEnv = process.env): HostTarget {
  const pidText = options.hostPid ?? (env.TOOLBOX_HOST_PID || undefined);
  if (options.hostRoot !== undefined && pidText !== undefined) {
    throw new UsageError('--host-pid and --host-root exclude each other', "run 'host-update --help' for usage");
  }
  if (options.hostRoot !== undefined) return { kind: 'chroot', root: options.hostRoot };
  if (pidText !== undefined) {
    if (!/^[1-9][0-9]*$/.test(pidText))
      throw new UsageError(`not a process ID: ${pidText}`, 'give --host-pid a positive number');
    return { kind: 'nsenter', pid: Number(pidText) };
  }
  // PID 1 is the host's init only when the toolbox shares the host's PID namespace; otherwise
  // it is the container's own keep-alive, in our own mount namespace. A debug pod has /host, and
  // may share the host's PIDs without the privilege to enter them: then /host is the way in.
  if (existsSync('/host/etc') && (sameMountNamespace(1) || !canEnterNamespaces()))
    return { kind: 'chroot', root: '/host' };
  return { kind: 'nsenter', pid: 1 };
}

function canEnterNamespaces(): boolean {
  try {
    checkPrivileges(processFacts(), 'nsenter');
    return true;
  } catch {
    return false;
  }
}

function processFacts() {
  return {
    uid: process.getuid?.() ?? 0,
    uidMap: readOr('/proc/self/uid_map', '0 0 4294967295'),
    status: readOr('/proc/self/status', ''),
  };
}

function sameMountNamespace(pid: number): boolean {
  try {
    return readlinkSync(`/proc/${pid}/ns/mnt`) === readlinkSync('/proc/self/ns/mnt');
  } catch {
    return false;
  }
}

/** Checks that the target is reachable from here, and why not when it is not. */
export function checkTarget(target: HostTarget): void {
  checkPrivileges(processFacts(), target.kind === 'nsenter' ? 'nsenter' : 'chroot');
  if (target.kind === 'chroot') {
    if (!existsSync(`${target.root}/etc`)) {
      throw new ToolboxError(`no host root at ${target.root}`, {
        hint: 'mount the host root there (kubectl debug node does), or use --host-pid',
      });
    }
    return;
  }
  if (!existsSync(`/proc/${target.pid}`)) {
    throw new ToolboxError(`host process ${target.pid} is not visible from this toolbox`, {
      hint: 'the toolbox must share the host PID namespace (a rootful toolbox does; --sandbox does not)',
    });
  }
  // Run on the host itself (not in a container), PID 1 shares our namespaces and entering them is harmless.
  const inContainer = existsSync('/run/.containerenv') || existsSync('/.dockerenv');
  if (inContainer && sameMountNamespace(target.pid)) {
    throw new ToolboxError(`process ${target.pid} runs inside this container, not on the host`, {
      hint: "use a rootful toolbox, which shares the host's PID namespace ('toolbox -r' or as root), without --sandbox",
    });
  }
}

function readOr(path: string, fallback: string): string {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return fallback;
  }
}

export function hostPort(target: HostTarget): HostPort {
  return {
    target,
    capture: (command) => {
      const [file, ...args] = hostArgv(target, command);
      return capture(file, args, { env: WRAPPER_ENV });
    },
    stream: (command, onOutput, options) => {
      const [file, ...args] = hostArgv(target, command);
      return stream(file, args, onOutput, { ownGroup: options?.stoppable === true, env: WRAPPER_ENV });
    },
    interactive: (command) => {
      const [file, ...args] = hostArgv(target, command);
      // Ctrl-C reaches the command on the host through the terminal; nothing to forward.
      return interactive(file, args, { env: WRAPPER_ENV, onSignal: () => {} });
    },
  };
}
