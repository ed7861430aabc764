// The labels that mark a container as a toolbox and record how to recreate it.
import type { BoxSpec, Mode } from '../ports.js';

export const LABEL_MANAGED = 'io.toolbox.managed';
export const LABEL_MODE = 'io.toolbox.mode';
export const LABEL_VERSION = 'io.toolbox.version';
export const LABEL_SPEC = 'io.toolbox.spec';
/** What is mounted at /usr/local/bin/host-update: see host-update-in-box.ts */
export const LABEL_HOST_UPDATE = 'io.toolbox.host-update';
// Generations (see generations.ts). Labels cannot change after create, so they hold only what is
// true of a container for its whole life: which toolbox it belongs to, its generation number,
// the image it was built from, and the upgrade that built it.
export const LABEL_IDENTITY = 'io.toolbox.identity';
export const LABEL_GENERATION = 'io.toolbox.generation';
export const LABEL_IMAGE_ID = 'io.toolbox.image-id';
export const LABEL_OPERATION = 'io.toolbox.operation';

/** What ties a container to its toolbox across upgrades and rollbacks. */
export interface Lineage {
  identity: string;
  generation: number;
  imageId?: string | undefined;
  /** the upgrade that built it, so an interrupted one can find (and undo) what it made */
  operation?: string | undefined;
}

/**
 * Every io.toolbox.* label, always written, so that none is inherited from the image. Without a
 * lineage (a first create) the lineage labels are empty: the container is its own first
 * generation (see hasOwnLineage in generations/generations.ts). hostUpdate: the
 * io.toolbox.host-update label (hostUpdateLabel in host-update-in-box.ts).
 */
export function labelsFor(
  spec: BoxSpec,
  version: string,
  lineage?: Lineage,
  hostUpdate?: string,
): Record<string, string> {
  const labels: Record<string, string> = {
    [LABEL_MANAGED]: 'true',
    [LABEL_MODE]: spec.mode,
    [LABEL_VERSION]: version,
    [LABEL_SPEC]: JSON.stringify(spec),
    [LABEL_IDENTITY]: lineage?.identity ?? '',
    [LABEL_GENERATION]: lineage ? String(lineage.generation) : '',
    [LABEL_IMAGE_ID]: lineage?.imageId ?? '',
    [LABEL_OPERATION]: lineage?.operation ?? '',
  };
  // Written even when unknown, as '': an image's own io.toolbox.host-update must never count.
  labels[LABEL_HOST_UPDATE] = hostUpdate ?? '';
  return labels;
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
