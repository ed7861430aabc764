import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { isAlive, listPids, parseStat, processStart, readProcLink, readStat } from '../../src/os/proc.js';
import { newestRoot, processesWithEnv, topProcess } from '../../src/os/processes.js';

// 22 fields: pid (comm) state ppid ... starttime is the 22nd.
const line = (pid: number, comm: string, ppid: number, start: number) =>
  `${String(pid)} (${comm}) S ${String(ppid)} 1 1 0 -1 4194560 100 0 0 0 0 0 0 0 20 0 1 0 ${String(start)} 0 0\n`;

describe('parseStat', () => {
  it.each([
    ['a plain name', 'sleep'],
    ['a name with spaces and parentheses, whole', 'a) S 1 (b'],
    ['a name that is only closing parentheses', ') )'],
  ])('reads the fields toolbox uses, with %s', (_, comm) => {
    expect(parseStat(line(42, comm, 7, 12345))).toEqual({ pid: 42, comm, state: 'S', ppid: 7, start: '12345' });
  });

  it('refuses a line cut short', () => {
    expect(parseStat('42 (sleep) S 7 1 1')).toBeUndefined();
    expect(parseStat('')).toBeUndefined();
  });
});

describe('the process table', () => {
  it('reads this process as the kernel shows it', () => {
    const own = readStat(process.pid);
    expect(own?.pid).toBe(process.pid);
    expect(own?.ppid).toBe(process.ppid);
    expect(own?.start).toMatch(/^\d+$/);
    expect(processStart(process.pid)).toBe(own?.start);
    expect(isAlive(process.pid, own?.start ?? '')).toBe(true);
    expect(isAlive(process.pid, '1')).toBe(false);
    expect(listPids()).toContain(process.pid);
  });

  it('reads a link of a process, and says undefined for one that cannot be read', () => {
    expect(readProcLink('self', 'cwd')).toBe(process.cwd());
    expect(readProcLink(process.pid, 'ns/pid')).toMatch(/^pid:\[\d+\]$/);
    expect(readProcLink(process.pid, 'ns/no-such-namespace')).toBeUndefined();
  });

  it('finds a tree of processes by its environment, and its top', async () => {
    const mark = `TB_PROC_TEST=${String(process.pid)}-${String(Date.now())}`;
    const [name, value] = mark.split('=') as [string, string];
    // sh starts sleep as its child (not exec'd: two commands), both inheriting the mark.
    const child = spawn('sh', ['-c', 'sleep 30; :'], { env: { ...process.env, [name]: value }, stdio: 'ignore' });
    try {
      let found: number[] = [];
      for (let i = 0; i < 200 && found.length < 2; i++) {
        await new Promise((r) => setTimeout(r, 10));
        found = processesWithEnv(mark);
      }
      expect(found).toHaveLength(2);
      expect(found).toContain(child.pid);
      expect(topProcess(found)).toBe(child.pid);
      expect(processesWithEnv(`${mark}x`)).toEqual([]);
    } finally {
      // sleep too, which would outlive its shell
      for (const pid of processesWithEnv(mark)) process.kill(pid, 'SIGKILL');
    }
  });
});

describe('newestRoot', () => {
  const stat = (pid: number, ppid: number, start: string) => ({ pid, comm: 'x', state: 'S', ppid, start });

  it('takes the most recently started process whose parent is outside the set', () => {
    expect(newestRoot([stat(10, 1, '500'), stat(11, 10, '900'), stat(20, 2, '700'), stat(21, 20, '800')])).toBe(20);
    expect(newestRoot([stat(10, 1, '99'), stat(20, 1, '100')])).toBe(20);
    expect(newestRoot([])).toBeUndefined();
  });

  it('skips a newer root that is not accepted, and never takes the child of a refused root for a root', () => {
    // 10: the keep-alive; 20: a host-side entry shell that joined the cgroups, newer; 21: its child.
    const stats = [stat(10, 1, '500'), stat(20, 2, '700'), stat(21, 20, '800')];
    expect(newestRoot(stats)).toBe(20);
    expect(newestRoot(stats, (pid) => pid !== 20)).toBe(10);
    expect(newestRoot(stats, () => false)).toBeUndefined();
  });
});
