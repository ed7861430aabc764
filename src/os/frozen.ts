// Whether a process sits in a frozen cgroup, which is what `podman pause` does to a container.
// A paused toolbox's keep-alive process is still alive, so the cached record would look valid,
// but the engine refuses to exec into it; the caller takes the slow path and unpauses it.
import { readFileSync } from 'node:fs';
import { readProcText } from './proc.js';

export function isFrozen(pid: number): boolean {
  const text = readProcText(pid, 'cgroup');
  if (text === undefined) return false;
  const lines = text.split('\n');
  const v1 = lines.find((l) => /^\d+:([^:]*,)?freezer(,[^:]*)?:/.test(l));
  if (v1)
    return /^(FROZEN|FREEZING)/.test(
      readOr(`/sys/fs/cgroup/freezer${v1.slice(v1.lastIndexOf(':') + 1)}/freezer.state`),
    );
  const v2 = lines.find((l) => l.startsWith('0::'));
  if (v2) return /^frozen 1$/m.test(readOr(`/sys/fs/cgroup${v2.slice(3)}/cgroup.events`));
  return false;
}

function readOr(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}
