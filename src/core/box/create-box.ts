// Creates a toolbox container from resolved settings: two engine calls at most on the common
// path (pull when asked, create), and an inspect only when something went wrong.
import type { Deps } from '../deps.js';
import { ensureImage } from './ensure-image.js';
import { NotAToolboxError, ToolboxError } from '../errors.js';
import { hostUpdateLabel } from './host-update-in-box.js';
import { labelsFor } from './labels.js';
import { isLocalImage } from '../settings/names.js';
import type { BoxInfo, BoxSpec } from '../ports.js';
import type { Settings } from '../settings/settings.js';

export function specFor(deps: Deps, settings: Settings): BoxSpec {
  return {
    name: settings.name,
    image: settings.image,
    mode: settings.mode,
    sandbox: settings.sandbox,
    runtime: settings.runtime,
    engineArgs: settings.engineArgs,
    user: settings.mode === 'user' ? deps.hostUser() : undefined,
  };
}

/** Creates the container; when another process created it first, returns that one. */
export async function createBox(
  deps: Deps,
  spec: BoxSpec,
  pull: boolean,
): Promise<{ info: BoxInfo; created: boolean }> {
  const { engine, reporter } = deps;
  // A local image needs no check up front: create itself says when it is missing.
  if (!isLocalImage(spec.image)) await ensureImage(deps, spec.image, pull);
  reporter.status(`creating toolbox ${spec.name} from ${spec.image}`);
  const labels = labelsFor(spec, deps.version, undefined, hostUpdateLabel(deps.executable?.()));
  let id: string;
  try {
    id = await engine.createBox(spec, labels);
  } catch (error) {
    const existing = await engine.inspectBox(spec.name);
    if (existing) {
      if (!existing.isToolbox) throw new NotAToolboxError(spec.name, engine.name);
      return { info: existing, created: false };
    }
    if (isLocalImage(spec.image) && !(await engine.imageExists(spec.image))) {
      throw new ToolboxError(`image not found: ${spec.image} (localhost/ images are never pulled)`, {
        hint: `build or load it first, e.g. '${engine.command.join(' ')} build -t ${spec.image} .'`,
      });
    }
    throw error;
  }
  const info: BoxInfo = {
    name: spec.name,
    id,
    image: spec.image,
    status: 'created',
    created: new Date().toISOString(),
    isToolbox: true,
    mode: spec.mode,
    version: deps.version,
    spec,
    pid: 0,
    startedAt: '',
    imageId: '',
    labels,
  };
  return { info, created: true };
}
