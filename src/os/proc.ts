// The one reader of the process table (/proc): what a process is (its stat line), which
// processes exist, and the files of one process. Every read may find the process gone; then
// the answer is undefined, never an exception.
import { lstatSync, readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** The fields of /proc/PID/stat that toolbox uses (proc(5) numbers them from 1). */
export interface ProcStat {
  pid: number;
  /** field 2: the command name, which may itself hold spaces and parentheses */
  comm: string;
  /** field 3: R, S, D, Z, T... */
  state: string;
  /** field 4 */
  ppid: number;
  /**
   * field 22, in clock ticks since boot: with the pid it names one process for good, since a
   * recycled pid has a different start time. Kept as the text the kernel wrote.
   */
  start: string;
}

/**
 * One /proc/PID/stat line. The command name sits in parentheses and may contain any byte but
 * NUL, ") " included, so the fields after it are found from the LAST closing parenthesis.
 */
export function parseStat(text: string): ProcStat | undefined {
  const open = text.indexOf(' (');
  const close = text.lastIndexOf(')');
  if (open < 0 || close < open) return undefined;
  const fields = text.slice(close + 2).split(' ');
  const [state, ppid] = fields;
  const start = fields[19];
  if (state === undefined || ppid === undefined || start === undefined) return undefined;
  return { pid: Number(text.slice(0, open)), comm: text.slice(open + 2, close), state, ppid: Number(ppid), start };
}

export function readStat(pid: number): ProcStat | undefined {
  const text = readProcText(pid, 'stat');
  return text === undefined ? undefined : parseStat(text);
}

/** The start time of a live process, or undefined when there is none with that pid. */
export function processStart(pid: number): string | undefined {
  return readStat(pid)?.start;
}

/** Whether the process that had this pid and start time still runs. */
export function isAlive(pid: number, start: string): boolean {
  return processStart(pid) === start;
}

/** Every pid in /proc now (processes come and go while the caller looks at them). */
export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .map(Number);
}

/** /proc/PID/NAME as text ("cgroup", "cmdline", "task/PID/children"...); undefined when unreadable. */
export function readProcText(pid: number | 'self', name: string): string | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/${name}`, 'utf8');
  } catch {
    return undefined; // gone, or not ours to read
  }
}

/** Where the link /proc/PID/NAME points (ns/net, cwd); undefined when it cannot be read. */
export function readProcLink(pid: number | 'self', name: string): string | undefined {
  try {
    return readlinkSync(`/proc/${String(pid)}/${name}`);
  } catch {
    return undefined; // gone, not ours to read, or (ns/time) a kernel without that namespace
  }
}

/** /proc/PID/NAME as bytes (an environment is not text until split); undefined when unreadable. */
export function readProcBytes(pid: number, name: string): Buffer | undefined {
  try {
    return readFileSync(`/proc/${String(pid)}/${name}`);
  } catch {
    return undefined;
  }
}

/**
 * Whether PATH names an executable regular file in the file system PID sees (its root, its
 * mounts). Symlinks are followed by hand, an absolute one from that root: through
 * /proc/PID/root the kernel would resolve it against our own root, and answer about the host.
 */
export function isExecutableInRoot(pid: number, path: string): boolean {
  const root = `/proc/${String(pid)}/root`;
  let pending = path.split('/').filter(Boolean);
  let resolved: string[] = [];
  for (let links = 0; pending.length > 0;) {
    const [part, ...rest] = pending as [string, ...string[]];
    pending = rest;
    if (part === '.') continue;
    if (part === '..') {
      resolved.pop();
      continue;
    }
    const here = `${root}/${[...resolved, part].join('/')}`;
    let stats;
    try {
      stats = lstatSync(here);
    } catch {
      return false;
    }
    if (!stats.isSymbolicLink()) {
      if (pending.length > 0 && !stats.isDirectory()) return false;
      resolved.push(part);
      if (pending.length === 0) return stats.isFile() && (stats.mode & 0o111) !== 0;
      continue;
    }
    if (++links > 40) return false; // a loop, as the kernel counts (ELOOP)
    let target: string;
    try {
      target = readlinkSync(here);
    } catch {
      return false;
    }
    if (target.startsWith('/')) resolved = [];
    pending = [...target.split('/').filter(Boolean), ...pending];
  }
  return false; // the root itself, or a path that ends in a directory
}
