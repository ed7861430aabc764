// Writes to config.json go through conf: atomic (temp file + rename), mode 0600. A corrupt
// file is refused before conf sees it, so it is never overwritten. Each write takes the config
// lock (config-lock.ts) and reads the file under it, so concurrent writers never lose a change.
import { dirname } from 'node:path';
import type Conf from 'conf';
import { ToolboxError } from '../core/errors.js';
import { withConfigLock } from './config-lock.js';
import { readConfigFile, type ConfigData } from './read-config.js';

// conf (with its JSON-schema validator) takes longer to load than `toolbox list` takes to run,
// and only writes need it. So it is loaded on demand: every command path loads it before it runs
// (src/cli/toolbox.ts) except `toolbox list`'s lean one, which only reads, and `run`'s, whose one
// write (settling an interrupted upgrade) loads it first (ConfigGenerationStore.prepareWrites).
let ConfClass: typeof Conf | undefined;

export async function loadConfWriter(): Promise<void> {
  ConfClass ??= (await import('conf')).default;
}

export class ConfigStore {
  private conf: Conf<ConfigData> | undefined;

  constructor(readonly file: string) {}

  private open(): Conf<ConfigData> {
    readConfigFile(this.file); // throws, naming the file, when it is corrupt or unreadable
    const Writer = ConfClass;
    if (!Writer)
      throw new Error('ConfigStore: a write before loadConfWriter() (a path in src/cli/toolbox.ts skips it)');
    try {
      this.conf ??= atomically(
        () =>
          new Writer<ConfigData>({
            cwd: dirname(this.file),
            configName: 'config',
            projectName: 'toolbox',
            configFileMode: 0o600,
            accessPropertiesByDotNotation: false,
            clearInvalidConfig: false,
          }),
      );
    } catch (error) {
      throw this.writeError(error);
    }
    return this.conf;
  }

  read(): ConfigData {
    return readConfigFile(this.file);
  }

  get(key: string): unknown {
    return this.read()[key];
  }

  set(key: string, value: unknown): void {
    this.locked((conf) => {
      conf.set(key, value);
    });
  }

  /** Changes several keys in one atomic write, from what the file holds under the lock. */
  update(fn: (data: ConfigData) => ConfigData): void {
    this.locked((conf) => {
      conf.store = fn(this.read());
    });
  }

  delete(key: string): boolean {
    return this.locked((conf) => {
      if (!conf.has(key)) return false;
      conf.delete(key);
      return true;
    });
  }

  /** One read-modify-write under the lock; conf reads the file afresh in each call it makes. */
  private locked<T>(change: (conf: Conf<ConfigData>) => T): T {
    // A file that cannot be read, or is corrupt or untrusted, is named as such before any lock
    // file is made next to it.
    this.read();
    try {
      return withConfigLock(this.file, () => {
        const conf = this.open();
        return atomically(() => change(conf));
      });
    } catch (error) {
      if (error instanceof ToolboxError) throw error;
      throw this.writeError(error);
    }
  }

  private writeError(error: unknown): ToolboxError {
    const e = error as NodeJS.ErrnoException;
    const why =
      e.code === 'ENOSPC'
        ? 'the disk is full'
        : e.code === 'EROFS'
          ? 'the file system is read-only'
          : e.code === 'EACCES' || e.code === 'EPERM'
            ? 'permission denied'
            : e.message;
    return new ToolboxError(`cannot write ${this.file}: ${why} (the previous file is unchanged)`, {
      hint: 'free space or fix permissions, or point XDG_CONFIG_HOME at a writable directory',
    });
  }
}

/**
 * conf falls back to a plain, non-atomic write whenever SNAP is set (a workaround for snap
 * packages). toolbox is never a snap, and a stray SNAP in the environment must not turn a
 * full disk into a truncated config.json, so conf never sees it.
 */
function atomically<T>(write: () => T): T {
  const snap = process.env.SNAP;
  if (snap === undefined) return write();
  delete process.env.SNAP;
  try {
    return write();
  } finally {
    process.env.SNAP = snap;
  }
}
