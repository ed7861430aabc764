// Packs the manifest and the collected files into one .tar.gz under a single top directory.
import { gzipSync } from 'node:zlib';
import type { Manifest } from './manifest.js';
import type { CollectedFile } from './run-collectors.js';
import { tarball } from './tar.js';

export function packBundle(top: string, manifest: Manifest, files: readonly CollectedFile[], mtime: number): Buffer {
  const entries = [
    { path: `${top}/manifest.json`, data: Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`), mtime },
    ...files.map((f) => ({ path: `${top}/${f.path}`, data: f.data, mtime })),
  ];
  return gzipSync(tarball(entries));
}

/** toolbox-collect-HOST-20261125T221500Z: sortable, and safe as a file name. */
export function bundleName(hostname: string | null, at: Date): string {
  const host = (hostname ?? 'unknown-host').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 64) || 'unknown-host';
  const stamp = at.toISOString().replace(/\.\d+Z$/, 'Z').replace(/[-:]/g, '');
  return `toolbox-collect-${host}-${stamp}`;
}
