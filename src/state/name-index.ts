// Confirms a cached name -> id without calling the engine. podman keeps its containers in
// containers/storage, whose index <graphroot>/overlay-containers/containers.json lists every
// container's id and names; `podman rename` and `rm` rewrite it (atomically, by rename), so
// it tells whether the id still carries the name. Reading it takes well under a millisecond.
import { dirname, join } from 'node:path';
import { readFileSync } from 'node:fs';

/**
 * The index that holds a container, from podman inspect's StaticDir
 * (<graphroot>/<driver>-containers/<id>/userdata).
 */
export function indexFromStaticDir(staticDir: string, id: string): string | undefined {
  const dir = dirname(staticDir);
  if (!staticDir.endsWith('/userdata') || !dir.endsWith(`/${id}`)) return undefined;
  return join(dirname(dir), 'containers.json');
}

/** Whether the index lists a container with this full id carrying this name. */
export function indexConfirms(index: string, id: string, name: string): boolean {
  let list: unknown;
  try {
    list = JSON.parse(readFileSync(index, 'utf8')) as unknown;
  } catch {
    return false;
  }
  if (!Array.isArray(list)) return false;
  for (const entry of list as unknown[]) {
    if (!entry || typeof entry !== 'object') continue;
    const { id: theirs, names } = entry as { id?: unknown; names?: unknown };
    if (theirs === id) return Array.isArray(names) && names.includes(name);
  }
  return false;
}
