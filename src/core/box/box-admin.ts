// stop, rm and list: the use cases that manage toolboxes without entering them.
import { toolboxId } from './claim-box.js';
import type { Deps } from '../deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from '../errors.js';
import { settleInterrupted, storeOf, withToolboxLock } from '../generations/generation-moves.js';
import { generationOf, identityOf, retiredGenerations, rolesOf } from '../generations/generations.js';
import type { BoxInfo } from '../ports.js';
import { nameOrder } from './name-order.js';

/** The toolbox `nameOrId` names now; shown: what the user typed, for messages. */
async function toolboxNamed(deps: Deps, nameOrId: string, shown = nameOrId): Promise<BoxInfo> {
  const name = shown;
  const info = await deps.engine.inspectBox(nameOrId);
  if (!info) throw new NoSuchToolboxError(name);
  if (!info.isToolbox) throw new NotAToolboxError(name, deps.engine.name);
  return info;
}

/**
 * Stops a toolbox. Already stopped is success; active sessions refuse unless forced. A name or
 * id prefix is resolved to the full id first: sessions are counted under it, whatever was typed.
 */
export async function stopBox(deps: Deps, name: string, force: boolean): Promise<'stopped' | 'already-stopped'> {
  const { sessions, engine, reporter } = deps;
  // An upgrade or rollback killed midway is settled first: NAME may be between two containers.
  await settleInterrupted(deps, name, { containers: true });
  const id = await toolboxId(deps, name);
  return sessions.withLock(id, async () => {
    const info = await toolboxNamed(deps, id, name);
    if (info.status !== 'running' && info.status !== 'paused') return 'already-stopped';
    const live = sessions.liveSessions(id);
    if (live > 0 && !force) {
      throw new ToolboxError(
        `toolbox ${info.name} has ${live} active session${live === 1 ? '' : 's'}; not stopping it`,
        {
          hint: 'end them first, or use --force to stop it anyway',
        },
      );
    }
    reporter.status(`stopping toolbox ${info.name}`);
    // podman refuses to stop a paused container ("running or paused, refusing to clean up").
    if (info.status === 'paused') await engine.unpauseBox(info.id);
    await engine.stopBox(info.id);
    return 'stopped';
  });
}

/**
 * Removes a toolbox and every generation kept of it (found by its identity label), never a
 * container without the toolbox label. Which containers are its kept generations is told by
 * the containers themselves (rolesOf), whoever's config.json this is. Returns how many kept
 * generations went with it.
 */
export async function removeBox(
  deps: Deps,
  name: string,
  force: boolean,
): Promise<{ generations: number; identity: string; whole: boolean }> {
  const { sessions, engine, reporter } = deps;
  return withToolboxLock(deps, name, async (info) => {
    if ((info.status === 'running' || info.status === 'paused') && !force) {
      throw new ToolboxError(`toolbox ${info.name} is running; not removing it`, {
        hint: `stop it with 'toolbox stop ${info.name}', or use --force`,
      });
    }
    const store = storeOf(deps);
    const roles = rolesOf(lineage(await engine.listBoxes(), info));
    // A kept generation removed by its own name goes alone; the toolbox removes those it keeps,
    // and what an upgrade that died left half-built (its lock is this one: none is running).
    const isToolbox = roles.current?.id === info.id;
    const kept = isToolbox ? roles.kept : [];
    const debris = isToolbox ? roles.building : [];
    reporter.status(`removing toolbox ${info.name}`);
    await engine.removeBox(info.id, force);
    sessions.removed(info.id);
    // Each under its own lock: its state directory goes with it (session-store removed()).
    for (const box of [...kept, ...debris]) {
      await sessions.withLock(box.id, async () => {
        await engine.removeBox(box.id, true);
        sessions.removed(box.id);
      });
    }
    const gone = [info.id, ...kept.map((b) => b.id)].filter((id) => store.retired(id));
    if (gone.length) store.commit(info.name, { forget: gone });
    // whole: the toolbox went, not a kept generation removed by its own name (its exports stay).
    return { generations: kept.length, identity: identityOf(info), whole: isToolbox };
  });
}

const lineage = (all: BoxInfo[], box: BoxInfo) => {
  const members = all.filter((b) => b.isToolbox && identityOf(b) === identityOf(box));
  return members.some((b) => b.id === box.id) ? members : [box, ...members];
};

export interface Listing {
  box: BoxInfo;
  generation: number;
  /** kept generations, the most recently kept first */
  kept: BoxInfo[];
}

/**
 * Toolboxes with their kept generations, told apart by the containers (rolesOf), so every
 * HOME lists the same. The new container of an upgrade not yet proven is not listed. When a
 * toolbox's containers cannot tell which of them is the toolbox, each is listed as one.
 */
export async function listBoxes(deps: Deps): Promise<Listing[]> {
  const store = storeOf(deps);
  const boxes = (await deps.engine.listBoxes()).filter((b) => b.isToolbox);
  const lineages = new Map<string, BoxInfo[]>();
  for (const box of boxes) lineages.set(identityOf(box), [...(lineages.get(identityOf(box)) ?? []), box]);
  const listings: Listing[] = [];
  for (const members of lineages.values()) {
    const { current, building } = rolesOf(members);
    if (current)
      listings.push({
        box: current,
        generation: generationOf(current),
        kept: retiredGenerations(members, current, store),
      });
    else
      for (const box of members.filter((b) => !building.includes(b)))
        listings.push({ box, generation: generationOf(box), kept: [] });
  }
  const order = nameOrder(deps.env);
  return listings.sort((a, b) => order(a.box.name, b.box.name));
}

export { toolboxNamed };
