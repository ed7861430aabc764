// A BundleSink that keeps the bundle's files in memory, and packs them with the real tar writer.
import { createHash } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import type { BundleFile, BundleSink } from '../../../src/core/collect/bundle.js';
import { tarball } from '../../../src/core/collect/tar.js';

export class MemoryBundle implements BundleSink {
  readonly files = new Map<string, Buffer[]>();
  readonly ended = new Set<string>();
  packed: Buffer | undefined;

  create(path: string): BundleFile {
    if (this.files.has(path)) throw new Error(`${path} created twice`);
    const parts: Buffer[] = [];
    this.files.set(path, parts);
    return {
      write: (data) => {
        if (this.ended.has(path)) throw new Error(`${path} written after its end`);
        parts.push(Buffer.from(data));
      },
      end: () => this.ended.add(path),
    };
  }

  text(path: string): string {
    return this.data(path).toString('utf8');
  }

  data(path: string): Buffer {
    const parts = this.files.get(path);
    if (!parts) throw new Error(`${path} is not in the bundle`);
    return Buffer.concat(parts);
  }

  pack(top: string, paths: readonly string[], mtime: number): Promise<{ bytes: number; sha256: string }> {
    this.packed = gzipSync(tarball(paths.map((p) => ({ path: `${top}/${p}`, data: this.data(p), mtime }))));
    return Promise.resolve({
      bytes: this.packed.length,
      sha256: createHash('sha256').update(this.packed).digest('hex'),
    });
  }
}
