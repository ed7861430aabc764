// Creates a toolbox container from resolved settings, and sets up the user in user mode.
import type { Deps } from './deps.js';
import { ensureImage } from './ensure-image.js';
import { NotAToolboxError, ToolboxError } from './errors.js';
import type { BoxInfo, BoxSpec } from './ports.js';
import type { Settings } from './settings.js';
import { labelsFor } from './labels.js';


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
export async function createBox(deps: Deps, spec: BoxSpec, pull: boolean): Promise<{ info: BoxInfo; created: boolean }> {
  const { engine, reporter } = deps;
  await ensureImage(deps, spec.image, pull);
  reporter.status(`creating toolbox ${spec.name} from ${spec.image}`);
  try {
    await engine.createBox(spec, labelsFor(spec, deps.version));
  } catch (error) {
    const existing = await engine.inspectBox(spec.name);
    if (!existing) throw error;
    if (!existing.isToolbox) throw new NotAToolboxError(spec.name, engine.name);
    return { info: existing, created: false };
  }
  const info = await engine.inspectBox(spec.name);
  if (!info) throw new ToolboxError(`toolbox ${spec.name} vanished right after it was created`, { hint: 'is another tool removing containers?' });
  return { info, created: true };
}
