// A minimal ustar writer: regular files only, enough for a support bundle that `tar -xzf` and
// any archive tool read. Node has gzip (zlib) but no tar, and a dependency for 60 lines is not
// worth its weight.

export interface TarEntry {
  /** relative path with forward slashes, no "..", at most 255 bytes */
  path: string;
  data: Buffer;
  /** seconds since the epoch */
  mtime: number;
  mode?: number;
}

const BLOCK = 512;

/** The end-of-archive marker: two zero blocks. */
export const TAR_END = Buffer.alloc(BLOCK * 2);

export function tarball(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries)
    parts.push(tarHeader({ ...entry, size: entry.data.length }), entry.data, tarPadding(entry.data.length));
  parts.push(TAR_END);
  return Buffer.concat(parts);
}

/** The zeros that fill a file's data up to a whole block. */
export function tarPadding(size: number): Buffer {
  return Buffer.alloc((BLOCK - (size % BLOCK)) % BLOCK);
}

/** The header block of a file whose `size` bytes of data follow it (streamed by the caller). */
export function tarHeader(entry: { path: string; size: number; mtime: number; mode?: number | undefined }): Buffer {
  if (entry.path.split('/').some((p) => p === '..' || p === '') || entry.path.startsWith('/')) {
    throw new Error(`unsafe path in tarball: ${entry.path}`);
  }
  const { name, prefix } = splitPath(entry.path);
  const h = Buffer.alloc(BLOCK);
  h.write(name, 0, 100, 'utf8');
  octal(h, 100, 8, entry.mode ?? 0o644);
  octal(h, 108, 8, 0); // uid
  octal(h, 116, 8, 0); // gid
  octal(h, 124, 12, entry.size);
  octal(h, 136, 12, Math.max(0, Math.floor(entry.mtime)));
  h.write('        ', 148, 8, 'ascii'); // checksum field counts as spaces while summing
  h.write('0', 156, 1, 'ascii'); // regular file
  h.write('ustar\u000000', 257, 8, 'ascii');
  h.write('root', 265, 32, 'ascii');
  h.write('root', 297, 32, 'ascii');
  h.write(prefix, 345, 155, 'utf8');
  let sum = 0;
  for (const byte of h) sum += byte;
  h.write(`${sum.toString(8).padStart(6, '0')}\u0000 `, 148, 8, 'ascii');
  return h;
}

/** ustar keeps 100 bytes of name and 155 of directory prefix, split at a slash. */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  for (let i = path.indexOf('/'); i !== -1; i = path.indexOf('/', i + 1)) {
    const prefix = path.slice(0, i);
    const name = path.slice(i + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new Error(`path too long for a tarball: ${path}`);
}

function octal(buf: Buffer, offset: number, length: number, value: number): void {
  buf.write(`${value.toString(8).padStart(length - 1, '0')}\u0000`, offset, length, 'ascii');
}
