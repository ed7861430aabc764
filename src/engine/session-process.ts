// Finds the top process of an exec session by the marker in its environment. Toolboxes share
// the host pid namespace, so the process is visible in /proc; a sandboxed one is too, since its
// namespace is a child of the host's.
import { readdirSync, readFileSync } from 'node:fs';

export function findSessionProcess(marker: string): number | undefined {
  const marked = new Set(findMarkedProcesses(marker));
  for (const pid of marked) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!marked.has(Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]))) return pid;
    } catch {
      /* exited */
    }
  }
  return undefined;
}

/**
 * Every process of an exec session, its children included (they inherit the marker). A command
 * killed at a deadline must not live on inside the toolbox: killing the engine's client does not
 * end what it started there.
 */
export function findMarkedProcesses(marker: string): number[] {
  const needle = Buffer.from(`TOOLBOX_SESSION=${marker}\0`);
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      if (readFileSync(`/proc/${entry}/environ`).indexOf(needle) !== -1) pids.push(Number(entry));
    } catch {
      /* exited or not ours to read */
    }
  }
  return pids;
}
