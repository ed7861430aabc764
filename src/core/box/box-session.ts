// The one session opener. Everything that works inside a toolbox (run, collect, the package
// manager's commands) opens a session here: the toolbox is started (or created) as needed, the
// session is counted under the container's full id, and the last session out stops it unless told
// to keep it.
import type { Deps } from '../deps.js';
import { refuseConflict } from './box-conflict.js';
import { claimFor, type Claimed } from './claim-box.js';
import { ensureRunning } from './ensure-running.js';
import { NoSuchToolboxError, ToolboxError } from '../errors.js';
import { answersTo, settleInterrupted } from '../generations/generation-moves.js';
import type { BoxRecord } from '../ports.js';
import type { Settings } from '../settings/settings.js';

/** A session's container: its record, and its own name (what was typed may be an id prefix). */
export type Session = BoxRecord & { name: string };

/** Runs work in a session on the toolbox settings name, and ends the session however it went. */
export async function withSession<T>(
  deps: Deps,
  settings: Settings,
  create: boolean,
  work: (session: Session) => Promise<T>,
): Promise<T> {
  const session = await openSession(deps, settings, create);
  try {
    return await work(session);
  } finally {
    await endSession(deps, settings, session);
  }
}

export interface BoxTarget {
  /** container id, for exec */
  id: string;
  /** the toolbox's name, for messages and declared state */
  name: string;
  image: string;
}

/** A session for the package manager's work: one such work at a time per toolbox. */
export async function inBoxSession<T>(
  deps: Deps,
  settings: Settings,
  options: { create: boolean },
  work: (target: BoxTarget) => Promise<T>,
): Promise<T> {
  return withSession(deps, settings, options.create, async (record) => {
    // Declared state and messages go by the toolbox's own name, even when an id prefix was typed.
    const name = record.name;
    // The image is needed for messages; this work is not on the hot path.
    let image = record.created?.image;
    if (image === undefined) {
      const info = await deps.engine.inspectBox(record.id);
      image = info?.spec?.image ?? info?.image ?? settings.image;
    }
    // One at a time per toolbox: two package managers at once would fail on zypper's own lock.
    const target = { id: record.id, name, image };
    return deps.sessions.withWorkLock(record.id, () => work(target), `the package manager of toolbox ${name}`);
  });
}

/**
 * Registers a session on a running toolbox and returns its record: the live cached one (no
 * engine call when the name is confirmed from the cache), or a fresh one after starting (or
 * creating) it. Everything is keyed by the container's full id, under its lock.
 */
async function openSession(deps: Deps, settings: Settings, create: boolean): Promise<Session> {
  for (let tries = 0; ; tries++) {
    // An upgrade or rollback killed midway is finished or undone before NAME is looked up.
    if (deps.generations?.journal(settings.name)) await settleInterrupted(deps, settings.name);
    const settle = () => settleInterrupted(deps, settings.name, { containers: true });
    const target = await claimFor(deps, settings, create, { settle, ...(tries > 0 ? { fresh: true } : {}) });
    try {
      return await sessionOn(deps, settings, target);
    } catch (error) {
      // The container went away while this call waited for its lock (removed), or NAME was given
      // to another generation meanwhile (upgrade, rollback): what the name means now is asked again.
      const moved = error instanceof NameMoved || (error instanceof NoSuchToolboxError && !target.created);
      if (!moved || tries >= 5) throw error;
    }
  }
}

class NameMoved extends Error {}

function sessionOn(deps: Deps, settings: Settings, claimed: Claimed): Promise<Session> {
  const { sessions } = deps;
  return sessions.withLock(
    claimed.id,
    async () => {
      const known = sessions.readRecord(claimed.id);
      let target = claimed;
      // Looked up before the lock: an upgrade or rollback may have given NAME to another
      // generation meanwhile. They forget the records of what they move, so a known record
      // proves nothing moved, and so does the engine's index still naming the id NAME (no
      // engine call); otherwise look again, and if NAME moved, claim it afresh.
      const confirmed = claimed.info !== undefined && sessions.resolve(settings.name) === claimed.id;
      if (!known && !claimed.created && !confirmed) {
        const info = await deps.engine.inspectBox(claimed.id);
        if (!info) throw new NoSuchToolboxError(settings.name);
        if (!answersTo(info, settings.name)) throw new NameMoved();
        target = { ...claimed, info };
      }
      // Before anything starts: an existing toolbox that is not what was asked is refused.
      if (!target.created) refuseConflict(settings, known?.created ?? target.info?.spec);
      let record = known;
      if (!record || !sessions.isLive(record)) {
        record = await ensureRunning(deps, settings, target, known);
        if (record.pid) sessions.writeRecord(record);
        if (!target.created) refuseConflict(settings, record.created);
      }
      sessions.addSession(target.id);
      return { ...record, name: target.name };
    },
    `toolbox ${settings.name}`,
  );
}

/**
 * Ends this session; the last one out stops the toolbox unless told to keep it. When the state
 * cannot be written now (a full or read-only /run), the work's own result still stands: the
 * toolbox is left running, and one line says so.
 */
async function endSession(deps: Deps, settings: Settings, record: BoxRecord): Promise<void> {
  try {
    await countOut(deps, settings, record);
  } catch (error) {
    if (!(error instanceof ToolboxError)) throw error;
    deps.reporter.warn(`toolbox ${settings.name} is left running: ${error.message}`);
  }
}

async function countOut(deps: Deps, settings: Settings, record: BoxRecord): Promise<void> {
  const { sessions, engine, reporter } = deps;
  await sessions.withLock(
    record.id,
    async () => {
      sessions.removeSession(record.id);
      if (!settings.autostop || sessions.liveSessions(record.id) > 0) return;
      reporter.status(`stopping toolbox ${settings.name} (last session ended; -n keeps it running)`);
      try {
        await engine.stopBox(record.id);
      } catch (error) {
        if (error instanceof NoSuchToolboxError)
          reporter.warn(`toolbox ${settings.name} was removed while this session ran; the next call creates it anew`);
        else reporter.warn(`could not stop toolbox ${settings.name}: ${(error as Error).message}`);
      }
    },
    `toolbox ${settings.name}`,
  );
}
