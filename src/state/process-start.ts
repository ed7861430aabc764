// A process's start time (field 22 of /proc/PID/stat): with the PID it names one process for
// good, since a recycled PID has a different start time.
import { readFileSync } from 'node:fs';

export function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}

export function isAlive(pid: number, start: string): boolean {
  return processStart(pid) === start;
}
