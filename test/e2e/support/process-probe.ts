// What a running process is doing, read from /proc: the TCP ports it listens on, whether a
// signal is still pending, and whether it sits idle in its event loop.
import { readdirSync, readFileSync, readlinkSync } from 'node:fs';

/** TCP ports (v4 and v6) on which a socket of this process listens. */
export function listeningPorts(pid: number): number[] {
  const inodes = new Set<string>();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const m = /^socket:\[(\d+)\]$/.exec(readlinkSync(`/proc/${pid}/fd/${fd}`));
      if (m) inodes.add(m[1]!);
    } catch {
      /* closed meanwhile */
    }
  }
  const ports: number[] = [];
  for (const table of ['tcp', 'tcp6']) {
    for (const line of readFileSync(`/proc/${pid}/net/${table}`, 'utf8').split('\n').slice(1)) {
      const f = line.trim().split(/\s+/);
      // local_address is f[1] (ADDR:PORT in hex), st is f[3] (0A = LISTEN), inode is f[9]
      if (f[3] === '0A' && inodes.has(f[9]!)) ports.push(parseInt(f[1]!.split(':')[1]!, 16));
    }
  }
  return ports;
}

/** The signal is still pending for the process (its handler has not run yet). */
export function signalPending(pid: number, signo: number): boolean {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const bit = 1n << BigInt(signo - 1);
  return ['SigPnd', 'ShdPnd'].some(
    (key) => (BigInt(`0x${new RegExp(`^${key}:\\s*([0-9a-f]+)`, 'm').exec(status)![1]}`) & bit) !== 0n,
  );
}

// epoll_wait, epoll_pwait, epoll_pwait2 on x86_64; epoll_pwait, epoll_pwait2 on arm64.
const EPOLL: Record<string, number[]> = { x64: [232, 281, 441], arm64: [22, 441] };

/** The main thread waits in epoll: the event loop has nothing to do right now. */
export function idleInEventLoop(pid: number): boolean {
  try {
    const nr = Number(readFileSync(`/proc/${pid}/syscall`, 'utf8').split(' ')[0]);
    return (EPOLL[process.arch] ?? []).includes(nr);
  } catch {
    return false;
  }
}
