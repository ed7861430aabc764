// Brings a toolbox to the running state: started, unpaused, set up when its creation was cut
// short, and returns the record the hot path needs. Callers hold the container's lock (by id),
// so a start never races an auto-stop of the same container.
import type { Claimed } from './claim-box.js';
import type { Deps } from '../deps.js';
import { NoSuchToolboxError, NotAToolboxError, ToolboxError } from '../errors.js';
import { explainStartFailure } from './host-update-in-box.js';
import { LABEL_HOST_UPDATE } from './labels.js';
import { identityOf } from '../generations/generations.js';
import type { BoxInfo, BoxRecord } from '../ports.js';
import type { Settings } from '../settings/settings.js';
import { setupBox } from './setup-box.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** target: the claimed container; known: its cached record (not live), for a one-call restart. */
export async function ensureRunning(
  deps: Deps,
  settings: Settings,
  target: Claimed,
  known?: BoxRecord,
): Promise<BoxRecord> {
  const { engine, reporter } = deps;
  let started = false;
  if (known && !target.created) {
    // A toolbox we saw running before: starting it by its id touches nothing else, and takes
    // one engine call. Anything unexpected goes the careful way below.
    try {
      await engine.startBox(target.id);
      started = true;
      // Said once it worked: a record of a toolbox removed since would say "starting", then "creating".
      reporter.status(`starting toolbox ${settings.name}`);
      const record = recordFor(deps, target.id, engine.runningPid(target.id), known.privileged === true, known.created);
      if (record) return record;
    } catch {
      deps.sessions.forget(target.id);
    }
  }

  // Once started above (a rootless toolbox's process is not found in /proc), what the claim saw
  // is stale: look again rather than start it, and say so, a second time.
  let info: BoxInfo | undefined = (started ? undefined : target.info) ?? (await engine.inspectBox(target.id));
  if (!info) throw new NoSuchToolboxError(settings.name);
  if (!info.isToolbox) throw new NotAToolboxError(settings.name, engine.name);
  // A create killed (SIGKILL, Ctrl-C) before the first start leaves a never-started toolbox;
  // one killed during the setup leaves it running without the record that is written only
  // after setup. Both still need the (idempotent) setup that create would have done.
  const needsSetup =
    target.created ||
    info.status === 'created' ||
    info.status === 'configured' ||
    (info.status === 'running' && !known);

  for (let tries = 0; info.status !== 'running'; tries++) {
    if (tries > 100)
      throw new ToolboxError(`toolbox ${info.name} is stuck in state ${info.status}`, {
        hint: `inspect it with '${engine.command.join(' ')} inspect ${info.name}'`,
      });
    if (info.status === 'removing') {
      throw new ToolboxError(`toolbox ${info.name} is being removed`, {
        hint: 'wait for the removal to finish, then run the command again to create it anew',
      });
    }
    if (info.status === 'stopping') {
      await sleep(100);
      const next = await engine.inspectBox(info.id);
      if (!next) throw new NoSuchToolboxError(settings.name);
      info = next;
      continue;
    }
    reporter.status(`${info.status === 'paused' ? 'unpausing' : 'starting'} toolbox ${info.name}`);
    const box = info;
    const starting =
      box.status === 'paused'
        ? engine.unpauseBox(box.id)
        : target.created
          ? startCreated(deps, box.id)
          : engine.startBox(box.id);
    await starting.catch((error: unknown) => {
      throw explainStartFailure(error, box);
    });
    info = { ...info, status: 'running', pid: 0 };
  }
  const privileged = info.spec ? !info.spec.sandbox : false;
  // The identity lets an exported wrapper's call confirm its toolbox with no engine call.
  const created = info.spec
    ? {
        image: info.spec.image,
        mode: info.spec.mode,
        sandbox: info.spec.sandbox,
        hostUpdate: info.labels[LABEL_HOST_UPDATE],
        identity: identityOf(info),
      }
    : undefined;
  const pid = info.pid || engine.runningPid(info.id) || (await engine.inspectBox(info.id))?.pid || 0;
  const record = recordFor(deps, info.id, pid, privileged, created);
  const fallback = { id: info.id, pid: 0, pidStart: '', privileged, created };
  // A setup that failed (its engine killed, say) is tried again by the next call: no record is
  // kept (pid 0), so that call finds the toolbox running without one, as after a killed create.
  if (needsSetup && !(await setupBox(deps, { ...info, pid }, record, settings.exec !== 'podman'))) {
    deps.sessions.forget(info.id);
    return fallback;
  }
  return record ?? fallback;
}

/**
 * Starts the container this call has just created. A create that fails leaves nothing: when
 * the engine cannot start it (an extra create argument the engine's start refuses), the
 * container goes, by its full id (never by name: that might be another's by now), and the
 * engine's error is what the caller sees.
 */
async function startCreated(deps: Deps, id: string): Promise<void> {
  try {
    await deps.engine.startBox(id);
  } catch (error) {
    try {
      await deps.engine.removeBox(id, true);
      deps.sessions.removed(id);
    } catch {
      // left for 'toolbox rm'; the start's failure is the one to report
    }
    throw error;
  }
}

function recordFor(
  deps: Deps,
  id: string,
  pid: number | undefined,
  privileged: boolean,
  created: BoxRecord['created'],
): BoxRecord | undefined {
  const pidStart = pid ? deps.sessions.processStart(pid) : undefined;
  return pid && pidStart ? { id, pid, pidStart, privileged, created } : undefined;
}
