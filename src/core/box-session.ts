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

export async function inBoxSession<T>(deps: Deps, settings: Settings, options: { create: boolean }, work: (target: BoxTarget) => Promise<T>): Promise<T> {
  const { sessions } = deps;
  const name = settings.name;
  const { record, image } = await sessions.withLock(name, async () => {
    const fresh = await openSession(deps, settings, options.create);
    // The image is needed for messages and upgrade; this work is not on the hot path.
    const info = await deps.engine.inspectBox(fresh.id);
    return { record: fresh, image: info?.spec?.image ?? info?.image ?? settings.image };
  });
  try {
    return await work({ id: record.id, name, image });
  } finally {
    await endSession(deps, settings, record);
  }
}
