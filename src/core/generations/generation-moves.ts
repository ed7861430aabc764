// The moves shared by upgrade, rollback and the recovery of an interrupted one. Each is
// idempotent: run again after a crash at any point, it finishes the same way. Every container
// touched is first checked to carry the toolbox's identity label: a journal is only data.
import type { Deps } from '../deps.js';
import { toolboxId } from '../box/claim-box.js';
import { NameInUseError, NoSuchToolboxError, NotAToolboxError, ToolboxError } from '../errors.js';
import {
  asideName,
  generationOf,
  identityOf,
  imageIdOf,
  inFlightOf,
  lineageOf,
  retiredGenerations,
  rolesOf,
  type GenerationStore,
  type Journal,
  type RollbackStep,
  type UpgradeStep,
} from './generations.js';
import type { BoxInfo } from '../ports.js';

/** Stands in when no store is wired (unit tests of other use cases): nothing is journaled. */
const NO_STORE: GenerationStore = {
  journal: () => undefined,
  setJournal() {},
  retired: () => undefined,
  commit() {},
  prepareWrites: async () => {},
};
export const storeOf = (deps: Deps): GenerationStore => deps.generations ?? NO_STORE;

/** Each step of UPGRADE_STEPS / ROLLBACK_STEPS is announced as it begins (status line, test hook). */
export function announce(deps: Deps, op: 'upgrade' | 'rollback', step: UpgradeStep | RollbackStep, name: string): void {
  deps.reporter.status(`${op} ${name}: ${step}`);
  deps.onStep?.(op, step);
}

/** A container of this toolbox by id, or undefined when it is gone or is not one of its generations. */
async function memberById(deps: Deps, journal: Journal, id: string | undefined): Promise<BoxInfo | undefined> {
  if (!id) return undefined;
  const info = await deps.engine.inspectBox(id);
  return info && info.isToolbox && identityOf(info) === journal.identity ? info : undefined;
}

/** Stopped and under a name of its own: a generation kept aside. */
async function putAside(deps: Deps, box: BoxInfo, name: string): Promise<void> {
  const { engine } = deps;
  if (box.status === 'paused') await engine.unpauseBox(box.id);
  if (box.status === 'running' || box.status === 'paused') await engine.stopBox(box.id);
  if (box.name !== name) return;
  // Toolbox's own names are known; any other container may hold one too, and the engine says so.
  const taken = new Set((await engine.listBoxes()).map((b) => b.name));
  for (let tries = 0; ; tries++) {
    const aside = asideName(name, generationOf(box), taken);
    try {
      await engine.renameBox(box.id, aside);
      return;
    } catch (error) {
      if (!(error instanceof NameInUseError) || tries >= 20) throw error;
      taken.add(aside);
    }
  }
}

/** Gives NAME to `box`; NAME must be free (the previous holder put aside). */
async function takeName(deps: Deps, box: BoxInfo, name: string): Promise<void> {
  if (box.name === name) return;
  const holder = await deps.engine.inspectBox(name);
  if (holder && holder.id !== box.id) {
    throw new ToolboxError(
      `cannot give the name ${name} to generation ${generationOf(box)}: container ${holder.id.slice(0, 12)} holds it`,
      {
        hint: `rename or remove that container, then run the command again`,
      },
    );
  }
  await deps.engine.renameBox(box.id, name);
}

export interface Pruned {
  generation: number;
  id: string;
  imageRemoved: boolean;
}

/** Removes the kept generations beyond `keep` (most recently kept stay), and their images when nothing uses them. */
export async function prune(deps: Deps, name: string, current: BoxInfo, keep: number): Promise<Pruned[]> {
  const { engine, reporter } = deps;
  const store = storeOf(deps);
  const all = await engine.listBoxes();
  const doomed = retiredGenerations(lineageOf(all, current), current, store).slice(keep);
  const pruned: Pruned[] = [];
  for (const box of doomed) {
    try {
      // under its own lock, so its state directory goes with it (session-store removed())
      await deps.sessions.withLock(box.id, async () => {
        await engine.removeBox(box.id, true);
        deps.sessions.removed(box.id);
      });
    } catch (error) {
      reporter.warn(`could not remove generation ${generationOf(box)} of ${name}: ${(error as Error).message}`);
      continue;
    }
    pruned.push({
      generation: generationOf(box),
      id: box.id,
      imageRemoved: await removeImageIfUnused(deps, imageIdOf(box), all, doomed),
    });
  }
  if (pruned.length) store.commit(name, { forget: pruned.map((p) => p.id) });
  return pruned;
}

/** Only an image no name points at and no container uses: a tag is someone's use. */
async function removeImageIfUnused(
  deps: Deps,
  imageId: string,
  all: readonly BoxInfo[],
  doomed: readonly BoxInfo[],
): Promise<boolean> {
  if (!imageId) return false;
  if (all.some((b) => !doomed.includes(b) && imageIdOf(b) === imageId)) return false;
  const facts = await deps.engine.imageFacts(imageId);
  if (!facts || facts.tags.length) return false;
  return deps.engine.removeImage(facts.id);
}

/** Upgrade from "proven" on: the old one aside, the new one named, the state committed. */
export async function finishUpgrade(
  deps: Deps,
  journal: Journal,
): Promise<{ old: BoxInfo | undefined; fresh: BoxInfo }> {
  const name = journal.name;
  const store = storeOf(deps);
  const fresh = await memberById(deps, journal, journal.toId);
  if (!fresh)
    throw new ToolboxError(`the new container of ${name} (${(journal.toId ?? '?').slice(0, 12)}) is gone`, {
      hint: `run toolbox upgrade ${name} again`,
    });
  const old = await swapIn(deps, 'upgrade', journal, fresh);
  store.commit(name, old ? { retire: old.id } : {});
  return { old, fresh: { ...fresh, name } };
}

/**
 * The retire and switch steps that upgrade and rollback share: the journal's current container
 * (if still there) is put aside, `incoming` takes NAME; the caller commits. Returns the one put aside.
 */
async function swapIn(
  deps: Deps,
  op: 'upgrade' | 'rollback',
  journal: Journal,
  incoming: BoxInfo,
): Promise<BoxInfo | undefined> {
  const name = journal.name;
  announce(deps, op, 'retire', name);
  let outgoing = await memberById(deps, journal, journal.fromId);
  try {
    if (outgoing) await putAside(deps, outgoing, name);
  } catch (error) {
    // removed by someone else meanwhile: there is nothing to put aside, and nothing is kept
    if (!(error instanceof NoSuchToolboxError)) throw error;
    outgoing = undefined;
  }
  announce(deps, op, 'switch', name);
  await takeName(deps, incoming, name);
  announce(deps, op, 'commit', name);
  return outgoing;
}

/** Rollback from its journal on: the current one aside, the target named, the declared state swapped. */
export async function finishRollback(
  deps: Deps,
  journal: Journal,
): Promise<{ from: BoxInfo | undefined; to: BoxInfo }> {
  const name = journal.name;
  const to = await memberById(deps, journal, journal.toId);
  if (!to)
    throw new ToolboxError(
      `generation ${(journal.toId ?? '?').slice(0, 12)} of ${name} is gone; the rollback cannot finish`,
      { hint: `see the generations with toolbox list --all` },
    );
  const from = await swapIn(deps, 'rollback', journal, to);
  storeOf(deps).commit(name, { ...(from ? { retire: from.id } : {}), restore: to.id });
  return { from, to: { ...to, name } };
}

const undoneText = (name: string) =>
  `an upgrade of ${name} was interrupted before its new container was proven; undone: ${name} is as it was before`;
const finishedText = (name: string, generation: number) =>
  `an upgrade of ${name} was interrupted after its new container was proven; finished it: ${name} is generation ${generation}`;
const rolledText = (name: string, generation: number) =>
  `a rollback of ${name} was interrupted; finished it: ${name} is generation ${generation} again`;

/**
 * Settles what the containers show of an upgrade or rollback of NAME that is not running any
 * more (inFlightOf): its unproven new container goes; a proven one, or a generation coming
 * back, takes NAME. Every caller, whatever its config.json, does the same. Returns what it did.
 */
async function settleContainers(deps: Deps, name: string): Promise<string | undefined> {
  const { engine, sessions } = deps;
  let said: string | undefined;
  for (let tries = 0; tries < 5; tries++) {
    const all = await engine.listBoxes();
    const found = inFlightOf(all, name);
    if (!found) return said;
    // A live upgrade or rollback holds the lock of the container it started from until it ends:
    // taking each member's lock in turn waits for it (and breaks the lock of a dead one).
    for (const member of lineageOf(all, found.box))
      if (member.id !== found.box.id) await sessions.withLock(member.id, async () => {}, `toolbox ${name}`);
    said =
      (await sessions.withLock(
        found.box.id,
        async () => {
          const now = await engine.listBoxes();
          const still = inFlightOf(now, name);
          if (still?.box.id !== found.box.id) return undefined; // settled meanwhile
          const box = still.box;
          if (still.kind === 'build') {
            await engine.removeBox(box.id, true);
            sessions.removed(box.id);
            return undoneText(name);
          }
          const holder = now.find((b) => b.name === name);
          if (holder && holder.isToolbox && identityOf(holder) === identityOf(box)) await putAside(deps, holder, name);
          await takeName(deps, box, name);
          if (holder) sessions.forget(holder.id);
          sessions.forget(box.id);
          return still.kind === 'proven' ? finishedText(name, generationOf(box)) : rolledText(name, generationOf(box));
        },
        `toolbox ${name}`,
      )) ?? said;
  }
  return said;
}

/**
 * Whether settleInterrupted(…, { containers: true }) has work for NAME: this caller's journal
 * names it, or the containers show an upgrade or rollback of NAME under way. Only looks; `create`
 * asks it beside its own create, so the common case (nothing under way) pays no call in sequence.
 */
export async function interruptedOf(deps: Deps, name: string): Promise<boolean> {
  if (storeOf(deps).journal(name)) return true;
  return inFlightOf(await deps.engine.listBoxes(), name) !== undefined;
}

/**
 * Finishes or undoes an upgrade or rollback that a crash interrupted, with one line saying
 * which. The containers decide (settleContainers), so every caller settles it the same way;
 * this caller's journal, when it has one, then commits its declared state to match. Call before
 * looking NAME up, holding no lock. `containers`: look at the containers even without a journal
 * (every command but run's hot path, which looks only when NAME is missing).
 */
export async function settleInterrupted(deps: Deps, name: string, options = { containers: false }): Promise<boolean> {
  const store = storeOf(deps);
  const first = store.journal(name);
  if (!first && !options.containers) return false;
  if (first) await store.prepareWrites();
  const said = await settleContainers(deps, name);
  if (!first) {
    if (said) deps.reporter.warn(said);
    return said !== undefined;
  }
  // The operation holds its old container's lock while it runs: taking it waits for a live one to
  // end, and breaks the lock of a dead one. Then the journal is read again: a live one cleared it.
  const message = await deps.sessions.withLock(
    first.fromId,
    async () => {
      const journal = store.journal(name);
      if (!journal) return said;
      const holder = await deps.engine.inspectBox(name);
      const landed = holder !== undefined && journal.toId !== undefined && holder.id === journal.toId;
      deps.sessions.forget(journal.fromId);
      if (journal.toId) deps.sessions.forget(journal.toId);
      if (journal.op === 'rollback') {
        if (!landed) {
          store.setJournal(name, undefined); // it never began: nothing moved
          return said;
        }
        store.commit(name, { retire: journal.fromId, restore: journal.toId });
        return said ?? rolledText(name, generationOf(holder));
      }
      if (!landed) {
        store.setJournal(name, undefined);
        return said ?? undoneText(name);
      }
      store.commit(name, { retire: journal.fromId });
      return said ?? finishedText(name, generationOf(holder));
    },
    `toolbox ${name}`,
  );
  if (message) deps.reporter.warn(message);
  return message !== undefined;
}

/** NAME moved to another container while this call waited for the lock (a concurrent upgrade or rollback). */
class Moved extends Error {}

/**
 * Runs fn under the lock of the toolbox NAME names, after finishing or undoing an interrupted
 * upgrade or rollback of NAME. Locks are per container id, so a call that waited while an
 * upgrade or rollback gave NAME to another container looks NAME up again: no generation is ever
 * acted on through a stale name.
 */
export async function withToolboxLock<T>(deps: Deps, name: string, fn: (box: BoxInfo) => Promise<T>): Promise<T> {
  for (let tries = 0; ; tries++) {
    await settleInterrupted(deps, name, { containers: true });
    const id = await toolboxId(deps, name);
    try {
      return await deps.sessions.withLock(
        id,
        async () => {
          const box = await deps.engine.inspectBox(id);
          if (!box) throw new NoSuchToolboxError(name);
          if (!box.isToolbox) throw new NotAToolboxError(name, deps.engine.name);
          if (!answersTo(box, name) || storeOf(deps).journal(box.name)) throw new Moved();
          return fn(box);
        },
        `toolbox ${name}`,
      );
    } catch (error) {
      if (!(error instanceof Moved) || tries >= 5) throw error;
    }
  }
}

/** What the user typed still means this container: its name, or a prefix of its id. */
export const answersTo = (box: BoxInfo, typed: string): boolean =>
  box.name === typed || (typed.length >= 3 && box.id.startsWith(typed));

/**
 * upgrade and rollback act on a toolbox, not on one of its kept generations. Kept or not is told
 * by the containers (rolesOf), not by this user's config.json: another HOME sees the same.
 */
export async function refuseKeptGeneration(deps: Deps, box: BoxInfo): Promise<void> {
  const { current } = rolesOf(lineageOf(await deps.engine.listBoxes(), box));
  if (!current || current.id === box.id) return;
  const owner = current.name;
  throw new ToolboxError(
    `${box.name} is generation ${generationOf(box)} kept for toolbox ${owner}, not a toolbox in use`,
    {
      hint: `bring it back with toolbox rollback --to ${generationOf(box)} ${owner}`,
    },
  );
}
