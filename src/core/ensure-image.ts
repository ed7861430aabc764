// Makes sure the image is here: pulled when missing, refreshed on create unless told not to,
// and a failed pull falls back to a local copy with a warning.
import type { Deps } from './deps.js';
import { ToolboxError } from './errors.js';
import { isLocalImage } from './names.js';

export async function ensureImage(deps: Deps, image: string, pull: boolean): Promise<void> {
  const { engine, reporter } = deps;
  if (isLocalImage(image)) {
    if (await engine.imageExists(image)) return;
    throw new ToolboxError(`image not found: ${image} (localhost/ images are never pulled)`, {
      hint: `build or load it first, e.g. '${engine.command.join(' ')} build -t ${image} .'`,
    });
  }
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
