// stop, rm and list: the use cases that manage toolboxes without entering them.
import { toolboxId } from './claim-box.js';
import type { Deps } from './deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from './errors.js';
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

/** Removes a toolbox, never a container without the toolbox label. */
export async function removeBox(deps: Deps, name: string, force: boolean): Promise<void> {
  const { sessions, engine, reporter } = deps;
  const id = await toolboxId(deps, name);
  await sessions.withLock(id, async () => {
    const info = await toolboxNamed(deps, id, name);
    if ((info.status === 'running' || info.status === 'paused') && !force) {
      throw new ToolboxError(`toolbox ${info.name} is running; not removing it`, { hint: `stop it with 'toolbox stop ${info.name}', or use --force` });
    }
    reporter.status(`removing toolbox ${info.name}`);
    await engine.removeBox(info.id, force);
    sessions.forget(id);
  });
}

export async function listBoxes(deps: Deps): Promise<BoxInfo[]> {
  const boxes = await deps.engine.listBoxes();
  return boxes.sort((a, b) => a.name.localeCompare(b.name));
}

export { toolboxNamed };
