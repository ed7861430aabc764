// Config files are trusted only when nobody but the caller and root could have written them:
// config.json holds collectors, commands that `collect` runs as root in a privileged toolbox,
// and a toolboxrc names the image a toolbox runs. So a file whose owner is someone else, or that
// group or others may write, is refused, and so is one in a directory (or below one) that someone
// else could change, since they could replace the file. This is the rule ssh's StrictModes
// applies. A missing file is no file: nothing is read.
import { closeSync, constants, fstatSync, openSync, readSync, realpathSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { ToolboxError } from '../core/errors.js';

export interface Ownership {
  uid: number;
  mode: number;
}

/**
 * Why `caller` must not trust a file (or directory) with this owner and mode; undefined when it
 * may. A sticky directory (/tmp) is fine writable by all: nobody can replace another's entry there.
 */
export function distrust(st: Ownership, caller: number, directory: boolean): string | undefined {
  if (st.uid !== caller && st.uid !== 0) return `owned by uid ${st.uid}, not by you (uid ${caller}) or root`;
  const sticky = directory && (st.mode & 0o1000) !== 0;
  if ((st.mode & 0o022) !== 0 && !sticky) {
    const who = (st.mode & 0o020) !== 0 ? ((st.mode & 0o002) !== 0 ? 'group and others' : 'its group') : 'others';
    return `writable by ${who} (mode ${(st.mode & 0o7777).toString(8)})`;
  }
  return undefined;
}

export class UntrustedConfigError extends ToolboxError {
  /** `subject`: "it", or the path at fault and what it is to the file ("/x, its directory") */
  constructor(file: string, subject: string, path: string, why: string, fix: string) {
    super(`refusing to read ${file}: ${subject} is ${why}`, {
      hint: `someone else could have written it; if you trust it, ${fix} ${path}, or point XDG_CONFIG_HOME (or HOME) at a directory of your own`,
    });
    this.name = 'UntrustedConfigError';
  }
}

const uid = () => process.getuid?.() ?? 0;

/**
 * The first directory of `real` (a path with no symlink in it: realpath's), its own first and up
 * to /, that `caller` must not trust, with its owner and mode and why; undefined when all pass.
 */
export function untrustedDirectoryOf(
  real: string,
  caller: number,
): { dir: string; st: Ownership; why: string } | undefined {
  for (let dir = dirname(real); ; dir = dirname(dir)) {
    const st = statSync(dir);
    const why = distrust(st, caller, true);
    if (why) return { dir, st, why };
    if (dir === '/') return undefined;
  }
}

/**
 * The text of `file` when the caller may trust it; undefined when it is missing. Throws an
 * UntrustedConfigError naming it otherwise, and an fs error (with its code) when it cannot be read.
 */
export function readTrustedFile(file: string): string | undefined {
  let real: string;
  try {
    real = realpathSync(file); // the file a symlink (a dotfiles checkout) leads to is the one read
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return undefined;
    throw error;
  }
  const caller = uid();
  const refuse = (path: string, subject: string, st: Ownership, directory: boolean) => {
    const why = distrust(st, caller, directory);
    if (!why) return;
    const owned = st.uid === caller || st.uid === 0;
    const fix = owned ? 'chmod go-w' : `chown ${caller === 0 ? 'root' : caller}`;
    throw new UntrustedConfigError(file, subject, path, why, fix);
  };
  const self = file === real ? 'it' : `${real}, where it leads,`;
  refuse(real, self, statSync(real), false);
  // Every directory of the real path, its own first and up to /: all real (realpath), no symlink.
  const above = untrustedDirectoryOf(real, caller);
  if (above) {
    const { dir, st } = above;
    refuse(dir, `${dir}, ${dir === dirname(real) ? 'its directory' : 'a directory above it'},`, st, true);
  }
  // O_NOFOLLOW, and checked again: the file read is the file checked, whatever changed meanwhile.
  const fd = openSync(real, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  try {
    refuse(real, self, fstatSync(fd), false);
    const chunks: Buffer[] = [];
    for (;;) {
      const chunk = Buffer.allocUnsafe(65536);
      const n = readSync(fd, chunk, 0, chunk.length, null);
      if (n === 0) break;
      chunks.push(chunk.subarray(0, n));
    }
    return Buffer.concat(chunks).toString('utf8');
  } finally {
    closeSync(fd);
  }
}
