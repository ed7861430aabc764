import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { FileSessionStore } from '../../src/state/session-store.js';

const dir = () => mkdtempSync(join(tmpdir(), 'tb-sessions-'));

describe('FileSessionStore', () => {
  it('counts live sessions other than the caller and prunes dead ones', async () => {
    const d = dir();
    const store = new FileSessionStore(d);
    await store.withLock('tb', async () => store.addSession('tb'));
    // a session of a process that is gone (pid 1 with a start time that cannot match)
    writeFileSync(join(d, 'tb/sessions/1-999999999'), '');
    expect(store.liveSessions('tb')).toBe(0);
    expect(readdirSync(join(d, 'tb/sessions'))).toEqual([`${process.pid}-${readdirSync(join(d, 'tb/sessions'))[0]!.split('-')[1]}`]);
    store.removeSession('tb');
    expect(readdirSync(join(d, 'tb/sessions'))).toEqual([]);
  });

  it('serialises critical sections', async () => {
    const store = new FileSessionStore(dir());
    const order: string[] = [];
    const slow = store.withLock('tb', async () => {
      order.push('a-in');
      await new Promise((r) => setTimeout(r, 50));
      order.push('a-out');
    });
    const fast = store.withLock('tb', async () => void order.push('b'));
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-in', 'a-out', 'b']);
  });

  it('breaks a lock whose owner died', async () => {
    const d = dir();
    mkdirSync(join(d, 'tb/sessions'), { recursive: true });
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(d, 'tb/lock'), `${dead}:1`);
    const store = new FileSessionStore(d);
    expect(await store.withLock('tb', async () => 'got it')).toBe('got it');
  });

  it('a record is live only while its process runs', () => {
    const store = new FileSessionStore(dir());
    store.writeRecord('tb', { id: 'x', pid: process.pid, pidStart: store.processStart(process.pid)! });
    expect(store.isLive(store.readRecord('tb')!)).toBe(true);
    store.writeRecord('tb', { id: 'x', pid: process.pid, pidStart: '1' });
    expect(store.readRecord('tb')?.id).toBe('x');
    expect(store.isLive(store.readRecord('tb')!)).toBe(false);
    store.forget('tb');
    expect(store.readRecord('tb')).toBeUndefined();
  });
});
