// Makes sure a remote image is here: pulled when missing, refreshed on create unless told not to,
// and a failed pull falls back to a local copy with one warning. Never when the signature policy
// refused what the registry serves now: that is an alarm, not an outage, and a toolbox built from
// the older copy would hide it.
import type { Deps } from '../deps.js';
import { RegistryError } from '../errors.js';

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
    if (!present || (error instanceof RegistryError && error.failure === 'signature')) throw error;
    const what =
      error instanceof RegistryError ? error.message : `could not pull ${image} (${(error as Error).message})`;
    reporter.warn(`${what}; using the local copy`);
  }
}
