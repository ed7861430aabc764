// Runs a piece of work inside a toolbox as one session, like `toolbox run` does: the toolbox is
// started (or created) as needed, and the last session out stops it unless told to keep it.
import type { Deps } from './deps.js';
import { endSession, openSession } from './run-in-box.js';
import type { Settings } from './settings.js';

export interface BoxTarget {
  /** container id, for exec */
  id: string;
  /** the toolbox's name, for messages and declared state */
  name: string;
  image: string;
}

export async function inBoxSession<T>(
  deps: Deps,
  settings: Settings,
  options: { create: boolean },
  work: (target: BoxTarget) => Promise<T>,
): Promise<T> {
  const record = await openSession(deps, settings, options.create);
  // Declared state and messages go by the toolbox's own name, even when an id prefix was typed.
  const name = record.name;
  let image = record.created?.image;
  try {
    // The image is needed for messages; this work is not on the hot path.
    if (image === undefined) {
      const info = await deps.engine.inspectBox(record.id);
      image = info?.spec?.image ?? info?.image ?? settings.image;
    }
    // One at a time per toolbox: two package managers at once would fail on zypper's own lock.
    const target = { id: record.id, name, image };
    return await deps.sessions.withWorkLock(record.id, () => work(target), `the package manager of toolbox ${name}`);
  } finally {
    await endSession(deps, settings, record);
  }
}
