// Files in toolbox's state directory are created so that nobody else can aim them elsewhere:
// the directory is the caller's own (lstat: a real directory, owned by the caller, mode 0700),
// and no write follows a symlink (O_NOFOLLOW, and O_EXCL for every new file). A directory that
// fails these checks is refused with one line, never used.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { dirname } from 'node:path';
import { ToolboxError } from '../core/errors.js';

const NOFOLLOW = constants.O_NOFOLLOW;

export class UnsafeStateError extends ToolboxError {
  constructor(
    readonly path: string,
    readonly why: string,
  ) {
    super(`refusing to use the state directory ${path}: ${why}`, {
      hint: `another user may have planted it; remove it (as root if need be), or set XDG_RUNTIME_DIR to a directory of your own`,
    });
  }
}

/** The state directory keeps vanishing under this call (someone removes it again and again). */
export class StateRemovedError extends ToolboxError {
  constructor(dir: string) {
    super(`the toolbox state in ${dir} was removed while this command ran`, {
      hint: 'run the command again once nothing removes it',
    });
  }
}

const uid = () => process.getuid?.() ?? 0;

function refuse(path: string, why: string): never {
  throw new UnsafeStateError(path, why);
}

/**
 * Makes `path` (and missing parents below an existing ancestor) as private directories, and
 * checks every component it made or will use: a directory, not a symlink, owned by the caller,
 * no access for group or others. The top, when it already exists, must pass the same checks.
 */
export function privateDir(path: string, top: string): void {
  if (path !== top && !path.startsWith(`${top}/`)) throw new Error(`${path} is not below ${top}`);
  checkParent(dirname(top));
  const parts = path.slice(top.length).split('/').filter(Boolean);
  let current = top;
  for (let i = 0; ; i++) {
    // Made only when missing (mkdir never follows a symlink in the last component); checked always.
    if (!lstatSync(current, { throwIfNoEntry: false })) {
      try {
        mkdirSync(current, { mode: 0o700 });
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw stateFailure(current, error);
      }
    }
    checkOwn(current);
    if (i >= parts.length) return;
    current = `${current}/${parts[i]}`;
  }
}

/** A directory the caller made and alone can change. */
export function checkOwn(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (error) {
    throw stateFailure(path, error);
  }
  if (st.isSymbolicLink()) refuse(path, 'it is a symbolic link');
  if (!st.isDirectory()) refuse(path, 'it is not a directory');
  if (st.uid !== uid()) refuse(path, `it is owned by uid ${st.uid}, not by you (uid ${uid()})`);
  if ((st.mode & 0o077) !== 0)
    refuse(path, `its mode is ${(st.mode & 0o777).toString(8)}, open to others (expected 700)`);
}

/** The directory holding the state directory: others must not be able to swap entries in it. */
function checkParent(path: string): void {
  let st;
  try {
    st = lstatSync(path);
  } catch (error) {
    throw stateFailure(path, error);
  }
  if (!st.isDirectory()) refuse(path, 'it is not a directory');
  const ownedRight = st.uid === uid() || st.uid === 0;
  const writableByOthers = (st.mode & 0o022) !== 0 && (st.mode & 0o1000) === 0; // sticky /tmp is fine
  if (!ownedRight || writableByOthers)
    refuse(path, `others can change it (owner uid ${st.uid}, mode ${(st.mode & 0o7777).toString(8)})`);
}

/** What a failed write in the state directory means, in words; undefined when it is not the place's fault. */
function placeFault(error: unknown): string | undefined {
  switch ((error as NodeJS.ErrnoException).code) {
    case 'ENOSPC':
    case 'EDQUOT':
      return 'the disk is full';
    case 'EROFS':
      return 'the file system is read-only';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      return undefined;
  }
}

/** Root's state directory is always /run/toolbox; anyone else may choose theirs. */
const STATE_HINT = () =>
  uid() === 0
    ? 'free space in /run or make it writable (toolbox keeps its state in /run/toolbox), then run the command again'
    : 'free space or fix permissions, or set XDG_RUNTIME_DIR to a directory of your own';

function stateFailure(path: string, error: unknown): ToolboxError {
  const why = placeFault(error) ?? (error as NodeJS.ErrnoException).code ?? (error as Error).message;
  return new ToolboxError(`cannot use the state directory ${path}: ${why}`, { hint: STATE_HINT() });
}

/**
 * A write in the state directory that failed because of the place (a full disk, a read-only
 * file system, permissions) becomes one line naming the file; any other failure is rethrown as
 * it is, for the caller to judge (EEXIST, ENOENT, EISDIR...).
 */
function writeFailure(path: string, error: unknown): unknown {
  const why = placeFault(error);
  if (why === undefined) return error;
  return new ToolboxError(`cannot write the toolbox state in ${dirname(path)}: ${why}`, { hint: STATE_HINT() });
}

/** Reads a regular file without following a symlink; undefined when it is missing or not a plain file. */
export function readPlain(path: string): string | undefined {
  let fd: number;
  try {
    fd = openSync(path, constants.O_RDONLY | NOFOLLOW | constants.O_NONBLOCK);
  } catch {
    return undefined;
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > 1 << 20) return undefined;
    const buf = Buffer.alloc(st.size);
    let off = 0;
    while (off < st.size) {
      const n = readSync(fd, buf, off, st.size - off, off);
      if (n === 0) break;
      off += n;
    }
    return buf.subarray(0, off).toString('utf8');
  } catch {
    return undefined;
  } finally {
    closeSync(fd);
  }
}

/** Creates a new file (O_EXCL: never an existing one, never through a symlink) holding data. */
export function writeNew(
  path: string,
  data: string,
  failure: (path: string, error: unknown) => unknown = writeFailure,
): void {
  let fd: number;
  try {
    fd = openSync(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | NOFOLLOW, 0o600);
  } catch (error) {
    throw failure(path, error);
  }
  try {
    let off = 0;
    const buf = Buffer.from(data);
    while (off < buf.length) off += writeSync(fd, buf, off);
  } catch (error) {
    // Half a file is worse than none (a lock naming no one, a record cut short): it goes.
    rmSync(path, { force: true });
    throw failure(path, error);
  } finally {
    closeSync(fd);
  }
}

/** Replaces a file atomically: written to a new private file, then renamed over the old one. */
export function replaceFile(path: string, data: string): void {
  const tmp = `${path}.${process.pid}.tmp`;
  rmSync(tmp, { force: true }); // a leftover of a killed writer with our (recycled) pid
  writeNew(tmp, data);
  try {
    renameSync(tmp, path);
  } catch (error) {
    rmSync(tmp, { force: true });
    throw writeFailure(path, error);
  }
}
