import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { ConfigDeclaredStore } from '../../src/config/declared-store.js';
import { loadConfWriter } from '../../src/config/store.js';
import { parseDeclared, withoutRepo, withoutTools, withRepo, withTools } from '../../src/core/tools/declared-state.js';
import { validatePackages } from '../../src/core/tools/package-names.js';

// The CLI loads the config writer before any command that may write (src/cli/toolbox.ts).
beforeAll(loadConfWriter);

describe('declared state', () => {
  it('adds tools once, in order, and removes them', () => {
    const box = withTools({ repos: [], tools: ['a'] }, ['b', 'a', 'c']);
    expect(box.tools).toEqual(['a', 'b', 'c']);
    expect(withoutTools(box, ['a', 'x']).tools).toEqual(['b', 'c']);
  });

  it('replaces a repository with the same alias', () => {
    const box = withRepo(withRepo({ repos: [], tools: [] }, { alias: 'r', url: 'http://a/' }), {
      alias: 'r',
      url: 'http://b/',
    });
    expect(box.repos).toEqual([{ alias: 'r', url: 'http://b/' }]);
    expect(withoutRepo(box, 'r').repos).toEqual([]);
  });

  it('reads a hand-edited entry without trusting its shape', () => {
    expect(parseDeclared({ tools: ['a', 3], repos: [{ alias: 'r' }, { alias: 's', url: 'u', key: 1 }] })).toEqual({
      tools: ['a'],
      repos: [{ alias: 's', url: 'u' }],
    });
    expect(parseDeclared('nonsense')).toEqual({ tools: [], repos: [] });
  });

  it('is stored in config.json under boxes, next to the settings, which stay', () => {
    const dir = mkdtempSync(join(tmpdir(), 'tl-unit-'));
    const file = join(dir, 'config.json');
    writeFileSync(file, JSON.stringify({ engine: 'podman' }));
    const store = new ConfigDeclaredStore(file);
    store.update('tb', (b) => withTools(b, ['tl-hello']));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      engine: 'podman',
      boxes: { tb: { repos: [], tools: ['tl-hello'] } },
    });
    expect(store.get('tb').tools).toEqual(['tl-hello']);
    store.update('tb', (b) => withoutTools(b, ['tl-hello']));
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({ engine: 'podman', boxes: {} });
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('package names', () => {
  it('accepts plain names and refuses what could be an option or a path', () => {
    expect(validatePackages(['strace', 'tl-hello', 'gcc-c++', 'strace'])).toEqual(['strace', 'tl-hello', 'gcc-c++']);
    expect(() => validatePackages(['--no-gpg-checks'])).toThrow('invalid package name "--no-gpg-checks"');
    expect(() => validatePackages(['/etc/passwd'])).toThrow('invalid package name');
    expect(() => validatePackages([])).toThrow('name at least one package');
  });
});
