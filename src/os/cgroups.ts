// Finds the cgroup.procs files that put a process where a container's process is, on cgroup v1,
// v2 and hybrid hosts. Everything comes from /proc: the container's /proc/PID/cgroup and this
// process's view of the cgroup mounts.
import { existsSync } from 'node:fs';
import { readProcText } from './proc.js';

interface CgroupMount {
  v2: boolean;
  /** v1: the mount's super options, which name its controllers ("cpu", "name=systemd") */
  options: Set<string>;
  dir: string;
}

function cgroupMounts(mountinfo: string): CgroupMount[] {
  const mounts: CgroupMount[] = [];
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const [fstype, , superOptions] = right.split(' ');
    const [, , , root, dir] = left.split(' ');
    if (!dir || root !== '/' || (fstype !== 'cgroup' && fstype !== 'cgroup2')) continue;
    mounts.push({ v2: fstype === 'cgroup2', options: new Set((superOptions ?? '').split(',')), dir });
  }
  return mounts;
}

function mountFor(mounts: CgroupMount[], id: string, controllers: string): CgroupMount | undefined {
  if (id === '0' && controllers === '') return mounts.find((m) => m.v2);
  const wanted = controllers.split(',');
  return mounts.find((m) => !m.v2 && wanted.every((c) => m.options.has(c)));
}

/** The cgroup.procs files to write to join PID's cgroups; undefined when any is not found. */
export function cgroupProcsFiles(pid: number, mustContain: string): string[] | undefined {
  const theirs = readProcText(pid, 'cgroup');
  const ours = readProcText('self', 'cgroup');
  const mountinfo = readProcText('self', 'mountinfo');
  if (theirs === undefined || ours === undefined || mountinfo === undefined) return undefined;
  if (!theirs.includes(mustContain)) return undefined;
  const already = new Set(ours.split('\n'));
  const mounts = cgroupMounts(mountinfo);
  const files: string[] = [];
  for (const line of theirs.split('\n')) {
    // Hierarchies where we already sit in the same cgroup need nothing (and may not be mounted).
    if (!line || already.has(line)) continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    const id = line.slice(0, first);
    const controllers = line.slice(first + 1, second);
    const path = line.slice(second + 1);
    const mount = mountFor(mounts, id, controllers);
    if (!mount) {
      if (id === '0') continue; // a hybrid host may not mount the unified hierarchy
      return undefined;
    }
    const file = `${mount.dir}${path === '/' ? '' : path}/cgroup.procs`;
    if (!existsSync(file)) return undefined;
    files.push(file);
  }
  return files.length ? files : undefined;
}
