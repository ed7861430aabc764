// The bundle as the core sees it: files are created and written as the collectors run, then
// packed, manifest first, into one .tar.gz under a single top directory. Where the bytes live
// meanwhile is the adapter's business (a private staging directory next to the bundle).
import { ToolboxError } from '../errors.js';

export interface BundleFile {
  write(data: Buffer): void;
  end(): void;
}

export interface BundleSink {
  /** a new file of the bundle, by its path below the top directory */
  create(path: string): BundleFile;
  /** packs the named files, in this order, under `top`; resolves to the bundle's size and sha256 */
  pack(top: string, paths: readonly string[], mtime: number): Promise<{ bytes: number; sha256: string }>;
}

/** Writing the bundle itself failed (a full disk): the whole run fails, not one command. */
export class BundleWriteError extends ToolboxError {
  constructor(what: string, code: string) {
    super(`cannot write the bundle ${what}: ${code}`, {
      hint: 'free some space, or choose another place with --out FILE or --out DIR',
    });
  }
}

/** toolbox-collect-HOST-20261125T221500Z: sortable, and safe as a file name. */
export function bundleName(hostname: string | null, at: Date): string {
  const host = (hostname ?? 'unknown-host').replace(/[^A-Za-z0-9.-]+/g, '_').slice(0, 64) || 'unknown-host';
  const stamp = at
    .toISOString()
    .replace(/\.\d+Z$/, 'Z')
    .replace(/[-:]/g, '');
  return `toolbox-collect-${host}-${stamp}`;
}
