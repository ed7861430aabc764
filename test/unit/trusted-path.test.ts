// Which paths root may write wrappers into, or mount into its toolboxes: only those that nobody
// but root and the caller could have changed, the whole way up.
import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { untrustedPath } from '../../src/os/trusted-path.js';

const root = mkdtempSync(join(tmpdir(), 'trusted-path-'));
chmodSync(root, 0o755);
const me = process.getuid?.() ?? 0;
afterAll(() => {
  rmSync(root, { recursive: true, force: true });
});

describe('untrustedPath', () => {
  it('a directory and file of the caller, under directories of the caller or root: trusted', () => {
    const dir = join(root, 'ok');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'exe'), '', { mode: 0o755 });
    expect(untrustedPath(dir, { directory: true })).toBeUndefined();
    expect(untrustedPath(join(dir, 'exe'), { directory: false })).toBeUndefined();
  });

  it('writable by others: named', () => {
    const dir = join(root, 'open');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    expect(untrustedPath(dir, { directory: true })).toBe('it is writable by group and others (mode 777)');
  });

  it('a path through a symlink: named, with where it leads', () => {
    const link = join(root, 'link');
    symlinkSync(join(root, 'ok'), link);
    expect(untrustedPath(link, { directory: true })).toBe(`its path goes through a symbolic link (to ${root}/ok)`);
  });

  it('missing: it cannot be resolved', () => {
    expect(untrustedPath(join(root, 'nope'), { directory: true })).toBe('it cannot be resolved (ENOENT)');
  });

  it.runIf(me === 0)('below a directory another user owns: that directory is named', () => {
    const theirs = join(root, 'theirs');
    mkdirSync(join(theirs, 'bin'), { recursive: true, mode: 0o755 });
    chownSync(theirs, 65534, 65534);
    expect(untrustedPath(join(theirs, 'bin'), { directory: true })).toBe(
      `${theirs} above it is owned by uid 65534, not by you (uid 0) or root`,
    );
  });
});
