// Is a process a toolbox's keep-alive, the container's own first process? Entering anything else
// by its PID would enter the wrong namespaces or take the wrong environment: the runtime's init
// before it has exec'd the keep-alive (runc init: the container's mount namespace already, but
// runc's environment, with no PATH), or a host-side process that joined the container's cgroups.
import { KEEP_ALIVE } from './create-args.js';
import { readProcBytes, readProcLink } from '../os/proc.js';

/** The keep-alive's argv as /proc/PID/cmdline ends with it (an image's ENTRYPOINT may come first). */
const KEEP_ALIVE_CMDLINE = Buffer.from(`${KEEP_ALIVE.join('\0')}\0`);

/** True when PID runs the keep-alive command, in a mount namespace other than ours. */
export function isKeepAlive(pid: number): boolean {
  const cmdline = readProcBytes(pid, 'cmdline');
  if (!cmdline || !endsWith(cmdline, KEEP_ALIVE_CMDLINE)) return false;
  const theirs = readProcLink(pid, 'ns/mnt');
  return theirs !== undefined && theirs !== readProcLink('self', 'ns/mnt');
}

function endsWith(text: Buffer, tail: Buffer): boolean {
  return text.length >= tail.length && text.subarray(text.length - tail.length).equals(tail);
}
