import { spawn } from 'node:child_process';
import { afterEach, describe, expect, it } from 'vitest';
import { isKeepAlive } from '../../src/engine/keep-alive.js';
import { readProcBytes } from '../../src/os/proc.js';

const children: ReturnType<typeof spawn>[] = [];
afterEach(() => {
  for (const c of children.splice(0)) c.kill('SIGKILL');
});

/** Starts ARGV and waits until its /proc/PID/cmdline is WANT (it has exec'd, after unshare's work). */
async function started(argv: string[], want: string): Promise<number> {
  const child = spawn(argv[0]!, argv.slice(1), { stdio: 'ignore' });
  children.push(child);
  const pid = child.pid!;
  while (readProcBytes(pid, 'cmdline')?.toString() !== want) await new Promise((r) => setTimeout(r, 10));
  return pid;
}

describe('isKeepAlive', () => {
  it("takes only `sleep infinity` in a mount namespace other than ours (a container's)", async () => {
    // The keep-alive in a mount namespace of its own, as in a container (unshare needs root).
    if (process.getuid?.() === 0)
      expect(isKeepAlive(await started(['unshare', '-m', 'sleep', 'infinity'], 'sleep\0infinity\0'))).toBe(true);
    // `sleep infinity` in OUR mount namespace: a host-side process, whatever its cgroups.
    expect(isKeepAlive(await started(['sleep', 'infinity'], 'sleep\0infinity\0'))).toBe(false);
    // Another command (the runtime's init before its exec, an entry shell) is never taken.
    expect(isKeepAlive(await started(['sleep', '1000'], 'sleep\x001000\0'))).toBe(false);
    expect(isKeepAlive(process.pid)).toBe(false);
    expect(isKeepAlive(2 ** 22 + 1)).toBe(false);
  });
});
