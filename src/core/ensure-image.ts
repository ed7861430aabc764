// Makes sure a remote image is here: pulled when missing, refreshed on create unless told not to,
// and a failed pull falls back to a local copy with a warning.
import type { Deps } from './deps.js';

export async function ensureImage(deps: Deps, image: string, pull: boolean): Promise<void> {
  const { engine, reporter } = deps;
  const present = await engine.imageExists(image);
  if (present && !pull) return;
  const step = reporter.step(`pulling ${image}`);
  try {
    await engine.pullImage(image);
    step.done(`pulled ${image}`);
  } catch (error) {
    step.fail();
    if (!present) throw error;
    reporter.warn(`could not pull ${image} (${(error as Error).message}); using the local copy`);
  }
}
