import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { capabilitiesToDrop } from '../../src/engine/direct-entry.js';
import { CliEngine } from '../../src/engine/engine.js';
import { dockerFailure } from '../../src/engine/engines/docker.js';
import { ENGINES } from '../../src/core/settings/setting-rules.js';
import { detectEngine, fallbackEngine } from '../../src/engine/detect.js';
import { cannotRunAtAll } from '../../src/engine/errors.js';
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

describe('docker quirks', () => {
  const line = (e: { message: string; hint?: string | undefined; exitCode: number } | undefined) =>
    e && `Error: ${e.message}. Hint: ${e.hint ?? ''} (${String(e.exitCode)})`;

  it('names the docker daemon that is not running', () => {
    expect(
      line(dockerFailure('Cannot connect to the Docker daemon at unix:///run/x.sock. Is the docker daemon running?\n')),
    ).toBe(
      'Error: the docker daemon is not running (nothing answers at unix:///run/x.sock). Hint: start it (systemctl start docker), or point DOCKER_HOST at the daemon (125)',
    );
  });

  it('names the docker socket it may not use', () => {
    const stderr =
      'permission denied while trying to connect to the Docker daemon socket at unix:///var/run/docker.sock: Get "http://%2Fvar%2Frun%2Fdocker.sock/v1.24/containers/json": dial unix /var/run/docker.sock: connect: permission denied\n';
    expect(line(dockerFailure(stderr))).toBe(
      'Error: permission denied on the docker socket unix:///var/run/docker.sock. Hint: run toolbox as root (sudo toolbox ...): a toolbox is a privileged container (125)',
    );
  });

  it('says the docker engine is too old, by API or by a missing create option', () => {
    expect(
      line(
        dockerFailure(
          'Error response from daemon: client version 1.45 is too new. Maximum supported API version is 1.41\n',
        ),
      ),
    ).toBe(
      "Error: the docker engine is too old: it speaks API 1.41, the docker client 1.45. Hint: update docker (toolbox needs 20.10 or newer), or use a client of the daemon's version (125)",
    );
    expect(line(dockerFailure("unknown flag: --pull\nSee 'docker create --help'.\n"))).toBe(
      'Error: docker is too old: its create has no --pull. Hint: update docker: toolbox needs 20.10 or newer (125)',
    );
    expect(dockerFailure('Error: OCI runtime error: boom')).toBeUndefined();
  });

  it('refuses rootless docker in one line, and only docker', () => {
    const spy = vi.spyOn(process, 'getuid').mockReturnValue(1000);
    try {
      expect(() => new CliEngine({ name: 'docker', sudo: false, version: '0' })).toThrow(
        expect.objectContaining({
          message: 'rootless docker is not supported',
          hint: 'run toolbox as root (sudo toolbox ...), or choose podman for a rootless toolbox: --engine podman',
          exitCode: 125,
        }),
      );
      expect(new CliEngine({ name: 'docker', sudo: true, version: '0' }).rootful).toBe(true);
      expect(new CliEngine({ name: 'podman', sudo: false, version: '0' }).rootful).toBe(false);
    } finally {
      spy.mockRestore();
    }
    expect(ENGINE_REGISTRY.filter((q) => q.rootlessUnsupported).map((q) => q.name)).toEqual(['docker']);
  });

  it('docker runs a command through a constant sh script, so not found is 127 (docker exec says 126), without the PWD a shell exports', () => {
    expect(quirksOf('docker').execCommand(['no-such', 'a b'])).toEqual([
      '/bin/sh',
      '-c',
      'unset PWD OLDPWD; exec "$@"',
      'toolbox',
      'no-such',
      'a b',
    ]);
    expect(quirksOf('podman').execCommand(['no-such', 'a b'])).toEqual(['no-such', 'a b']);
  });

  it('direct entry drops the capabilities the toolbox lacks (docker 20.10 knows none past 37)', () => {
    const host = 0x1fffeffffffn;
    expect(capabilitiesToDrop(host, host)).toBe('');
    expect(capabilitiesToDrop(0x3ffeffffffn, host)).toBe('-cap_38,-cap_39,-cap_40');
    // the toolbox holds one we lack, or a set is unreadable: not entered directly
    expect(capabilitiesToDrop(host | (1n << 24n), host)).toBeUndefined();
    expect(capabilitiesToDrop(undefined, host)).toBeUndefined();
  });

  it('only podman has a devpts mount of its own', () => {
    expect(quirksOf('podman').privilegedCreateArgs).toEqual(['--mount', 'type=devpts,destination=/dev/pts']);
    expect(quirksOf('docker').privilegedCreateArgs).toEqual([]);
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

describe('the fallback when the detected engine cannot run', () => {
  it('is the next engine of the registry: docker after podman, none after docker', () => {
    expect(fallbackEngine('podman')).toBe('docker');
    expect(fallbackEngine('docker')).toBeUndefined();
  });

  it('is tried only for a failure that no container, image or name explains', () => {
    expect(cannotRunAtAll('Error: simulated: podman cannot run here', 125)).toBe(true);
    expect(cannotRunAtAll('', 127)).toBe(true);
    expect(cannotRunAtAll('', 137)).toBe(true);
    expect(cannotRunAtAll('Error: no container with name or id "x" found: no such container', 125)).toBe(false);
    expect(cannotRunAtAll('Error: x: image not known', 125)).toBe(false);
    expect(cannotRunAtAll('Error: the container name "x" is already in use', 125)).toBe(false);
    expect(cannotRunAtAll('Error: something', 1)).toBe(false);
  });
});
