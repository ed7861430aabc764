// Every engine toolbox can drive, in the order detection tries them.
import type { EngineName } from '../../core/ports.js';
import { docker } from './docker.js';
import { podman } from './podman.js';
import type { EngineQuirks } from './quirks.js';

export const ENGINE_REGISTRY: readonly [EngineQuirks, ...EngineQuirks[]] = [podman, docker];

export function quirksOf(name: EngineName): EngineQuirks {
  const quirks = ENGINE_REGISTRY.find((q) => q.name === name);
  // EngineName and the registry are pinned equal by a unit test; this is that test failing late.
  if (!quirks) throw new Error(`no quirks registered for the engine ${name}`);
  return quirks;
}

/** "install podman (or docker)": the first engine, with the others as alternatives. */
export function installAdvice(): string {
  const [preferred, ...others] = ENGINE_REGISTRY;
  return others.length === 0
    ? `install ${preferred.name}`
    : `install ${preferred.name} (or ${others.map((q) => q.name).join(' or ')})`;
}
