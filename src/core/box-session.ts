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
  const name = settings.name;
  const record = await openSession(deps, settings, options.create);
  let image = record.created?.image;
  try {
    // The image is needed for messages; this work is not on the hot path.
    if (image === undefined) {
      const info = await deps.engine.inspectBox(record.id);
      image = info?.spec?.image ?? info?.image ?? settings.image;
    }
    return await work({ id: record.id, name, image });
  } finally {
    await endSession(deps, settings, record);
  }
}
