// Runs a piece of work inside a toolbox as one session, like `toolbox run` does: the toolbox is
// started (or created) as needed, and the last session out stops it unless told to keep it.
import type { Deps } from './deps.js';
import { ensureRunning, recordOf } from './ensure-running.js';
import type { BoxRecord } from './ports.js';
import { endSession } from './run-in-box.js';
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
    // Always inspect: the image is needed for messages, and an exec after a stale record fails.
    const info = await ensureRunning(deps, settings, options);
    const fresh: BoxRecord = recordOf(deps, info) ?? { id: info.id, pid: 0, pidStart: '' };
    if (fresh.pid) sessions.writeRecord(name, fresh);
    sessions.addSession(name);
    return { record: fresh, image: info.spec?.image ?? info.image };
  });
  try {
    return await work({ id: record.id, name, image });
  } finally {
    await endSession(deps, settings, record);
  }
}
