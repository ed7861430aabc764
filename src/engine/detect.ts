// Picks the engine once per process: the explicit choice, else podman, else docker.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';
import { EngineError } from '../core/errors.js';
import type { EngineName } from '../core/ports.js';

/** The absolute path of an executable on PATH, or undefined. */
export function findOnPath(file: string, path = process.env.PATH ?? ''): string | undefined {
  for (const dir of path.split(delimiter)) {
    if (!dir) continue;
    try {
      accessSync(join(dir, file), constants.X_OK);
      return join(dir, file);
    } catch {
      /* next */
    }
  }
  return undefined;
}

export function onPath(file: string, path?: string): boolean {
  return findOnPath(file, path) !== undefined;
}

let detected: EngineName | undefined;

export function detectEngine(choice: EngineName | undefined, path?: string): EngineName {
  if (choice) {
    if (!onPath(choice, path))
      throw new EngineError(
        `${choice} is not installed (it is not on PATH)`,
        `install ${choice}, or choose another engine with --engine`,
      );
    return choice;
  }
  if (detected) return detected;
  if (onPath('podman', path)) detected = 'podman';
  else if (onPath('docker', path)) detected = 'docker';
  else
    throw new EngineError(
      'neither podman nor docker is installed (neither is on PATH)',
      'install podman: zypper install podman (or transactional-update pkg install podman)',
    );
  return detected;
}
