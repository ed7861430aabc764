// Brings a toolbox to the running state: created if missing (when allowed), started, unpaused,
// and returns the record the hot path needs. Callers hold the toolbox's lock, so parallel first
// calls create exactly one container.
import { createBox, specFor } from './create-box.js';
import type { Deps } from './deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from './errors.js';
import type { BoxInfo, BoxRecord } from './ports.js';
import type { Settings } from './settings.js';
import { setupBox } from './setup-box.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface EnsureOptions {
  create: boolean;
  /** the last record of this toolbox, for a one-call restart */
  known?: BoxRecord | undefined;
  /** try to create before looking (toolbox create): one engine call fewer when it is new */
  createFirst?: boolean;
}

export async function ensureRunning(deps: Deps, settings: Settings, options: EnsureOptions): Promise<BoxRecord> {
  const { engine, reporter } = deps;
  if (options.known) {
    // A toolbox we saw running before: its id is ours, so starting it by id touches nothing
    // else, and takes one engine call. Anything unexpected goes the careful way below.
    try {
      await engine.startBox(options.known.id);
      // Said once it worked: a record of a toolbox removed since would say "starting", then "creating".
      reporter.status(`starting toolbox ${settings.name}`);
      const record = recordFor(deps, options.known.id, engine.runningPid(options.known.id), options.known.privileged === true);
      if (record) return record;
    } catch {
      deps.sessions.forget(settings.name);
    }
  }

  let created = false;
  let info: BoxInfo | undefined;
  if (options.createFirst && options.create) ({ info, created } = await createBox(deps, specFor(deps, settings), settings.pull));
  else info = await engine.inspectBox(settings.name);
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
    if (info.status === 'removing') {
      throw new ToolboxError(`toolbox ${info.name} is being removed`, { hint: 'wait for the removal to finish, then run the command again to create it anew' });
    }
    if (info.status === 'stopping') {
      await sleep(100);
      const next = await engine.inspectBox(info.id);
      if (!next) throw new NoSuchToolboxError(settings.name);
      info = next;
      continue;
    }
    reporter.status(`${info.status === 'paused' ? 'unpausing' : 'starting'} toolbox ${info.name}`);
    await (info.status === 'paused' ? engine.unpauseBox(info.id) : engine.startBox(info.id));
    info = { ...info, status: 'running', pid: 0 };
  }
  const privileged = info.spec ? !info.spec.sandbox : false;
  const pid = info.pid || engine.runningPid(info.id) || (await engine.inspectBox(info.id))?.pid || 0;
  const record = recordFor(deps, info.id, pid, privileged);
  if (needsSetup) await setupBox(deps, { ...info, pid }, record, settings.exec !== 'podman');
  return record ?? { id: info.id, pid: 0, pidStart: '', privileged };
}

function recordFor(deps: Deps, id: string, pid: number | undefined, privileged: boolean): BoxRecord | undefined {
  const pidStart = pid ? deps.sessions.processStart(pid) : undefined;
  return pid && pidStart ? { id, pid, pidStart, privileged } : undefined;
}
