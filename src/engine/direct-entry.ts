// Enters a running toolbox without the engine: join its cgroups, take its resource limits,
// enter its namespaces with nsenter, and exec the command with the container's environment,
// user and working directory. No second pty and no relay process: the command is the child of
// a waiting shell in our process group, so the terminal and signals reach it as they are.
// Anything uncertain means "unavailable", and the caller falls back to the engine's exec.
//
// The environment. The shell, prlimit and nsenter are the HOST's programs, run as root: they
// get a fixed PATH and nothing else, never the container's environment (an image's
// LD_PRELOAD, GCONV_PATH, LD_LIBRARY_PATH... would make the host's loader and libc run code the
// image names, as root, on the host). The container's environment is applied by the last exec,
// inside the container: the container's own `env -i`, exec'd by nsenter after it has entered
// the container's mount namespace and root, as podman exec applies it only inside. That needs an
// env command in the image (coreutils or busybox: every toolbox image has one); an image without
// one is entered by the engine. nsenter cannot do it itself: util-linux's --env (2.40) copies
// only the target's environment, and is missing from the util-linux of many hosts.
// The variables reach the shell in one variable of its own (a process's environment is readable
// by root only), never in its command line, which every user can read for as long as it waits.
// The shell splits them on newlines, so a value that holds one sends the entry to the engine.
import { isatty } from 'node:tty';
import type { BoxRecord, CaptureResult, DirectEntry, ExecRequest } from '../core/ports.js';
import { cgroupProcsFiles } from '../os/cgroups.js';
import { findOnPath } from '../os/path.js';
import { isAlive, isExecutableInRoot, readProcBytes, readProcLink, readProcText } from '../os/proc.js';
import { capture, interactive } from '../os/runner.js';
import { isKeepAlive } from './keep-alive.js';

/** The whole environment of every host-side process of an entry. */
const HOST_PATH = '/usr/sbin:/usr/bin:/sbin:/bin';
/** Where the container's environment travels to the shell, which unsets it before it execs. */
const ENV_VARIABLE = 'TOOLBOX_ENTER_ENV';
/** The env command inside the toolbox, in the order looked for. */
const ENV_COMMANDS = ['/usr/bin/env', '/bin/env'];

// Joins the cgroups named in its arguments, then runs the rest and exits with its status. A
// constant script: the paths and the command travel as arguments, never as code.
// Its arguments: N, N cgroup files, M, M words that end in `env -i --`, then the command. It
// places the K=V lines of $TOOLBOX_ENTER_ENV between the M words and the command (rotating the
// positional parameters: POSIX sh has no arrays) and unsets the variable, so no host program
// after it sees any of them.
// The shell waits instead of exec'ing because Node cannot name real-time signals: a command
// killed by SIGRTMIN+N would reach us as "exit 0". The shell reports every death as 128+N.
// Its traps keep it alive through the terminal's SIGINT/SIGQUIT/SIGHUP, which the command gets
// itself (a trapped signal is reset to the default in the command, unlike an ignored one);
// toolbox sends its own signals to the command, the shell's child (see commandOf). The shell's
// own stderr goes nowhere (it would print "Segmentation fault"); the command, exec'd from a
// subshell (so the same PID), gets the real one back and no extra descriptor.
const JOIN_CGROUPS = [
  'unset PWD OLDPWD; n=$1; shift; while [ "$n" -gt 0 ]; do echo $$ > "$1" || exit 125; shift; n=$((n-1)); done',
  'm=$1; shift; k=$(($# - m)); while [ "$m" -gt 0 ]; do set -- "$@" "$1"; shift; m=$((m-1)); done',
  `set -f; IFS='\n'; set -- "$@" $${ENV_VARIABLE}; unset ${ENV_VARIABLE} IFS`,
  'while [ "$k" -gt 0 ]; do set -- "$@" "$1"; shift; k=$((k-1)); done',
  'trap : HUP INT QUIT TERM USR1; exec 3>&2 2>/dev/null; (exec 2>&3 3>&-; exec "$@"); exit $?',
].join('; ');

const LIMITS: Record<string, string> = {
  'Max cpu time': 'cpu',
  'Max file size': 'fsize',
  'Max data size': 'data',
  'Max stack size': 'stack',
  'Max core file size': 'core',
  'Max resident set': 'rss',
  'Max processes': 'nproc',
  'Max open files': 'nofile',
  'Max locked memory': 'memlock',
  'Max address space': 'as',
  'Max file locks': 'locks',
  'Max pending signals': 'sigpending',
  'Max msgqueue size': 'msgqueue',
  'Max nice priority': 'nice',
  'Max realtime priority': 'rtprio',
  'Max realtime timeout': 'rttime',
};

function prlimitArgs(limits: string): string[] {
  const args: string[] = [];
  for (const line of limits.split('\n').slice(1)) {
    const name = Object.keys(LIMITS).find((n) => line.startsWith(n));
    if (!name) continue;
    const [soft, hard] = line.slice(name.length).trim().split(/\s+/);
    args.push(`--${LIMITS[name]}=${soft}:${hard}`);
  }
  return args;
}

function parseEnviron(raw: Buffer): Record<string, string> {
  const env: Record<string, string> = {};
  for (const entry of raw.toString('utf8').split('\0')) {
    const i = entry.indexOf('=');
    if (i > 0) env[entry.slice(0, i)] = entry.slice(i + 1);
  }
  return env;
}

/** The capability bounding set of a process, as a bit mask, from /proc/PID/status. */
function boundingSet(pid: number | 'self'): bigint | undefined {
  const hex = /^CapBnd:\s*([0-9a-f]+)$/m.exec(readProcText(pid, 'status') ?? '')?.[1];
  return hex === undefined ? undefined : BigInt(`0x${hex}`);
}

/**
 * The capabilities we hold and the toolbox does not, as setpriv's `-cap_N` list: an engine may
 * give a privileged container fewer than the host has (docker 20.10 knows none past
 * CAP_AUDIT_READ), and a command entered directly must hold no more than its exec would.
 * '' when the sets are equal; undefined when unknown, or when the toolbox holds more than we do.
 */
export function capabilitiesToDrop(theirs: bigint | undefined, ours: bigint | undefined): string | undefined {
  if (theirs === undefined || ours === undefined || (theirs & ~ours) !== 0n) return undefined;
  const drop: string[] = [];
  for (let bit = 0n, extra = ours & ~theirs; extra > 0n; bit++, extra >>= 1n)
    if (extra & 1n) drop.push(`-cap_${String(bit)}`);
  return drop.join(',');
}

/** The command: the waiting shell's child (the same PID through prlimit's and nsenter's execs). */
function commandOf(shellPid: number): number | undefined {
  const first = readProcText(shellPid, `task/${String(shellPid)}/children`)
    ?.trim()
    .split(' ')[0];
  return first ? Number(first) : undefined;
}

export class NsenterDirectEntry implements DirectEntry {
  private tools: { nsenter: string | undefined; prlimit: string | undefined } | undefined;
  private namespaces: { pid: number; flags: string[] | undefined } | undefined;
  private env: { pid: number; path: string | undefined } | undefined;
  /** '' when looked for and not found */
  private setpriv: string | undefined;

  constructor(private readonly trace?: (argv: readonly string[]) => void) {}

  unavailable(record: BoxRecord): string | undefined {
    if (process.getuid?.() !== 0) return 'only root enters toolboxes directly';
    if (!record.privileged) return 'the toolbox is sandboxed';
    if (!isAlive(record.pid, record.pidStart)) return 'the toolbox process changed';
    // The PID was found right after a start: it may still be the runtime's init (see isKeepAlive).
    if (!isKeepAlive(record.pid)) return "the toolbox process is not (yet) the toolbox's keep-alive";
    const flags = this.namespaceFlags(record.pid);
    if (!flags) return 'the toolbox has its own pid or user namespace';
    if (!flags.includes('--mount')) return 'the toolbox process is in our own mount namespace';
    // Resolved on our PATH now: the wrapper runs with a PATH of its own.
    this.tools ??= { nsenter: findOnPath('nsenter'), prlimit: findOnPath('prlimit') };
    for (const [tool, path] of Object.entries(this.tools)) if (!path) return `${tool} (util-linux) is not installed`;
    if (!this.envCommand(record.pid)) return `the toolbox has no env command (${ENV_COMMANDS.join(' or ')})`;
    return undefined;
  }

  /** The toolbox's env command (see the top of this file); kept per PID, like the namespaces. */
  private envCommand(pid: number): string | undefined {
    if (this.env?.pid !== pid) this.env = { pid, path: ENV_COMMANDS.find((path) => isExecutableInRoot(pid, path)) };
    return this.env.path;
  }

  /**
   * nsenter flags for the namespaces that differ from ours; pid and user must not differ.
   * Kept per PID: unavailable() and the entry that follows ask for the same process.
   */
  private namespaceFlags(pid: number): string[] | undefined {
    if (this.namespaces?.pid !== pid) this.namespaces = { pid, flags: this.readNamespaceFlags(pid) };
    return this.namespaces.flags;
  }

  private readNamespaceFlags(pid: number): string[] | undefined {
    const flags: string[] = [];
    const table: [string, string][] = [
      ['mnt', '--mount'],
      ['uts', '--uts'],
      ['ipc', '--ipc'],
      ['net', '--net'],
      ['cgroup', '--cgroup'],
      ['time', '--time'],
    ];
    for (const ns of ['pid', 'user']) {
      const theirs = readProcLink(pid, `ns/${ns}`);
      if (theirs === undefined || theirs !== readProcLink('self', `ns/${ns}`)) return undefined;
    }
    for (const [ns, flag] of table) {
      const theirs = readProcLink(pid, `ns/${ns}`);
      if (theirs === undefined) continue; // a kernel without this namespace type
      const ours = readProcLink('self', `ns/${ns}`);
      if (ours === undefined) return undefined;
      if (theirs !== ours) flags.push(flag);
    }
    return flags;
  }

  /** The wrapper's argv and environment, or undefined when anything is uncertain. */
  private plan(record: BoxRecord, request: ExecRequest): { args: string[]; env: Record<string, string> } | undefined {
    const cgroups = cgroupProcsFiles(record.pid, record.id);
    // Entering the pid namespace would make nsenter fork and stand between us and the command.
    const namespaces = this.namespaceFlags(record.pid);
    const { nsenter, prlimit } = this.tools ?? {};
    const envCommand = this.envCommand(record.pid);
    if (!cgroups || !namespaces || !nsenter || !prlimit || !envCommand) return undefined;
    // env would take a first word with "=" in it for a variable, not for the command.
    if (request.command[0]?.includes('=') !== false) return undefined;
    const drop = capabilitiesToDrop(boundingSet(record.pid), boundingSet('self'));
    if (drop === undefined) return undefined;
    // Only when the sets differ: setpriv narrows the bounding set, then becomes nsenter.
    const setpriv = drop ? (this.setpriv ??= findOnPath('setpriv') ?? '') : undefined;
    if (setpriv === '') return undefined;
    // The keep-alive process started in the image's working directory, as an exec would.
    const workdir = request.workdir ?? readProcLink(record.pid, 'cwd');
    if (workdir === undefined) return undefined;
    const environ = readProcBytes(record.pid, 'environ');
    const limitsText = readProcText(record.pid, 'limits');
    if (!environ || limitsText === undefined) return undefined;
    const entries = Object.entries({ ...parseEnviron(environ), ...request.env }).map(([k, v]) => `${k}=${v}`);
    // The shell splits the list on newlines (see JOIN_CGROUPS): a variable with one goes by the engine.
    if (entries.some((entry) => entry.includes('\n'))) return undefined;
    const limits = prlimitArgs(limitsText);
    // Validate once more right before entering: the PID must still be the toolbox's process.
    if (!isAlive(record.pid, record.pidStart)) return undefined;
    const [uid, gid] = (request.user ?? '0:0').split(':');
    const prefix = [
      prlimit,
      ...limits,
      '--',
      ...(setpriv ? [setpriv, '--bounding-set', drop, '--'] : []),
      nsenter,
      '--target',
      String(record.pid),
      ...namespaces,
      '--root',
      `--wdns=${workdir}`,
      '--setuid',
      uid ?? '0',
      '--setgid',
      gid ?? uid ?? '0',
      '--',
      envCommand,
      '-i',
      '--',
    ];
    const args = [
      '-c',
      JOIN_CGROUPS,
      'toolbox-enter',
      String(cgroups.length),
      ...cgroups,
      String(prefix.length),
      ...prefix,
      ...request.command,
    ];
    return { args, env: { PATH: HOST_PATH, [ENV_VARIABLE]: entries.join('\n') } };
  }

  async exec(record: BoxRecord, request: ExecRequest): Promise<number | undefined> {
    const plan = this.plan(record, request);
    if (!plan) return undefined;
    const { args, env } = plan;
    this.trace?.(['/bin/sh', ...args]);
    return interactive('/bin/sh', args, {
      cwd: '/',
      env,
      onSignal: (signal, childPid) => {
        // A terminal's Ctrl-C already reached the command, which shares our process group.
        if (signal === 'SIGINT' && isatty(0)) return;
        try {
          process.kill(commandOf(childPid) ?? childPid, signal);
        } catch {
          /* already gone */
        }
      },
    });
  }

  async capture(record: BoxRecord, request: ExecRequest, input?: string): Promise<CaptureResult | undefined> {
    const plan = this.plan(record, request);
    if (!plan) return undefined;
    this.trace?.(['/bin/sh', ...plan.args]);
    return capture('/bin/sh', plan.args, { env: plan.env, ...(input !== undefined ? { input } : {}) });
  }
}
