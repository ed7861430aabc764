// Runs a command (or the login shell) in a toolbox as one session: create/start as needed,
// exec, and auto-stop when the last session leaves. The hot path makes one engine call.
import type { Deps } from './deps.js';
import { ensureRunning, recordOf } from './ensure-running.js';
import { promptEnv, sessionEnv, shellCommand } from './environment.js';
import { NoSuchToolboxError } from './errors.js';
import type { BoxRecord, ExecRequest } from './ports.js';
import type { Settings } from './settings.js';

export interface RunOptions {
  /** the command; undefined starts the login shell */
  command: string[] | undefined;
  /** create the toolbox when it is missing */
  create: boolean;
  tty: boolean;
}

export async function runInBox(deps: Deps, settings: Settings, options: RunOptions): Promise<number> {
  const { sessions } = deps;
  const name = settings.name;
  const record = await sessions.withLock(name, async () => {
    const cached = sessions.readRecord(name);
    const fresh = cached ?? (await start(deps, settings, options.create));
    sessions.addSession(name);
    return fresh;
  });
  try {
    return await deps.engine.execInteractive(execRequest(deps, settings, record, options));
  } finally {
    await endSession(deps, settings, record);
  }
}

async function start(deps: Deps, settings: Settings, create: boolean): Promise<BoxRecord> {
  const info = await ensureRunning(deps, settings, { create });
  const record = recordOf(deps, info) ?? { id: info.id, pid: 0, pidStart: '' };
  if (record.pid) deps.sessions.writeRecord(settings.name, record);
  return record;
}

function execRequest(deps: Deps, settings: Settings, record: BoxRecord, options: RunOptions): ExecRequest {
  const user = settings.mode === 'user' ? deps.hostUser() : undefined;
  const env = sessionEnv(deps.env, settings.mode, user);
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
  await sessions.withLock(settings.name, async () => {
    sessions.removeSession(settings.name);
    if (!settings.autostop || sessions.liveSessions(settings.name) > 0) return;
    reporter.status(`stopping toolbox ${settings.name} (last session ended; -n keeps it running)`);
    try {
      await engine.stopBox(record.id);
    } catch (error) {
      if (error instanceof NoSuchToolboxError) reporter.warn(`toolbox ${settings.name} was removed while this session ran; the next call creates it anew`);
      else reporter.warn(`could not stop toolbox ${settings.name}: ${(error as Error).message}`);
    }
    sessions.forget(settings.name);
  });
}
