// Toolbox generations: every container a toolbox has been (the current one and those kept by
// upgrade or rollback) carries the toolbox's identity in its labels. Generations are found by
// that label only, never by a name: a name is something any user can give any container.
import type { DeclaredBox } from './declared-state.js';
import { LABEL_GENERATION, LABEL_IDENTITY, LABEL_IMAGE_ID, LABEL_OPERATION } from './labels.js';
import type { BoxInfo } from './ports.js';

/** A toolbox made before generations existed has no identity label: its own id is its identity. */
export const identityOf = (box: BoxInfo): string => box.labels[LABEL_IDENTITY] || box.id;

export function generationOf(box: BoxInfo): number {
  const n = Number(box.labels[LABEL_GENERATION]);
  return Number.isInteger(n) && n > 0 ? n : 1;
}

export const imageIdOf = (box: BoxInfo): string => box.labels[LABEL_IMAGE_ID] || box.imageId;
export const operationOf = (box: BoxInfo): string | undefined => box.labels[LABEL_OPERATION];

/** Every toolbox container of the same toolbox as `box`, itself included. */
export function lineageOf(all: readonly BoxInfo[], box: BoxInfo): BoxInfo[] {
  const identity = identityOf(box);
  const members = all.filter((b) => b.isToolbox && identityOf(b) === identity);
  return members.some((b) => b.id === box.id) ? members : [box, ...members];
}

/** A generation kept aside: what was declared in it when it stopped being the toolbox. */
export interface RetiredRecord {
  declared: DeclaredBox;
  retiredAt: string;
}

/**
 * An upgrade or rollback in flight, written before its first change and cleared in the same
 * write that commits it. The next command that finds it finishes or undoes what it describes.
 */
export interface Journal {
  op: 'upgrade' | 'rollback';
  name: string;
  identity: string;
  /** the container that was the toolbox when the operation began */
  fromId: string;
  /** rollback: the generation coming back; upgrade: the new container, once created */
  toId?: string | undefined;
  /** upgrade: the label its new container carries, to find it even before its id was written */
  operation?: string | undefined;
  /** the step reached (UPGRADE_STEPS / ROLLBACK_STEPS) */
  step: string;
}

/** Where generations' own state lives (config.json): journals and retired generations. */
export interface GenerationStore {
  journal(name: string): Journal | undefined;
  setJournal(name: string, journal: Journal | undefined): void;
  retired(id: string): RetiredRecord | undefined;
  /**
   * Clears NAME's journal in one atomic write with: `retire` keeps NAME's declared state with that
   * container; `restore` makes that container's kept state NAME's again; `forget` drops records.
   * One atomic write: NAME's declared state, the retired generations and the journal together,
   * so a crash leaves either all of it or none.
   */
  commit(name: string, change: { retire?: string; restore?: string; forget?: string[] }): void;
}

/**
 * The steps of upgrade and rollback, in order. Each is announced (a status line, and the test
 * hook) before it runs; crash safety is proven by killing the process at each of them in turn.
 */
export const UPGRADE_STEPS = ['check', 'pull', 'create', 'build', 'proven', 'retire', 'switch', 'commit', 'prune'] as const;
export const ROLLBACK_STEPS = ['check', 'journal', 'retire', 'switch', 'commit'] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];

/** Retired generations of a lineage, the most recently retired first. */
export function retiredGenerations(lineage: readonly BoxInfo[], current: BoxInfo, store: GenerationStore | undefined, journal?: Journal): BoxInfo[] {
  const pending = journal?.operation;
  const kept = lineage.filter((b) => b.id !== current.id && !(pending && operationOf(b) === pending && journal?.op === 'upgrade'));
  const when = (b: BoxInfo) => store?.retired(b.id)?.retiredAt ?? '';
  return kept.sort((a, b) => when(b).localeCompare(when(a)) || generationOf(b) - generationOf(a));
}

/** A free name for a generation kept aside; only for people reading `list --all`. */
export function asideName(name: string, generation: number, taken: ReadonlySet<string>): string {
  const base = `${name}.gen${generation}`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
