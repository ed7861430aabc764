// Brings a toolbox to the running state: created if missing (when allowed), started, unpaused.
// Callers hold the toolbox's lock, so parallel first calls create exactly one container.
import { createBox, specFor } from './create-box.js';
import type { Deps } from './deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from './errors.js';
import type { BoxInfo, BoxRecord } from './ports.js';
import type { Settings } from './settings.js';
import { setupBox } from './setup-box.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function ensureRunning(deps: Deps, settings: Settings, options: { create: boolean }): Promise<BoxInfo> {
  const { engine, reporter } = deps;
  let info = await engine.inspectBox(settings.name);
  let created = false;
  if (!info) {
    if (!options.create) throw new NoSuchToolboxError(settings.name);
    ({ info, created } = await createBox(deps, specFor(deps, settings), settings.pull));
  }
  if (!info.isToolbox) throw new NotAToolboxError(settings.name, engine.name);
  // A create killed (SIGKILL, Ctrl-C) before the first start leaves a never-started toolbox;
  // one killed during the setup leaves it running without the record that is written only
  // after setup. Both still need the (idempotent) setup that create would have done.
  const needsSetup =
    created || info.status === 'created' || info.status === 'configured' || (info.status === 'running' && !deps.sessions.readRecord(settings.name));

  for (let tries = 0; info.status !== 'running'; tries++) {
    if (tries > 100) throw new ToolboxError(`toolbox ${info.name} is stuck in state ${info.status}`, { hint: `inspect it with '${engine.command.join(' ')} inspect ${info.name}'` });
    switch (info.status) {
      case 'paused':
        reporter.status(`unpausing toolbox ${info.name}`);
        await engine.unpauseBox(info.id);
        break;
      case 'stopping':
        await sleep(100);
        break;
      case 'removing':
        throw new ToolboxError(`toolbox ${info.name} is being removed`, { hint: 'wait for the removal to finish, then run the command again to create it anew' });
      default:
        reporter.status(`starting toolbox ${info.name}`);
        await engine.startBox(info.id);
    }
    const next = await engine.inspectBox(info.id);
    if (!next) throw new NoSuchToolboxError(settings.name);
    info = next;
  }
  if (needsSetup) await setupBox(deps, info);
  return info;
}

export function recordOf(deps: Deps, info: BoxInfo): BoxRecord | undefined {
  const pidStart = info.pid > 0 ? deps.sessions.processStart(info.pid) : undefined;
  return pidStart ? { id: info.id, pid: info.pid, pidStart } : undefined;
}
