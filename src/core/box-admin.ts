// stop, rm and list: the use cases that manage toolboxes without entering them.
import { toolboxId } from './claim-box.js';
import type { Deps } from './deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from './errors.js';
import { settleInterrupted, storeOf, withToolboxLock } from './generation-moves.js';
import { generationOf, identityOf, operationOf, retiredGenerations } from './generations.js';
import type { BoxInfo } from './ports.js';

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
  await settleInterrupted(deps, name);
  const id = await toolboxId(deps, name);
  return sessions.withLock(id, async () => {
    const info = await toolboxNamed(deps, id, name);
    if (info.status !== 'running' && info.status !== 'paused') return 'already-stopped';
    const live = sessions.liveSessions(id);
    if (live > 0 && !force) {
      throw new ToolboxError(`toolbox ${info.name} has ${live} active session${live === 1 ? '' : 's'}; not stopping it`, {
        hint: 'end them first, or use --force to stop it anyway',
      });
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
 * container without the toolbox label. Returns how many kept generations went with it.
 */
export async function removeBox(deps: Deps, name: string, force: boolean): Promise<{ generations: number }> {
  const { sessions, engine, reporter } = deps;
  return withToolboxLock(deps, name, async (info) => {
    if ((info.status === 'running' || info.status === 'paused') && !force) {
      throw new ToolboxError(`toolbox ${info.name} is running; not removing it`, { hint: `stop it with 'toolbox stop ${info.name}', or use --force` });
    }
    const store = storeOf(deps);
    // A kept generation removed by its own name goes alone; the toolbox removes those it keeps.
    const kept = store.retired(info.id) ? [] : retiredGenerations(lineage(await engine.listBoxes(), info), info, store).filter((b) => store.retired(b.id));
    reporter.status(`removing toolbox ${info.name}`);
    await engine.removeBox(info.id, force);
    sessions.forget(info.id);
    for (const box of kept) {
      await engine.removeBox(box.id, true);
      sessions.forget(box.id);
    }
    if (kept.length || store.retired(info.id)) store.commit(info.name, { forget: [info.id, ...kept.map((b) => b.id)] });
    return { generations: kept.length };
  });
}

const lineage = (all: BoxInfo[], box: BoxInfo) => all.filter((b) => b.isToolbox && identityOf(b) === identityOf(box));

export interface Listing {
  box: BoxInfo;
  generation: number;
  /** kept generations, the most recently kept first */
  kept: BoxInfo[];
}

/**
 * Toolboxes with their kept generations. A generation is "kept" when the store recorded it as
 * such; the new container of an upgrade still in flight is not listed at all.
 */
export async function listBoxes(deps: Deps): Promise<Listing[]> {
  const store = storeOf(deps);
  const boxes = (await deps.engine.listBoxes()).sort((a, b) => a.name.localeCompare(b.name));
  const inFlight = (b: BoxInfo) => {
    const op = operationOf(b);
    return op !== undefined && b.spec !== undefined && store.journal(b.spec.name)?.operation === op;
  };
  const retired = new Set(boxes.filter((b) => store.retired(b.id) !== undefined).map((b) => b.id));
  const current = boxes.filter((b) => !retired.has(b.id) && !inFlight(b));
  return current.map((box) => ({
    box,
    generation: generationOf(box),
    kept: retiredGenerations(lineage(boxes, box), box, store).filter((b) => retired.has(b.id) && !current.includes(b)),
  }));
}

export { toolboxNamed };
