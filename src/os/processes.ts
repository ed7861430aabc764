// Searches over the process table: the processes that carry a mark (an environment entry, a
// cgroup), and the top of such a set. No engine call: toolboxes share the host pid namespace,
// so their processes are visible in /proc; a sandboxed one's are too, since its namespace is a
// child of the host's.
import { listPids, readProcBytes, readProcText, readStat, type ProcStat } from './proc.js';

/**
 * Every process, this one excepted, whose environment holds ENTRY ("NAME=value"). Children
 * inherit the environment, so this is a whole tree of processes, not only its top.
 */
export function processesWithEnv(entry: string): number[] {
  const needle = Buffer.from(`${entry}\0`);
  return listPids().filter(
    (pid) => pid !== process.pid && (readProcBytes(pid, 'environ')?.indexOf(needle) ?? -1) !== -1,
  );
}

/** The first process of the set whose parent is outside it: the top of a tree of processes. */
export function topProcess(pids: readonly number[]): number | undefined {
  const set = new Set(pids);
  return pids.find((pid) => {
    const stat = readStat(pid);
    return stat !== undefined && !set.has(stat.ppid);
  });
}

/** Every process whose /proc/PID/cgroup names TEXT (e.g. a container id), with its stat. */
export function processesInCgroup(text: string): ProcStat[] {
  const found: ProcStat[] = [];
  for (const pid of listPids()) {
    if (!readProcText(pid, 'cgroup')?.includes(text)) continue;
    const stat = readStat(pid);
    if (stat) found.push(stat);
  }
  return found;
}

/**
 * Of a set of processes, the most recently started one whose parent is outside the set and that
 * ACCEPT takes. Roots are found in the whole set first: a child whose parent is refused is still
 * no root.
 */
export function newestRoot(
  stats: readonly ProcStat[],
  accept: (pid: number) => boolean = () => true,
): number | undefined {
  const pids = new Set(stats.map((s) => s.pid));
  let best: ProcStat | undefined;
  for (const stat of stats) {
    if (pids.has(stat.ppid) || !accept(stat.pid)) continue;
    if (!best || Number(stat.start) > Number(best.start)) best = stat;
  }
  return best?.pid;
}
