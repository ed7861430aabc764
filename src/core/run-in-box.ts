// Runs a command (or the login shell) in a toolbox as one session: create/start as needed,
// exec, and auto-stop when the last session leaves. The hot path (a running toolbox whose name the
// cache confirms; root and direct entry) makes no engine call at all.
import type { Deps } from './deps.js';
import { refuseConflict } from './box-conflict.js';
import { claimFor, type Claimed } from './claim-box.js';
import { ensureRunning } from './ensure-running.js';
import { answersTo, settleInterrupted } from './generation-moves.js';
import { promptEnv, sessionEnv, shellCommand } from './environment.js';
import { NoSuchToolboxError, ToolboxError } from './errors.js';
import type { BoxRecord, ExecRequest } from './ports.js';
import type { Settings } from './settings.js';

export interface RunOptions {
  /** the command; undefined starts the login shell */
  command: string[] | undefined;
  /** create the toolbox when it is missing */
  create: boolean;
  tty: boolean;
  /** called once the session is open, before the command runs */
  onEnter?: (() => void) | undefined;
}

export async function runInBox(deps: Deps, settings: Settings, options: RunOptions): Promise<number> {
  const record = await openSession(deps, settings, options.create);
  try {
    options.onEnter?.();
    const request = execRequest(deps, settings, record, options);
    const direct = await enterDirectly(deps, settings, record, request);
    return direct ?? (await deps.engine.execInteractive(request));
  } finally {
    await endSession(deps, settings, record);
  }
}

/** The direct path: no engine call at all. undefined means "use the engine". */
async function enterDirectly(
  deps: Deps,
  settings: Settings,
  record: BoxRecord,
  request: ExecRequest,
): Promise<number | undefined> {
  if (settings.exec === 'podman') return undefined;
  const why = deps.direct ? deps.direct.unavailable(record) : `the engine runs as another user, or this is not root`;
  if (why === undefined) {
    const code = await deps.direct!.exec(record, request);
    if (code !== undefined) return code;
  }
  if (settings.exec === 'direct') {
    throw new ToolboxError(`cannot enter toolbox ${settings.name} directly: ${why ?? 'its process changed'}`, {
      hint: 'use --exec podman (or auto)',
    });
  }
  return undefined;
}

/**
 * Registers a session on a running toolbox and returns its record: the live cached one (no
 * engine call when the name is confirmed from the cache), or a fresh one after starting (or
 * creating) it. Everything is keyed by the container's full id, under its lock.
 */
export async function openSession(deps: Deps, settings: Settings, create: boolean): Promise<Session> {
  for (let tries = 0; ; tries++) {
    // An upgrade or rollback killed midway is finished or undone before NAME is looked up.
    if (deps.generations?.journal(settings.name)) await settleInterrupted(deps, settings.name);
    const target = await claimFor(deps, settings, create, tries > 0 ? { fresh: true } : undefined);
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

/** A session's container: its record, and its own name (what was typed may be an id prefix). */
export type Session = BoxRecord & { name: string };

function execRequest(deps: Deps, settings: Settings, record: BoxRecord, options: RunOptions): ExecRequest {
  const user = settings.mode === 'user' ? deps.hostUser() : undefined;
  // The session marker names this session's process (podman exec cannot tell us its pid).
  const env = { ...sessionEnv(deps.env, settings.mode, user), TOOLBOX_SESSION: `${process.pid}-${Date.now()}` };
  const shell = options.command === undefined;
  return {
    target: record.id,
    command: options.command ?? shellCommand(settings.shell),
    tty: options.tty,
    user: user ? `${user.uid}:${user.gid}` : undefined,
    workdir: user ? deps.cwd : undefined,
    env: shell ? { ...env, ...promptEnv() } : env,
  };
}

/** Ends this session; the last one out stops the toolbox unless told to keep it. */
export async function endSession(deps: Deps, settings: Settings, record: BoxRecord): Promise<void> {
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
