// Where `toolbox collect` keeps a bundle while it is made: a private staging directory of its own
// (mkdtemp, 0700) next to the bundle's destination, on the same file system, so the finished
// bundle is renamed into place: a reader never sees half a bundle under its name. Files are
// streamed in and out, never held in memory, and the directory goes when the run ends. Staging
// sits next to the destination rather than in /tmp, which is often RAM.
import { createHash } from 'node:crypto';
import {
  closeSync,
  constants,
  fstatSync,
  mkdtempSync,
  openSync,
  readSync,
  renameSync,
  rmSync,
  writeSync,
} from 'node:fs';
import { join } from 'node:path';
import { Readable, Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { BundleWriteError, type BundleFile, type BundleSink } from '../core/collect/bundle.js';
import { TAR_END, tarHeader, tarPadding } from '../core/collect/tar.js';

const READ_CHUNK = 1 << 20;
// New files only, never through a link someone else put there.
const CREATE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

export class StagedBundle implements BundleSink {
  /** path in the bundle -> staged file */
  private readonly files = new Map<string, string>();
  private packed: string | undefined;

  private constructor(private readonly dir: string) {}

  /** A fresh staging directory in `nextTo`, the directory the bundle goes to. */
  static open(nextTo: string): StagedBundle {
    return new StagedBundle(guard(`in ${nextTo}`, () => mkdtempSync(join(nextTo, '.toolbox-collect-'))));
  }

  create(path: string): BundleFile {
    if (this.files.has(path)) throw new Error(`${path} is already in the bundle`);
    const staged = join(this.dir, String(this.files.size + 1));
    const fd = guard(`in ${this.dir}`, () => openSync(staged, CREATE, 0o600));
    this.files.set(path, staged);
    return {
      write: (data) => {
        guard(`in ${this.dir}`, () => {
          writeAll(fd, data);
        });
      },
      end: () => {
        closeSync(fd);
      },
    };
  }

  async pack(top: string, paths: readonly string[], mtime: number): Promise<{ bytes: number; sha256: string }> {
    const out = join(this.dir, 'bundle.tar.gz');
    const fd = guard(`in ${this.dir}`, () => openSync(out, CREATE, 0o600));
    const hash = createHash('sha256');
    let bytes = 0;
    const files = this.files;
    const where = `in ${this.dir}`;
    // Synchronous, like the reads it makes; Readable.from pulls one piece at a time.
    function* tar(): Generator<Buffer> {
      for (const path of paths) {
        const staged = files.get(path);
        if (staged === undefined) throw new Error(`${path} was never written`);
        const input = openSync(staged, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          const size = fstatSync(input).size;
          yield tarHeader({ path: `${top}/${path}`, size, mtime });
          for (let left = size; left > 0;) {
            const chunk = Buffer.allocUnsafe(Math.min(READ_CHUNK, left));
            const n = readSync(input, chunk, 0, chunk.length, null);
            if (n === 0) throw new Error(`${path} shrank while it was packed`);
            left -= n;
            yield chunk.subarray(0, n);
          }
          yield tarPadding(size);
        } finally {
          closeSync(input);
        }
      }
      yield TAR_END;
    }
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        try {
          guard(where, () => {
            writeAll(fd, chunk);
          });
          hash.update(chunk);
          bytes += chunk.length;
          done();
        } catch (error) {
          done(error as Error);
        }
      },
    });
    try {
      await pipeline(Readable.from(tar()), createGzip(), sink);
    } finally {
      closeSync(fd);
    }
    this.packed = out;
    return { bytes, sha256: hash.digest('hex') };
  }

  /** Moves the packed bundle to `file`, whole. */
  commit(file: string): void {
    if (!this.packed) throw new Error('the bundle was not packed');
    const packed = this.packed;
    guard(`to ${file}`, () => {
      renameSync(packed, file);
    });
  }

  /** Removes the staging directory and everything in it (all of it made by this run). */
  discard(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

function writeAll(fd: number, data: Buffer): void {
  for (let at = 0; at < data.length;) at += writeSync(fd, data, at, data.length - at);
}

function guard<T>(where: string, fn: () => T): T {
  try {
    return fn();
  } catch (error) {
    if (error instanceof BundleWriteError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    if (!code) throw error;
    throw new BundleWriteError(where, code);
  }
}
