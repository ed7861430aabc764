// Finds a just-started container's first process from /proc: it sits in a cgroup named after
// the container id, and its parent (conmon, or containerd's shim) does not. No engine call.
import { readdirSync, readFileSync } from 'node:fs';

export function containerInitPid(id: string): number | undefined {
  const inside = new Map<number, { ppid: number; start: number }>();
  for (const entry of readdirSync('/proc')) {
    if (entry.charCodeAt(0) > 57) continue; // not a pid
    try {
      if (!readFileSync(`/proc/${entry}/cgroup`, 'utf8').includes(id)) continue;
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      inside.set(Number(entry), { ppid: Number(fields[1]), start: Number(fields[19]) });
    } catch {
      /* gone */
    }
  }
  // Called right after the engine started the container, under the toolbox's lock: the init
  // is the newest root. Older roots are processes of an earlier run that outlived its stop (a
  // container in the host pid namespace keeps them), and must never be taken for the toolbox.
  let best: { pid: number; start: number } | undefined;
  for (const [pid, { ppid, start }] of inside) {
    if (inside.has(ppid)) continue;
    if (!best || start > best.start) best = { pid, start };
  }
  return best?.pid;
}
