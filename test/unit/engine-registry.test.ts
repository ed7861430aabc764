import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ENGINES } from '../../src/core/setting-rules.js';
import { detectEngine } from '../../src/engine/detect.js';
import { ENGINE_REGISTRY, installAdvice, quirksOf } from '../../src/engine/engines/registry.js';

const top = mkdtempSync(join(tmpdir(), 'tb-engines-'));
afterAll(() => {
  rmSync(top, { recursive: true, force: true });
});

/** A PATH directory holding executables of these names (they are never run). */
function pathWith(...names: string[]): string {
  const dir = mkdtempSync(join(top, 'bin-'));
  for (const name of names) {
    writeFileSync(join(dir, name), '');
    chmodSync(join(dir, name), 0o755);
  }
  return dir;
}

describe('the engine registry', () => {
  it('has exactly the engines --engine accepts, in the order detection prefers them', () => {
    expect(ENGINE_REGISTRY.map((q) => q.name)).toEqual([...ENGINES]);
    expect(ENGINE_REGISTRY.map((q) => q.name)).toEqual(['podman', 'docker']);
  });

  it('advises installing the preferred engine, naming the others as alternatives', () => {
    expect(installAdvice()).toBe('install podman (or docker)');
  });

  it("finds each engine's quirks by its name", () => {
    for (const name of ENGINES) expect(quirksOf(name).name).toBe(name);
    expect(quirksOf('podman').pullArgs).toEqual(['--quiet']);
    expect(quirksOf('docker').pullArgs).toEqual([]);
    expect(quirksOf('docker').psFormat).toEqual(['--no-trunc', '--format', '{{json .}}']);
  });

  it('only podman is diagnosed as rootless', () => {
    expect(ENGINE_REGISTRY.filter((q) => q.rootlessFailure).map((q) => q.name)).toEqual(['podman']);
  });
});

describe('detectEngine', () => {
  it('takes an explicit choice only when its binary is on PATH', () => {
    expect(detectEngine('docker', pathWith('docker'))).toBe('docker');
    expect(() => detectEngine('podman', pathWith('other'))).toThrow('podman is not installed (it is not on PATH)');
  });

  it('says which engines it looked for, and how to install the preferred one', () => {
    expect(() => detectEngine(undefined, pathWith())).toThrow(
      expect.objectContaining({
        message: 'neither podman nor docker is installed (neither is on PATH)',
        hint: 'install podman: zypper install podman (or transactional-update pkg install podman)',
      }),
    );
  });

  it('prefers podman, else docker, and keeps the first answer for the process', () => {
    expect(detectEngine(undefined, pathWith('docker', 'podman'))).toBe('podman');
    expect(detectEngine(undefined, pathWith('docker'))).toBe('podman');
  });
});
