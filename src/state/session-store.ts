// Session accounting and the per-toolbox lock, in a runtime directory (gone at reboot).
// Starting a session, ending one and the auto-stop decision all happen under the lock, so a
// session can never be stopped under because another one ended at the same moment.
import { linkSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ToolboxError } from '../core/errors.js';
import type { BoxRecord, SessionStore } from '../core/ports.js';
import { isFrozen } from './frozen.js';
import { isAlive, processStart } from './process-start.js';

const LOCK_WAIT_MS = 120_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export class FileSessionStore implements SessionStore {
  private readonly self: string;

  constructor(private readonly dir: string) {
    this.self = `${process.pid}:${processStart(process.pid) ?? '0'}`;
  }

  private boxDir(name: string): string {
    return join(this.dir, name);
  }

  async withLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    const dir = this.boxDir(name);
    mkdirSync(join(dir, 'sessions'), { recursive: true, mode: 0o700 });
    const lock = join(dir, 'lock');
    const mine = join(dir, `lock.${process.pid}`);
    writeFileSync(mine, this.self);
    const deadline = Date.now() + LOCK_WAIT_MS;
    let delay = 2;
    try {
      for (;;) {
        try {
          linkSync(mine, lock); // atomic, and the lock names its owner from the first instant
          break;
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        }
        this.breakIfStale(lock);
        if (Date.now() > deadline) throw new ToolboxError(`timed out waiting for the lock of toolbox ${name} (${lock})`, { hint: 'another toolbox command holds it; retry, or remove the file if no toolbox command runs' });
        await sleep(delay);
        delay = Math.min(delay * 2, 50);
      }
    } finally {
      unlinkSync(mine);
    }
    try {
      return await fn();
    } finally {
      try {
        if (readFileSync(lock, 'utf8') === this.self) unlinkSync(lock);
      } catch {
        /* already released */
      }
    }
  }

  private breakIfStale(lock: string): void {
    let owner: string;
    try {
      owner = readFileSync(lock, 'utf8');
    } catch {
      return;
    }
    const [pid, start] = owner.split(':');
    if (pid && start && isAlive(Number(pid), start)) return;
    // The owner died holding it (SIGKILL). Move it aside first so only one breaker wins.
    const aside = `${lock}.stale.${process.pid}`;
    try {
      renameSync(lock, aside);
      if (readFileSync(aside, 'utf8') !== owner) {
        // Not the one we judged: put it back unless a new lock already took its place.
        try {
          linkSync(aside, lock);
        } catch {
          /* a new owner holds the lock now */
        }
      }
      unlinkSync(aside);
    } catch {
      /* someone else broke it */
    }
  }

  addSession(name: string): void {
    writeFileSync(join(this.boxDir(name), 'sessions', this.self.replace(':', '-')), '');
  }

  removeSession(name: string): void {
    rmSync(join(this.boxDir(name), 'sessions', this.self.replace(':', '-')), { force: true });
  }

  liveSessions(name: string): number {
    const dir = join(this.boxDir(name), 'sessions');
    let live = 0;
    let entries: string[] = [];
    try {
      entries = readdirSync(dir);
    } catch {
      return 0;
    }
    for (const entry of entries) {
      const [pid, start] = entry.split('-');
      if (`${pid}:${start}` === this.self) continue;
      if (pid && start && isAlive(Number(pid), start)) live++;
      else rmSync(join(dir, entry), { force: true });
    }
    return live;
  }

  readRecord(name: string): BoxRecord | undefined {
    try {
      return JSON.parse(readFileSync(join(this.boxDir(name), 'record.json'), 'utf8')) as BoxRecord;
    } catch {
      return undefined;
    }
  }

  writeRecord(name: string, record: BoxRecord): void {
    const dir = this.boxDir(name);
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const tmp = join(dir, `record.json.${process.pid}`);
    writeFileSync(tmp, JSON.stringify(record));
    renameSync(tmp, join(dir, 'record.json'));
  }

  isLive(record: BoxRecord): boolean {
    // Only a keep-alive process that still runs, unpaused, describes a running toolbox.
    return record.pid > 0 && isAlive(record.pid, record.pidStart) && !isFrozen(record.pid);
  }

  processStart(pid: number): string | undefined {
    return processStart(pid);
  }

  forget(name: string): void {
    rmSync(join(this.boxDir(name), 'record.json'), { force: true });
  }
}

