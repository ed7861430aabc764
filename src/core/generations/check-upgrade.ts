// `toolbox upgrade --check`: is there a newer image than the one the toolbox was built from?
// Changes nothing: a localhost/ image is compared by its local id, any other by the digest the
// registry serves now (asked without pulling).
import { toolboxNamed } from '../box/box-admin.js';
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import { generationOf, imageIdOf } from './generations.js';
import { isLocalImage } from '../settings/names.js';
import { localImageMissing } from './upgrade-box.js';

export interface CheckResult {
  name: string;
  image: string;
  generation: number;
  /** what the toolbox runs: an image id (localhost/) or a registry digest */
  current: string;
  /** what `upgrade` would build from now */
  available: string;
  upToDate: boolean;
}

export async function checkUpgrade(deps: Deps, name: string): Promise<CheckResult> {
  const { engine } = deps;
  const box = await toolboxNamed(deps, name);
  const image = box.spec?.image;
  if (!image)
    throw new ToolboxError(`toolbox ${name} does not record how it was created, so it cannot be checked`, {
      hint: `remove it and create it anew: toolbox rm --force ${name} && toolbox create ${name}`,
    });
  const builtFrom = imageIdOf(box);
  const base = { name, image, generation: generationOf(box) };
  if (isLocalImage(image)) {
    const facts = await engine.imageFacts(image);
    if (!facts) throw localImageMissing(deps, image);
    return { ...base, current: builtFrom, available: facts.id, upToDate: facts.id === builtFrom };
  }
  const available = await engine.remoteDigest(image);
  const digests = (await engine.imageFacts(builtFrom))?.digests ?? [];
  const current =
    digests.map((d) => d.slice(d.indexOf('@') + 1)).find((d) => d === available) ??
    digests[0]?.slice(digests[0].indexOf('@') + 1) ??
    builtFrom;
  return { ...base, current, available, upToDate: current === available };
}
