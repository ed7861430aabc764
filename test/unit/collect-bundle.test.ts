// The tar writer and bundle packing, checked with the system's tar: what support staff will use.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, describe, expect, it } from 'vitest';
import { StagedBundle } from '../../src/cli/staged-bundle.js';
import { BundleWriteError, bundleName } from '../../src/core/collect/bundle.js';
import { tarball } from '../../src/core/collect/tar.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function untar(archive: Buffer, flags: string): { dir: string; list: string } {
  const dir = mkdtempSync(join(tmpdir(), 'co-unit-tar-'));
  dirs.push(dir);
  writeFileSync(join(dir, 'a.tar'), archive);
  const list = spawnSync('tar', [flags, join(dir, 'a.tar'), '-C', dir], { encoding: 'utf8' });
  expect(list.stderr).toBe('');
  expect(list.status).toBe(0);
  return { dir, list: list.stdout };
}

describe('tarball', () => {
  it('writes files that tar lists and extracts byte for byte', () => {
    const long = `${'d'.repeat(60)}/${'e'.repeat(60)}/file.txt`; // over 100 bytes: needs the prefix field
    const binary = Buffer.from([0, 1, 2, 255, 10]);
    const archive = tarball([
      { path: 'top/a.txt', data: Buffer.from('hello\n'), mtime: 1_700_000_000 },
      { path: `top/${long}`, data: binary, mtime: 1_700_000_000 },
      { path: 'top/empty.txt', data: Buffer.alloc(0), mtime: 1_700_000_000 },
    ]);
    expect(archive.length % 512).toBe(0);
    const { dir } = untar(archive, '-xf');
    expect(readFileSync(join(dir, 'top/a.txt'), 'utf8')).toBe('hello\n');
    expect(readFileSync(join(dir, 'top', long))).toEqual(binary);
    expect(readFileSync(join(dir, 'top/empty.txt')).length).toBe(0);
    const listed = spawnSync('tar', ['-tvf', join(dir, 'a.tar')], { encoding: 'utf8' })
      .stdout.trim()
      .split('\n');
    expect(listed.map((l) => l.split(/\s+/).pop())).toEqual(['top/a.txt', `top/${long}`, 'top/empty.txt']);
    expect(listed[0]).toMatch(/^-rw-r--r-- root\/root +6 2023-11-14 /);
  });

  it('refuses paths that would leave the bundle', () => {
    for (const path of ['../x', '/etc/passwd', 'a//b', 'a/../../b']) {
      expect(() => tarball([{ path, data: Buffer.alloc(0), mtime: 0 }])).toThrow(`unsafe path in tarball: ${path}`);
    }
  });
});

describe('StagedBundle', () => {
  it('streams files into a private staging directory, packs them manifest first, and moves the bundle into place', async () => {
    const dest = mkdtempSync(join(tmpdir(), 'co-unit-staged-'));
    dirs.push(dest);
    const staged = StagedBundle.open(dest);
    const [stagingDir] = readdirSync(dest);
    expect(stagingDir).toMatch(/^\.toolbox-collect-/);
    expect(statSync(join(dest, stagingDir!)).mode & 0o777).toBe(0o700);
    const kernel = staged.create('basic/kernel.txt');
    kernel.write(Buffer.from('Linux\n'));
    kernel.end();
    const big = staged.create('custom/big.txt');
    const block = Buffer.alloc(1 << 20, 'x');
    for (let i = 0; i < 3; i++) big.write(block);
    big.end();
    const manifest = staged.create('manifest.json');
    manifest.write(Buffer.from('{}\n'));
    manifest.end();
    expect(() => staged.create('manifest.json')).toThrow('manifest.json is already in the bundle');
    const packed = await staged.pack(
      'toolbox-collect-h-20260101T000000Z',
      ['manifest.json', 'basic/kernel.txt', 'custom/big.txt'],
      1_700_000_000,
    );
    const file = join(dest, 'b.tar.gz');
    staged.commit(file);
    staged.discard();
    expect(readdirSync(dest)).toEqual(['b.tar.gz']);
    const data = readFileSync(file);
    expect(packed).toEqual({ bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    const { dir, list } = untar(gunzipSync(data), '-xvf');
    expect(list).toBe(
      'toolbox-collect-h-20260101T000000Z/manifest.json\ntoolbox-collect-h-20260101T000000Z/basic/kernel.txt\ntoolbox-collect-h-20260101T000000Z/custom/big.txt\n',
    );
    expect(readFileSync(join(dir, 'toolbox-collect-h-20260101T000000Z/basic/kernel.txt'), 'utf8')).toBe('Linux\n');
    expect(
      readFileSync(join(dir, 'toolbox-collect-h-20260101T000000Z/custom/big.txt')).equals(
        Buffer.concat([block, block, block]),
      ),
    ).toBe(true);
  });

  it('discards everything it staged when the run fails', () => {
    const dest = mkdtempSync(join(tmpdir(), 'co-unit-staged-'));
    dirs.push(dest);
    const staged = StagedBundle.open(dest);
    staged.create('a.txt').write(Buffer.from('a'));
    staged.discard();
    expect(readdirSync(dest)).toEqual([]);
  });

  it('reports a bundle it cannot write as one error with a hint', () => {
    expect(() => StagedBundle.open('/nonexistent-co-dir')).toThrow(
      new BundleWriteError('in /nonexistent-co-dir', 'ENOENT'),
    );
    expect(new BundleWriteError('in /x', 'ENOSPC')).toMatchObject({
      message: 'cannot write the bundle in /x: ENOSPC',
      hint: 'free some space, or choose another place with --out FILE or --out DIR',
      exitCode: 1,
    });
  });
});

describe('bundleName', () => {
  it('names bundles after the host and the UTC time, safe as a file name', () => {
    const at = new Date('2026-11-25T22:15:00.123Z');
    expect(bundleName('node-1.example', at)).toBe('toolbox-collect-node-1.example-20261125T221500Z');
    expect(bundleName('we ird/name', at)).toBe('toolbox-collect-we_ird_name-20261125T221500Z');
    expect(bundleName(null, at)).toBe('toolbox-collect-unknown-host-20261125T221500Z');
  });
});
