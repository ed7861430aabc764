// Toolbox generations: every container a toolbox has been (the current one and those kept by
// upgrade or rollback) carries the toolbox's identity in its labels. Generations are found by
// that label only, never by a name: a name is something any user can give any container.
import type { DeclaredBox } from '../tools/declared-state.js';
import { LABEL_GENERATION, LABEL_IDENTITY, LABEL_IMAGE_ID, LABEL_OPERATION } from '../box/labels.js';
import type { BoxInfo } from '../ports.js';

/**
 * A container's lineage labels count only when toolbox wrote them itself, and toolbox writes them
 * only with the image-id label naming the image it builds the container from. An image cannot
 * carry its own id in its labels (the id is the digest of a config that holds them), so a label
 * a container inherited from its image (made by a toolbox before issue 21, whose first create did
 * not write these labels; a hostile image; `podman commit` of a generation) never names the image
 * the container runs, and is ignored: such a container is a toolbox of its own, its first generation.
 * A first create writes the labels empty ("none": its identity is its own id), so nothing is inherited.
 */
export function hasOwnLineage(box: BoxInfo): boolean {
  const claimed = (box.labels[LABEL_IMAGE_ID] ?? '').replace(/^sha256:/, '');
  return claimed !== '' && claimed === box.imageId;
}
const ownLabel = (box: BoxInfo, label: string): string | undefined =>
  hasOwnLineage(box) ? box.labels[label] || undefined : undefined;

/** A first generation (or a toolbox made before generations existed): its own id is its identity. */
export const identityOf = (box: BoxInfo): string => ownLabel(box, LABEL_IDENTITY) ?? box.id;

export function generationOf(box: BoxInfo): number {
  const n = Number(ownLabel(box, LABEL_GENERATION));
  return Number.isInteger(n) && n > 0 ? n : 1;
}

/** The image the container really runs, as the engine says; never a label. */
export const imageIdOf = (box: BoxInfo): string => box.imageId;
export const operationOf = (box: BoxInfo): string | undefined => ownLabel(box, LABEL_OPERATION);

/** Every toolbox container of the same toolbox as `box`, itself included. */
export function lineageOf(all: readonly BoxInfo[], box: BoxInfo): BoxInfo[] {
  const identity = identityOf(box);
  // Every generation carries the spec of the first (upgrade copies it), so its name agrees too.
  const members = all.filter((b) => b.isToolbox && identityOf(b) === identity && b.spec?.name === box.spec?.name);
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
  /**
   * Gets the writer ready before the first write on a path that did not load it up front (run's
   * hot path loads no config writer: it costs about 19 ms there and is needed only here).
   */
  prepareWrites(): Promise<void>;
}

/**
 * The steps of upgrade and rollback, in order. Each is announced (a status line, and the test
 * hook) before it runs; crash safety is proven by killing the process at each of them in turn.
 */
export const UPGRADE_STEPS = [
  'check',
  'pull',
  'create',
  'build',
  'proven',
  'retire',
  'switch',
  'commit',
  'prune',
] as const;
export const ROLLBACK_STEPS = ['check', 'journal', 'retire', 'switch', 'commit'] as const;
export type UpgradeStep = (typeof UPGRADE_STEPS)[number];
export type RollbackStep = (typeof ROLLBACK_STEPS)[number];

/**
 * The new container of an upgrade, still under the temporary name it is built under
 * (`NAME.genN-OPERATION`, see upgradeNameFor), or the one it is renamed to once proven
 * (provenNameFor): being built, or left by an upgrade that died. It takes NAME only once proven;
 * until then it is no generation of anything.
 */
function isBeingBuilt(box: BoxInfo): boolean {
  const operation = operationOf(box);
  if (operation === undefined) return false;
  const base = `.gen${generationOf(box)}-${operation.slice(0, 8)}`;
  return box.name.endsWith(base) || box.name.endsWith(`${base}${PROVEN}`);
}

const PROVEN = '-proven';
const COMING_BACK = '-back';

/** The temporary name an upgrade builds its new container under. */
export const upgradeNameFor = (name: string, generation: number, operation: string): string =>
  `${name}.gen${generation}-${operation.slice(0, 8)}`;
/** The name the new container takes once proven: from then on, the upgrade is finished, never undone. */
export const provenNameFor = (name: string, generation: number, operation: string): string =>
  `${upgradeNameFor(name, generation, operation)}${PROVEN}`;
/** The name a rollback gives the generation coming back before it puts the current one aside. */
export const comingBackNameFor = (name: string, generation: number): string => `${name}.gen${generation}${COMING_BACK}`;

/**
 * An upgrade or rollback of NAME under way or interrupted, told from the containers alone, so
 * that every caller (any HOME, any config.json) sees it and settles it the same way: the new
 * container of an upgrade under its temporary name ('build': undone), or under its proven name
 * ('proven': finished), or a generation coming back under its rollback name ('rollback': finished).
 */
export interface InFlight {
  kind: 'build' | 'proven' | 'rollback';
  box: BoxInfo;
}
export function inFlightOf(all: readonly BoxInfo[], name: string): InFlight | undefined {
  const found: InFlight[] = [];
  for (const box of all) {
    if (!box.isToolbox) continue;
    const generation = generationOf(box);
    const operation = operationOf(box);
    if (operation && box.name === provenNameFor(name, generation, operation)) found.push({ kind: 'proven', box });
    // a lone toolbox a user named so is no generation coming back: a rollback's has a lineage
    else if (box.name === comingBackNameFor(name, generation) && lineageOf(all, box).length > 1)
      found.push({ kind: 'rollback', box });
    else if (operation && box.name === upgradeNameFor(name, generation, operation)) found.push({ kind: 'build', box });
  }
  // What has gone furthest first: a dead upgrade's leftover never stands in the way of a finished one.
  return found.find((f) => f.kind !== 'build') ?? found[0];
}

/** Named the way a generation is put aside (asideName): NAME.genN or NAME.genN-K, N its own generation. */
const isAsideNamed = (box: BoxInfo): boolean => new RegExp(`\\.gen${generationOf(box)}(-[0-9]+)?$`).test(box.name);

export interface Roles {
  /** the container that is the toolbox now; undefined when its containers cannot tell */
  current: BoxInfo | undefined;
  /** the generations kept aside (only when there is a current one), in no particular order */
  kept: BoxInfo[];
  /** new containers of upgrades not (yet) proven */
  building: BoxInfo[];
}

/**
 * Which container of a lineage is the toolbox and which are kept generations, told from the
 * containers alone, so that every user, HOME and config.json sees the same: the toolbox is the
 * one holding the name its labels record (io.toolbox.spec, copied to every generation); after a
 * user renamed it, the one member not named like a generation put aside; a lone container is
 * its own toolbox. Generation numbers decide nothing: after a rollback the toolbox has a lower
 * one than the generation it keeps.
 */
export function rolesOf(lineage: readonly BoxInfo[]): Roles {
  const building = lineage.filter(isBeingBuilt);
  const rest = lineage.filter((b) => !building.includes(b));
  const names = new Set(lineage.map((b) => b.spec?.name).filter((n): n is string => n !== undefined));
  const holders = rest.filter((b) => names.has(b.name));
  let current = holders.length === 1 ? holders[0] : undefined;
  if (!current) {
    const plain = (holders.length ? holders : rest).filter((b) => !isAsideNamed(b));
    if (plain.length === 1) current = plain[0];
    else if (rest.length === 1) current = rest[0];
  }
  return { current, kept: current ? rest.filter((b) => b !== current) : [], building };
}

/**
 * The generations kept beside `current`, the most recently kept first. When each was kept is
 * known only to the config.json of the user who kept it; without that, the highest number first.
 */
export function retiredGenerations(
  lineage: readonly BoxInfo[],
  current: BoxInfo,
  store: GenerationStore | undefined,
): BoxInfo[] {
  const kept = lineage.filter((b) => b.id !== current.id && !isBeingBuilt(b));
  const when = (b: BoxInfo) => store?.retired(b.id)?.retiredAt ?? '';
  return kept.sort((a, b) => when(b).localeCompare(when(a)) || generationOf(b) - generationOf(a));
}

/** A free name for a generation kept aside; only for people reading `list --all`. */
export function asideName(name: string, generation: number, taken: ReadonlySet<string>): string {
  const base = `${name}.gen${generation}`;
  if (!taken.has(base)) return base;
  for (let i = 2; ; i++) if (!taken.has(`${base}-${i}`)) return `${base}-${i}`;
}
