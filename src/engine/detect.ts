// Picks the engine once per process: the explicit choice, else the first of the registry
// (podman, then docker) that is installed.
import { EngineError } from '../core/errors.js';
import type { EngineName } from '../core/ports.js';
import { onPath } from '../os/path.js';
import { ENGINE_REGISTRY, quirksOf } from './engines/registry.js';

let detected: EngineName | undefined;

export function detectEngine(choice: EngineName | undefined, path?: string): EngineName {
  if (choice) {
    if (!onPath(quirksOf(choice).binary, path))
      throw new EngineError(
        `${choice} is not installed (it is not on PATH)`,
        `install ${choice}, or choose another engine with --engine`,
      );
    return choice;
  }
  if (detected) return detected;
  detected = ENGINE_REGISTRY.find((q) => onPath(q.binary, path))?.name;
  if (detected) return detected;
  const [preferred] = ENGINE_REGISTRY;
  throw new EngineError(
    `neither ${ENGINE_REGISTRY.map((q) => q.binary).join(' nor ')} is installed (neither is on PATH)`,
    `install ${preferred.name}: ${preferred.install}`,
  );
}

/**
 * The engine after `detected` in the registry (docker after podman): used for this process when
 * the detected one is installed but its first call shows it cannot run (CliEngine.fallBack).
 * Whether it is installed is asked only then: this costs the hot path nothing.
 */
export function fallbackEngine(detected: EngineName): EngineName | undefined {
  const at = ENGINE_REGISTRY.findIndex((q) => q.name === detected);
  return at < 0 ? undefined : ENGINE_REGISTRY[at + 1]?.name;
}
