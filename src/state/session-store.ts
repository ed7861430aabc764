// Session accounting, locks and cached records, in a private runtime directory (gone at reboot).
// Everything about a container lives under its full id (boxes/ID/); names only map to ids
// (names/NAME, confirmed against the engine's own index before use) and are claimed while a
// toolbox is created (claims/NAME/lock). Starting a session, ending one and the auto-stop
// decision all happen under the container's lock, so a session is never stopped under.
// Anything malformed inside the directory is discarded and rebuilt, with one warning.
// A removed container's directory goes with it (removed()), after its lock is released.
import { existsSync, readdirSync, rmdirSync, rmSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import type { BoxRecord, SessionStore } from '../core/ports.js';
import { withFileLock } from './file-lock.js';
import { indexConfirms } from './name-index.js';
import { privateDir, readPlain, replaceFile, StateRemovedError, UnsafeStateError, writeNew } from './private-dir.js';
import { isFrozen } from '../os/frozen.js';
import { isAlive, processStart } from '../os/proc.js';

// Ids and names become path components: nothing that could climb out of the directory.
const SAFE = /^[A-Za-z0-9][A-Za-z0-9_.-]*$/;

export interface StoreOptions {
  /** the top of the state directory, which must be the caller's own (default: dir) */
  top?: string | undefined;
  /** one line about state that was discarded */
  warn?: ((message: string) => void) | undefined;
  /** progress: a lock being waited for (a status line: terminal or --verbose) */
  status?: ((message: string) => void) | undefined;
}

export class FileSessionStore implements SessionStore {
  private readonly self: string;
  private readonly top: string;
  private readonly warn: (message: string) => void;
  private readonly status: (message: string) => void;
  private checked = new Set<string>();

  private get dir(): string {
    return typeof this.where === 'string' ? this.where : this.where();
  }
  /** containers removed under their lock: their directory goes once the lock is released */
  private gone = new Set<string>();

  /**
   * `where` as a function when the directory depends on what is known only at the first engine
   * call (the engine that answered it): asked at each use, which is before any state is written.
   */
  constructor(
    private readonly where: string | (() => string),
    options: StoreOptions = {},
  ) {
    this.self = `${process.pid}:${processStart(process.pid) ?? '0'}`;
    this.top = options.top ?? (typeof where === 'string' ? where : where());
    this.warn = options.warn ?? (() => undefined);
    this.status = options.status ?? (() => undefined);
  }

  /**
   * A private directory below the store. The top must already be the caller's own (else it is
   * refused); below it only the caller can write, so anything odd there (a file, a symlink, a
   * wrong mode) is corruption, not an attack: it is discarded and rebuilt.
   */
  private ensure(...parts: string[]): string {
    const path = join(this.dir, ...parts);
    if (this.checked.has(path)) return path;
    for (let tries = 0; ; tries++) {
      try {
        privateDir(path, this.top);
        break;
      } catch (error) {
        if (!(error instanceof UnsafeStateError) || !error.path.startsWith(`${this.top}/`) || tries > parts.length + 2)
          throw error;
        this.discard(error.path, error.why);
      }
    }
    this.checked.add(path);
    return path;
  }

  /** Writes a state file whole; an entry in its way that is not a file is discarded first. */
  private write(path: string, data: string): void {
    try {
      this.again(path, () => {
        replaceFile(path, data);
      });
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'EISDIR' && code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'ENOTDIR') throw error;
      this.discard(path, 'it is not a file');
      replaceFile(path, data);
    }
  }

  /**
   * Runs a write of `file`; when its directory is gone (someone removed the state directory
   * while this call ran), it is made again and the write done there, a few times at most.
   */
  private again(file: string, fn: () => void): void {
    const dir = dirname(file);
    for (let tries = 0; ; tries++) {
      try {
        fn();
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
        if (tries >= 3) throw new StateRemovedError(dir);
        this.checked.delete(dir);
        this.ensure(...relative(this.dir, dir).split('/').filter(Boolean));
      }
    }
  }

  private discard(path: string, why: string): void {
    this.warn(`discarding corrupt toolbox state ${path} (${why}); it is rebuilt`);
    rmSync(path, { recursive: true, force: true });
  }

  private boxDir(id: string): string {
    if (!SAFE.test(id)) throw new Error(`not a container id: ${JSON.stringify(id)}`);
    return this.ensure('boxes', id);
  }

  resolve(name: string): string | undefined {
    if (!SAFE.test(name)) return undefined;
    // Nothing is read from a directory someone else controls: checked before the first read,
    // so a planted directory is refused before the engine is even asked.
    if (!existsSync(this.top)) return undefined;
    this.ensure();
    const raw = readPlain(join(this.dir, 'names', name));
    if (raw === undefined) return undefined;
    let entry: { id?: unknown; index?: unknown };
    try {
      entry = JSON.parse(raw) as typeof entry;
    } catch {
      return undefined;
    }
    if (typeof entry.id !== 'string' || typeof entry.index !== 'string') return undefined;
    return indexConfirms(entry.index, entry.id, name) ? entry.id : undefined;
  }

  remember(name: string, id: string, index?: string): void {
    if (!SAFE.test(name) || !SAFE.test(id)) return;
    const file = join(this.ensure('names'), name);
    // A container just created was not inspected; it lives in the same index as the others
    // this engine showed (and if not, the index does not confirm it and the engine is asked).
    const lastIndex = join(this.dir, 'index');
    if (index === undefined) index = readPlain(lastIndex);
    else if (readPlain(lastIndex) !== index) this.write(lastIndex, index);
    if (index === undefined) {
      rmSync(file, { force: true, recursive: true });
      return;
    }
    const entry = JSON.stringify({ id, index });
    if (readPlain(file) !== entry) this.write(file, entry);
  }

  async withNameLock<T>(name: string, fn: () => Promise<T>): Promise<T> {
    if (!SAFE.test(name)) throw new Error(`not a toolbox name: ${JSON.stringify(name)}`);
    const dir = this.ensure('claims', name);
    // found gone (the state directory removed meanwhile): made again
    const again = () => {
      this.checked.delete(dir);
      this.ensure('claims', name);
    };
    return withFileLock(
      dir,
      { self: this.self, what: `toolbox ${name} (being created)`, onWait: this.status, again },
      fn,
    );
  }

  async withLock<T>(id: string, fn: () => Promise<T>, label?: string): Promise<T> {
    const dir = this.boxDir(id);
    // A caller that removed the container removes its directory too, after its lock is released
    // (see removed): a waiter that found the directory gone makes it again and takes the lock.
    const again = () => {
      this.checked.delete(dir);
      this.boxDir(id);
    };
    try {
      return await withFileLock(
        dir,
        { self: this.self, what: label ?? `container ${id.slice(0, 12)}`, onWait: this.status, again },
        fn,
      );
    } finally {
      if (this.gone.delete(id)) {
        this.checked.delete(dir);
        // Only when empty: a waiter's own file (lock.PID) or its lock keeps the directory, and no
        // one else can be inside it while we held the lock.
        try {
          rmdirSync(dir);
        } catch {
          /* not empty: someone waits for it, or took the lock already */
        }
      }
    }
  }

  async withWorkLock<T>(id: string, fn: () => Promise<T>, label?: string): Promise<T> {
    this.boxDir(id);
    const dir = this.ensure('boxes', id, 'work');
    return withFileLock(
      dir,
      { self: this.self, what: label ?? `work on container ${id.slice(0, 12)}`, onWait: this.status },
      fn,
    );
  }

  private sessionsDir(id: string): string {
    this.boxDir(id);
    return this.ensure('boxes', id, 'sessions');
  }

  addSession(id: string): void {
    const file = join(this.sessionsDir(id), this.self.replace(':', '-'));
    try {
      this.again(file, () => {
        writeNew(file, '');
      });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
  }

  removeSession(id: string): void {
    rmSync(join(this.sessionsDir(id), this.self.replace(':', '-')), { force: true });
  }

  liveSessions(id: string): number {
    const dir = this.sessionsDir(id);
    let live = 0;
    let entries: string[];
    try {
      entries = readdirSync(dir);
    } catch {
      return 0;
    }
    for (const entry of entries) {
      const [pid, start] = entry.split('-');
      if (`${pid}:${start}` === this.self) continue;
      if (pid && start && isAlive(Number(pid), start)) live++;
      else rmSync(join(dir, entry), { force: true, recursive: true });
    }
    return live;
  }

  readRecord(id: string): BoxRecord | undefined {
    const file = join(this.boxDir(id), 'record.json');
    const raw = readPlain(file);
    if (raw === undefined) return undefined;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      parsed = undefined;
    }
    if (isRecordOf(parsed, id)) return parsed;
    const named = parsed ? (parsed as { id?: unknown }).id : undefined;
    this.discard(file, parsed ? `it names container ${String(named).slice(0, 12)}` : 'not JSON');
    return undefined;
  }

  writeRecord(record: BoxRecord): void {
    this.write(join(this.boxDir(record.id), 'record.json'), JSON.stringify(record));
  }

  isLive(record: BoxRecord): boolean {
    // Only a keep-alive process that still runs, unpaused, describes a running toolbox.
    return record.pid > 0 && isAlive(record.pid, record.pidStart) && !isFrozen(record.pid);
  }

  processStart(pid: number): string | undefined {
    return processStart(pid);
  }

  forget(id: string): void {
    if (!SAFE.test(id)) return;
    rmSync(join(this.dir, 'boxes', id, 'record.json'), { force: true });
  }

  removed(id: string): void {
    if (!SAFE.test(id)) return;
    const dir = join(this.dir, 'boxes', id);
    if (!existsSync(dir)) return;
    // The caller holds the lock, so no session starts or ends meanwhile; the work lock's directory
    // goes only when empty (no one holds or waits for it). The directory itself: see withLock.
    rmSync(join(dir, 'record.json'), { force: true });
    rmSync(join(dir, 'sessions'), { recursive: true, force: true });
    this.checked.delete(join(dir, 'sessions'));
    try {
      rmdirSync(join(dir, 'work'));
      this.checked.delete(join(dir, 'work'));
    } catch {
      /* in use, or never made */
    }
    this.gone.add(id);
  }
}

/** Whether VALUE, read from a record file, is a record of the container ID. */
function isRecordOf(value: unknown, id: string): value is BoxRecord {
  if (!value || typeof value !== 'object') return false;
  const fields = value as Partial<Record<keyof BoxRecord, unknown>>;
  return fields.id === id && Number.isInteger(fields.pid) && typeof fields.pidStart === 'string';
}
