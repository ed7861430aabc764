// One writer of config.json at a time. Every write is a read-modify-write (conf re-reads the file,
// changes a key, renames a new file over it), so two at once (two `config set`, an install and
// an upgrade) would each write what it read and lose the other's change. Each writer takes this
// lock, then reads, changes and writes: whatever the order, every change is kept.
//
// The lock is `config.json.lock` next to the file, a hard link to a file naming its owner
// (pid:start), as the state directory's locks are (src/state/file-lock.ts); one whose owner died
// is broken. It is synchronous, as the writes it guards are: it is held for one read and one
// write, milliseconds.
import { linkSync, mkdirSync, rmSync } from 'node:fs';
import { dirname } from 'node:path';
import { ToolboxError } from '../core/errors.js';
import { processStart } from '../os/proc.js';
import { breakIfStale, holder } from '../state/file-lock.js';
import { readPlain, writeNew } from '../state/private-dir.js';

const WAIT_MS = 60_000;
const nap = new Int32Array(new SharedArrayBuffer(4));
const sleep = (ms: number) => Atomics.wait(nap, 0, 0, ms);

export function withConfigLock<T>(file: string, write: () => T): T {
  const lock = `${file}.lock`;
  const mine = `${lock}.${process.pid}`;
  const self = `${process.pid}:${processStart(process.pid) ?? '0'}`;
  // The first write makes the directory, private (whatever the umask): a config directory others
  // could write would be refused when read (trusted-file.ts).
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  rmSync(mine, { force: true }); // left by a killed process with our (recycled) pid; never followed
  const started = Date.now();
  try {
    // The error as the file system gave it: the store names config.json and its fix (not the
    // state directory's, which is what writeNew says by default).
    writeNew(mine, self, (_path, error) => error); // on a full disk it may be made and not written, and goes again
    for (let delay = 1; ; delay = Math.min(delay * 2, 20)) {
      try {
        linkSync(mine, lock); // atomic; never follows a symlink at `lock`
        break;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      breakIfStale(lock);
      if (Date.now() - started > WAIT_MS)
        throw new ToolboxError(`timed out waiting for the lock of ${file} (${lock}): ${holder(lock)} holds it`, {
          hint: 'retry when that command has finished, or remove the lock file if no toolbox command runs',
        });
      sleep(delay);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return write();
  } finally {
    if (readPlain(lock) === self) rmSync(lock, { force: true });
  }
}
