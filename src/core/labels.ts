// The labels that mark a container as a toolbox and record how to recreate it.
import type { BoxSpec, Mode } from './ports.js';

export const LABEL_MANAGED = 'io.toolbox.managed';
export const LABEL_MODE = 'io.toolbox.mode';
export const LABEL_VERSION = 'io.toolbox.version';
export const LABEL_SPEC = 'io.toolbox.spec';

export function labelsFor(spec: BoxSpec, version: string): Record<string, string> {
  return {
    [LABEL_MANAGED]: 'true',
    [LABEL_MODE]: spec.mode,
    [LABEL_VERSION]: version,
    [LABEL_SPEC]: JSON.stringify(spec),
  };
}

export function modeFrom(labels: Record<string, string>): Mode | undefined {
  const mode = labels[LABEL_MODE];
  return mode === 'system' || mode === 'user' ? mode : undefined;
}

export function specFrom(labels: Record<string, string>): BoxSpec | undefined {
  const raw = labels[LABEL_SPEC];
  if (!raw) return undefined;
  try {
    const spec = JSON.parse(raw) as BoxSpec;
    return typeof spec.name === 'string' && typeof spec.image === 'string' ? spec : undefined;
  } catch {
    return undefined;
  }
}
