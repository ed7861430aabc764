import { chmodSync, chownSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { distrust, readTrustedFile } from '../../src/config/trusted-file.js';

describe('which config files the caller may trust (F7)', () => {
  it('its own or root’s, written by nobody else', () => {
    expect(distrust({ uid: 1000, mode: 0o100644 }, 1000, false)).toBeUndefined();
    expect(distrust({ uid: 0, mode: 0o100600 }, 1000, false)).toBeUndefined();
    expect(distrust({ uid: 0, mode: 0o40755 }, 0, true)).toBeUndefined();
    expect(distrust({ uid: 1001, mode: 0o100600 }, 0, false)).toBe('owned by uid 1001, not by you (uid 0) or root');
    expect(distrust({ uid: 1001, mode: 0o40700 }, 1000, true)).toBe('owned by uid 1001, not by you (uid 1000) or root');
    expect(distrust({ uid: 0, mode: 0o100664 }, 0, false)).toBe('writable by its group (mode 664)');
    expect(distrust({ uid: 0, mode: 0o100646 }, 0, false)).toBe('writable by others (mode 646)');
    expect(distrust({ uid: 0, mode: 0o40777 }, 0, true)).toBe('writable by group and others (mode 777)');
  });

  it('a sticky directory (/tmp) is fine; a sticky file is no different from another', () => {
    expect(distrust({ uid: 0, mode: 0o41777 }, 1000, true)).toBeUndefined();
    expect(distrust({ uid: 0, mode: 0o101666 }, 0, false)).toBe('writable by group and others (mode 1666)');
  });
});

describe('readTrustedFile', () => {
  const top = mkdtempSync(join(tmpdir(), 'trusted-file-'));
  const me = process.getuid?.() ?? 0;
  const who = me === 0 ? 'root' : String(me);
  afterAll(() => {
    rmSync(top, { recursive: true, force: true });
  });
  const hint = (fix: string) =>
    `someone else could have written it; if you trust it, ${fix}, or point XDG_CONFIG_HOME (or HOME) at a directory of your own`;

  it('reads a file of the caller’s in a directory of the caller’s; a missing one is undefined', () => {
    const dir = join(top, 'good');
    mkdirSync(dir, { mode: 0o755 });
    writeFileSync(join(dir, 'config.json'), '{"a": 1}', { mode: 0o600 });
    expect(readTrustedFile(join(dir, 'config.json'))).toBe('{"a": 1}');
    expect(readTrustedFile(join(dir, 'missing.json'))).toBeUndefined();
    expect(readTrustedFile(join(top, 'no-dir', 'config.json'))).toBeUndefined();
  });

  it('refuses a file others may write, naming it and the fix', () => {
    const dir = join(top, 'open-file');
    mkdirSync(dir, { mode: 0o700 });
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}');
    chmodSync(file, 0o666);
    expect(() => readTrustedFile(file)).toThrow(
      expect.objectContaining({
        message: `refusing to read ${file}: it is writable by group and others (mode 666)`,
        hint: hint(`chmod go-w ${file}`),
      }),
    );
  });

  it('refuses a file in a directory others may write (they could replace it)', () => {
    const dir = join(top, 'open-dir');
    mkdirSync(dir);
    chmodSync(dir, 0o777);
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}', { mode: 0o600 });
    expect(() => readTrustedFile(file)).toThrow(
      expect.objectContaining({
        message: `refusing to read ${file}: ${dir}, its directory, is writable by group and others (mode 777)`,
        hint: hint(`chmod go-w ${dir}`),
      }),
    );
    // ...and anything below such a directory.
    mkdirSync(join(dir, 'toolbox'), { mode: 0o700 });
    writeFileSync(join(dir, 'toolbox', 'config.json'), '{}', { mode: 0o600 });
    expect(() => readTrustedFile(join(dir, 'toolbox', 'config.json'))).toThrow(
      `refusing to read ${join(dir, 'toolbox', 'config.json')}: ${dir}, a directory above it, is writable by group and others (mode 777)`,
    );
  });

  it('follows a symlink (a dotfiles checkout) and judges the file it leads to', () => {
    const dir = join(top, 'linked');
    mkdirSync(dir, { mode: 0o700 });
    const real = join(dir, 'real.json');
    writeFileSync(real, '{"b": 2}', { mode: 0o600 });
    symlinkSync(real, join(dir, 'config.json'));
    expect(readTrustedFile(join(dir, 'config.json'))).toBe('{"b": 2}');
    chmodSync(real, 0o622);
    expect(() => readTrustedFile(join(dir, 'config.json'))).toThrow(
      `refusing to read ${join(dir, 'config.json')}: ${real}, where it leads, is writable by group and others (mode 622)`,
    );
  });

  it.runIf(me === 0)('refuses a file, or a directory, owned by another user', () => {
    const dir = join(top, 'theirs');
    mkdirSync(dir, { mode: 0o755 });
    const file = join(dir, 'config.json');
    writeFileSync(file, '{}', { mode: 0o644 });
    chownSync(file, 4242, 4242);
    expect(() => readTrustedFile(file)).toThrow(
      expect.objectContaining({
        message: `refusing to read ${file}: it is owned by uid 4242, not by you (uid 0) or root`,
        hint: hint(`chown ${who} ${file}`),
      }),
    );
    chownSync(file, 0, 0);
    chownSync(dir, 4242, 4242);
    expect(() => readTrustedFile(file)).toThrow(
      `refusing to read ${file}: ${dir}, its directory, is owned by uid 4242, not by you (uid 0) or root`,
    );
  });
});
