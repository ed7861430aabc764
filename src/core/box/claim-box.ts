// Turns what the user typed (a name or an id prefix) into the container's full id, by which all
// state is kept. A cached name is confirmed without the engine; otherwise one inspect tells.
// A missing toolbox is created while its NAME is claimed, so parallel first calls make one.
import { createBox, specFor } from './create-box.js';
import type { Deps } from '../deps.js';
import { NoSuchToolboxError, NotAToolboxError } from '../errors.js';
import type { BoxInfo } from '../ports.js';
import type { Settings } from '../settings/settings.js';

export interface Claimed {
  id: string;
  /** the container's own name (not an id prefix the user typed) */
  name: string;
  /** what the engine said just now; absent when the id came from the cache */
  info?: BoxInfo | undefined;
  /** this call created the container */
  created: boolean;
}

export interface ClaimOptions {
  /** creates the toolbox when it is missing; absent: a missing toolbox is an error */
  create?: (() => Promise<{ info: BoxInfo; created: boolean }>) | undefined;
  /** try to create before looking (toolbox create): one engine call fewer when it is new */
  createFirst?: boolean | undefined;
  /**
   * With createFirst: whether `settle` has work (an upgrade or rollback of NAME under way). It is
   * asked beside the create, not before it; when it says yes, a container this call just made is
   * removed again before settling, so nothing is ever made under a name between two generations.
   */
  busy?: (() => Promise<boolean>) | undefined;
  /** ask the engine even when the cache has the name (the cached container just went away) */
  fresh?: boolean | undefined;
  /**
   * Settles an upgrade or rollback of NAME that its containers show under way (settleInterrupted):
   * asked before NAME is created, and when NAME is missing, so that no toolbox is ever made (or
   * reported missing) under a name that is between two generations. True when it changed something.
   */
  settle?: (() => Promise<boolean>) | undefined;
}

async function claimBox(deps: Deps, name: string, options: ClaimOptions = {}): Promise<Claimed> {
  const { sessions, engine } = deps;
  const create = options.create;
  const cached = (options.createFirst && create) || options.fresh ? undefined : sessions.resolve(name);
  if (cached) return { id: cached, name, created: false }; // the index confirmed this very name
  let info: BoxInfo | undefined;
  let created = false;
  const settle = options.settle;
  const look = async () =>
    (await engine.inspectBox(name)) ?? (settle && (await settle()) ? await engine.inspectBox(name) : undefined);
  if (!create) info = await look();
  else {
    // Looking and creating happen while the name is claimed: parallel first calls make one toolbox.
    ({ info, created } = await sessions.withNameLock(name, async () => {
      if (options.createFirst) {
        const made = await createBeside(deps, create, options.busy);
        if (made) return made;
        await settle?.();
      }
      const now = await look();
      return now ? { info: now, created: false } : create();
    }));
  }
  if (!info) throw new NoSuchToolboxError(name);
  if (!info.isToolbox) throw new NotAToolboxError(name, engine.name);
  sessions.remember(info.name, info.id, info.storeIndex);
  return { id: info.id, name: info.name, info, created };
}

/**
 * Creates while BUSY looks for an upgrade or rollback under way, the two side by side. Undefined
 * when one is under way: then nothing this call made is left, and the caller settles and looks.
 */
async function createBeside(
  deps: Deps,
  create: () => Promise<{ info: BoxInfo; created: boolean }>,
  busy: (() => Promise<boolean>) | undefined,
): Promise<{ info: BoxInfo; created: boolean } | undefined> {
  const [made, under] = await Promise.allSettled([create(), busy?.() ?? false]);
  const undo = async () => {
    if (made.status === 'fulfilled' && made.value.created) await deps.engine.removeBox(made.value.info.id, true);
  };
  if (under.status === 'rejected') {
    await undo();
    throw under.reason;
  }
  if (under.value) {
    await undo();
    return undefined;
  }
  if (made.status === 'rejected') throw made.reason;
  return made.value;
}

/** Claims the toolbox that settings name, creating it from them when allowed. */
export function claimFor(
  deps: Deps,
  settings: Settings,
  create: boolean,
  options: Omit<ClaimOptions, 'create'> = {},
): Promise<Claimed> {
  return claimBox(deps, settings.name, {
    ...options,
    create: create ? () => createBox(deps, specFor(deps, settings), settings.pull) : undefined,
  });
}

/** The full id of an existing toolbox that a name or id prefix means (stop, rm, upgrade). */
export async function toolboxId(deps: Deps, nameOrId: string): Promise<string> {
  return (await claimBox(deps, nameOrId)).id;
}
