// Wrappers on the host (src/core/export/export-files.ts): read with O_NOFOLLOW and a size cap,
// written as a new file in the same directory (O_EXCL) and renamed over the name only after the
// name was checked to be free or to hold exactly the wrapper it replaces. Only a directory owned
// by root or the caller, and writable by nobody else, is written to.
import {
  closeSync,
  constants,
  fstatSync,
  lstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readSync,
  renameSync,
  rmSync,
  statSync,
  writeSync,
  fsyncSync,
} from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { ExportFiles, WrapperSlot } from '../core/export/export-files.js';
import { parseWrapper, WRAPPER_MAX_BYTES, type ExportRecord } from '../core/export/wrapper.js';
import { ToolboxError } from '../core/errors.js';
import { untrustedPath } from './trusted-path.js';

const uid = () => process.getuid?.() ?? 0;

function cannot(dir: string, why: string, hint = 'choose another directory with --dir DIR'): ToolboxError {
  return new ToolboxError(`cannot export to ${dir}: ${why}`, { hint });
}

function failure(dir: string, error: unknown): ToolboxError {
  const code = (error as NodeJS.ErrnoException).code;
  const why =
    code === 'EROFS'
      ? 'the file system is read-only'
      : code === 'ENOSPC'
        ? 'the disk is full'
        : code === 'EACCES' || code === 'EPERM'
          ? 'permission denied'
          : (code ?? (error as Error).message);
  return cannot(dir, why);
}

/** The file's bytes when it is a regular file no bigger than a wrapper; undefined when absent. */
function readSmall(file: string): { text: string } | 'other' | undefined {
  let fd: number;
  try {
    fd = openSync(file, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'ENOENT' ? undefined : 'other'; // ELOOP: a symlink
  }
  try {
    const st = fstatSync(fd);
    if (!st.isFile() || st.size > WRAPPER_MAX_BYTES) return 'other';
    const buffer = Buffer.alloc(WRAPPER_MAX_BYTES + 1);
    const n = readSync(fd, buffer, 0, buffer.length, 0);
    return { text: buffer.subarray(0, n).toString('utf8') };
  } finally {
    closeSync(fd);
  }
}

export class HostExportFiles implements ExportFiles {
  prepareDir(dir: string, create: boolean): void {
    if (!dir.startsWith('/')) throw cannot(dir, 'not an absolute path', 'give --dir an absolute path');
    let st = lstatSync(dir, { throwIfNoEntry: false });
    if (!st && create) {
      try {
        mkdirSync(dir, { recursive: true, mode: 0o755 });
      } catch (error) {
        throw failure(dir, error);
      }
      st = lstatSync(dir, { throwIfNoEntry: false });
    }
    if (!st) throw cannot(dir, 'no such directory', `make it first (mkdir -p ${dir}), or choose another with --dir`);
    if (st.isSymbolicLink()) throw cannot(dir, 'it is a symbolic link', 'give the directory it points to');
    if (!st.isDirectory()) throw cannot(dir, 'not a directory');
    if (st.uid !== 0 && st.uid !== uid()) throw cannot(dir, `it belongs to uid ${st.uid}, neither root nor you`);
    if ((st.mode & 0o022) !== 0)
      throw cannot(dir, 'others may write to it', `make it writable by its owner alone (chmod go-w ${dir})`);
    this.checkTrusted(dir);
  }

  /**
   * Before every write and removal, and before a directory's wrappers are read: the whole path
   * must be one that only root and the caller could have changed since, or a directory swapped
   * for a link could aim root's write or unlink elsewhere.
   */
  private checkTrusted(dir: string): void {
    const why = untrustedPath(dir, { directory: true });
    if (why) throw cannot(dir, why, 'choose a directory that only root (or you) can change, with --dir DIR');
  }

  slot(dir: string, name: string): WrapperSlot {
    const found = readSmall(join(dir, name));
    if (found === undefined) return { kind: 'free' };
    if (found === 'other') return { kind: 'foreign' };
    const record = parseWrapper(found.text);
    return record && record.name === name ? { kind: 'ours', record, text: found.text } : { kind: 'foreign' };
  }

  wrappers(dir: string): ExportRecord[] {
    // A recorded directory that is gone, or that someone else could change now, holds nothing of ours.
    if (untrustedPath(dir, { directory: true }) !== undefined) return [];
    let names: string[];
    try {
      names = readdirSync(dir);
    } catch {
      return [];
    }
    const out: ExportRecord[] = [];
    for (const name of names.sort()) {
      const slot = this.slot(dir, name);
      if (slot.kind === 'ours') out.push(slot.record);
    }
    return out;
  }

  write(dir: string, name: string, text: string, replacing?: string): void {
    this.checkTrusted(dir);
    const temp = join(dir, `.${name}.toolbox-${randomBytes(4).toString('hex')}`);
    try {
      const fd = openSync(
        temp,
        constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW,
        0o755,
      );
      try {
        writeSync(fd, text);
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      // The name was checked before; check again just before taking it (nobody else writes here).
      this.checkTrusted(dir);
      const now = this.slot(dir, name);
      const ok = replacing === undefined ? now.kind === 'free' : now.kind === 'ours' && now.text === replacing;
      if (!ok) throw cannot(dir, `${name} changed while exporting`, 'run the command again');
      renameSync(temp, join(dir, name));
    } catch (error) {
      rmSync(temp, { force: true });
      if (error instanceof ToolboxError) throw error;
      throw failure(dir, error);
    }
  }

  remove(dir: string, name: string, text: string): boolean {
    this.checkTrusted(dir);
    const now = this.slot(dir, name);
    if (now.kind !== 'ours' || now.text !== text) return false;
    try {
      rmSync(join(dir, name));
      return true;
    } catch (error) {
      throw failure(dir, error);
    }
  }

  onPath(name: string, dirs: readonly string[]): string | undefined {
    for (const dir of dirs) {
      if (!dir.startsWith('/')) continue;
      const file = join(dir, name);
      try {
        const st = statSync(file);
        if (st.isFile() && (st.mode & 0o111) !== 0) return file;
      } catch {
        // not there
      }
    }
    return undefined;
  }
}
