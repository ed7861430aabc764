// Finds executables on PATH, as a shell would, without running one.
import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

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
