import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileSessionStore } from '../../src/state/session-store.js';

const ID = 'f2abdec7ca6d57d24ec9425263ee7d145b66107c37da5b9aa0ff85385d6f5949';
const made: string[] = [];
const dir = () => {
  const d = mkdtempSync(join(tmpdir(), 'tb-sessions-'));
  made.push(d);
  return d;
};
afterAll(() => {
  for (const d of made) {
    chmodSync(d, 0o700);
    rmSync(d, { recursive: true, force: true });
  }
});

/** This process's start time, read here rather than by the code under test: field 22 of its stat. */
function ownStart(): string {
  const stat = readFileSync('/proc/self/stat', 'utf8');
  const after = stat
    .slice(stat.lastIndexOf(')') + 1)
    .trim()
    .split(/\s+/); // fields 3 onwards
  const start = after[22 - 3];
  if (!start || !/^\d+$/.test(start)) throw new Error(`unexpected /proc/self/stat: ${stat}`);
  return start;
}

/** A critical section that does its work at once: what withLock runs, as a promise. */
const now =
  <T>(work: () => T) =>
  (): Promise<T> =>
    Promise.resolve(work());

describe('FileSessionStore', () => {
  it('counts live sessions other than the caller and prunes dead ones', async () => {
    const d = dir();
    const store = new FileSessionStore(d);
    await store.withLock(
      ID,
      now(() => {
        store.addSession(ID);
      }),
    );
    // a session of a process that is gone (pid 1 with a start time that cannot match)
    writeFileSync(join(d, `boxes/${ID}/sessions/1-999999999`), '');
    expect(store.liveSessions(ID)).toBe(0);
    expect(readdirSync(join(d, `boxes/${ID}/sessions`))).toEqual([`${process.pid}-${ownStart()}`]);
    store.removeSession(ID);
    expect(readdirSync(join(d, `boxes/${ID}/sessions`))).toEqual([]);
  });

  it('makes its directories again when the state directory is removed under it', async () => {
    const d = dir();
    const store = new FileSessionStore(d);
    await store.withLock(
      ID,
      now(() => {
        store.addSession(ID);
      }),
    );
    rmSync(d, { recursive: true, force: true }); // what it checked before is gone
    mkdirSync(d, { mode: 0o700 });
    store.writeRecord({ id: ID, pid: process.pid, pidStart: ownStart(), privileged: true });
    expect(readdirSync(join(d, `boxes/${ID}`))).toEqual(['record.json']);
    rmSync(join(d, 'boxes'), { recursive: true, force: true });
    await store.withLock(
      ID,
      now(() => {
        store.addSession(ID);
      }),
    );
    expect(readdirSync(join(d, `boxes/${ID}/sessions`))).toEqual([`${process.pid}-${ownStart()}`]);
  });

  it('serialises critical sections', async () => {
    const store = new FileSessionStore(dir());
    const order: string[] = [];
    const slow = store.withLock(ID, async () => {
      order.push('a-in');
      await new Promise((r) => setTimeout(r, 50));
      order.push('a-out');
    });
    const fast = store.withLock(
      ID,
      now(() => order.push('b')),
    );
    await Promise.all([slow, fast]);
    expect(order).toEqual(['a-in', 'a-out', 'b']);
  });

  it('breaks a lock whose owner died', async () => {
    const d = dir();
    mkdirSync(join(d, `boxes/${ID}/sessions`), { recursive: true, mode: 0o700 });
    const dead = spawnSync('sh', ['-c', 'echo $$']).stdout.toString().trim();
    writeFileSync(join(d, `boxes/${ID}/lock`), `${dead}:1`);
    const store = new FileSessionStore(d);
    expect(
      await store.withLock(
        ID,
        now(() => 'got it'),
      ),
    ).toBe('got it');
  });

  it('a removed container leaves no state directory, and a caller that knew the directory still gets the lock', async () => {
    const d = dir();
    const remover = new FileSessionStore(d);
    const other = new FileSessionStore(d);
    await other.withLock(
      ID,
      now(() => {
        other.addSession(ID);
      }),
    ); // knows (has checked) the directory
    other.removeSession(ID);
    remover.writeRecord({ id: ID, pid: process.pid, pidStart: '1' });
    await remover.withLock(
      ID,
      now(() => {
        remover.removed(ID);
      }),
    );
    expect(existsSync(join(d, 'boxes', ID))).toBe(false);
    expect(readdirSync(join(d, 'boxes'))).toEqual([]);
    expect(
      await other.withLock(
        ID,
        now(() => 'locked again'),
      ),
    ).toBe('locked again');
    expect(other.readRecord(ID)).toBeUndefined();
  });

  it('a removed container keeps its directory while another caller waits for its lock', async () => {
    const d = dir();
    const remover = new FileSessionStore(d);
    const waiter = new FileSessionStore(d);
    const order: string[] = [];
    let waiting: Promise<string> | undefined;
    await remover.withLock(ID, async () => {
      waiting = waiter.withLock(
        ID,
        now(() => {
          order.push('waiter');
          return 'got it';
        }),
      );
      // the waiter's own file is in the directory before the remover lets go
      for (let i = 0; i < 100 && readdirSync(join(d, 'boxes', ID)).length < 2; i++)
        await new Promise((r) => setTimeout(r, 5));
      remover.removed(ID);
      order.push('remover');
    });
    expect(await waiting).toBe('got it');
    expect(order).toEqual(['remover', 'waiter']);
  });

  it('a record is live only while its process runs', () => {
    const store = new FileSessionStore(dir());
    expect(store.processStart(process.pid)).toBe(ownStart());
    store.writeRecord({ id: ID, pid: process.pid, pidStart: ownStart() });
    expect(store.isLive(store.readRecord(ID)!)).toBe(true);
    store.writeRecord({ id: ID, pid: process.pid, pidStart: '1' });
    expect(store.readRecord(ID)?.id).toBe(ID);
    expect(store.isLive(store.readRecord(ID)!)).toBe(false);
    store.forget(ID);
    expect(store.readRecord(ID)).toBeUndefined();
  });

  it("resolves a cached name only while the engine's index confirms id and name", () => {
    const d = dir();
    const index = join(d, 'containers.json');
    writeFileSync(index, JSON.stringify([{ id: ID, names: ['rt-1'] }]));
    const store = new FileSessionStore(d);
    store.remember('rt-1', ID, index);
    expect(store.resolve('rt-1')).toBe(ID);
    // podman rename rt-1 rt-1b rewrites the index: the cached name no longer counts
    writeFileSync(index, JSON.stringify([{ id: ID, names: ['rt-1b'] }]));
    expect(store.resolve('rt-1')).toBeUndefined();
    // removed, or the index unreadable: ask the engine
    writeFileSync(index, '[]');
    expect(store.resolve('rt-1')).toBeUndefined();
    writeFileSync(index, 'garbage');
    expect(store.resolve('rt-1')).toBeUndefined();
    expect(store.resolve('never-seen')).toBeUndefined();
  });

  it('refuses a state directory it does not own or that others can write', async () => {
    const d = dir();
    chmodSync(d, 0o777);
    const store = new FileSessionStore(join(d, 'podman'), { top: d });
    await expect(
      store.withLock(
        ID,
        now(() => 1),
      ),
    ).rejects.toThrow(`refusing to use the state directory ${d}: its mode is 777, open to others (expected 700)`);
    const t = dir();
    symlinkSync(d, join(t, 'top'));
    const linked = new FileSessionStore(join(t, 'top', 'podman'), { top: join(t, 'top') });
    expect(() => linked.readRecord(ID)).toThrow(
      `refusing to use the state directory ${join(t, 'top')}: it is a symbolic link`,
    );
    // $XDG_RUNTIME_DIR (the parent) open to others: they could swap the directory itself
    const x = dir();
    chmodSync(x, 0o777);
    const xdg = new FileSessionStore(join(x, 'toolbox', 'podman'), { top: join(x, 'toolbox') });
    expect(() => xdg.readRecord(ID)).toThrow(
      `refusing to use the state directory ${x}: others can change it (owner uid ${process.getuid!()}, mode 777)`,
    );
  });

  it('discards and rebuilds malformed state below its own directory, one warning each', async () => {
    const d = dir();
    const warnings: string[] = [];
    const store = new FileSessionStore(join(d, 'podman'), { top: d, warn: (m) => warnings.push(m) });
    const box = join(d, 'podman', 'boxes', ID);
    mkdirSync(box, { recursive: true, mode: 0o700 });
    writeFileSync(join(box, 'sessions'), 'a file');
    mkdirSync(join(box, 'lock')); // a lock no process can own
    mkdirSync(join(box, 'record.json'));
    expect(
      await store.withLock(
        ID,
        now(() => {
          store.addSession(ID);
          return store.liveSessions(ID);
        }),
      ),
    ).toBe(0);
    store.writeRecord({ id: ID, pid: 1, pidStart: '1' });
    expect(store.readRecord(ID)).toEqual({ id: ID, pid: 1, pidStart: '1' });
    writeFileSync(join(box, 'record.json'), JSON.stringify({ id: 'f'.repeat(64), pid: 1, pidStart: '1' }));
    expect(store.readRecord(ID)).toBeUndefined();
    writeFileSync(join(box, 'record.json'), JSON.stringify({ id: ID, pid: '1', pidStart: '1' }));
    expect(store.readRecord(ID)).toBeUndefined();
    writeFileSync(join(box, 'record.json'), '{"id": "');
    expect(store.readRecord(ID)).toBeUndefined();
    writeFileSync(join(box, 'record.json'), 'null');
    expect(store.readRecord(ID)).toBeUndefined();
    expect(warnings).toEqual([
      `discarding corrupt toolbox state ${box}/sessions (it is not a directory); it is rebuilt`,
      `discarding corrupt toolbox state ${box}/record.json (it is not a file); it is rebuilt`,
      `discarding corrupt toolbox state ${box}/record.json (it names container ffffffffffff); it is rebuilt`,
      `discarding corrupt toolbox state ${box}/record.json (it names container ${ID.slice(0, 12)}); it is rebuilt`,
      `discarding corrupt toolbox state ${box}/record.json (not JSON); it is rebuilt`,
      `discarding corrupt toolbox state ${box}/record.json (not JSON); it is rebuilt`,
    ]);
  });
});
