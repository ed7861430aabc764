// Runs a command (or the login shell) in a toolbox as one session: create/start as needed,
// exec, and auto-stop when the last session leaves. The hot path (a running toolbox whose name the
// cache confirms; root and direct entry) makes no engine call at all.
import { withSession, type Session } from './box-session.js';
import type { Deps } from '../deps.js';
import { promptEnv, sessionEnv, shellCommand } from './environment.js';
import { ToolboxError } from '../errors.js';
import { checkHostUpdate, isHostUpdate } from './host-update-in-box.js';
import { identityOf } from '../generations/generations.js';
import type { BoxRecord, ExecRequest } from '../ports.js';
import type { Settings } from '../settings/settings.js';

export interface RunOptions {
  /** the command; undefined starts the login shell */
  command: string[] | undefined;
  /** create the toolbox when it is missing */
  create: boolean;
  tty: boolean;
  /** called once the session is open, before the command runs */
  onEnter?: (() => void) | undefined;
  /** the directory inside to run in (default: user mode the caller's, else the image's) */
  workdir?: string | undefined;
  /** run only in the toolbox of this identity (an exported wrapper's call) */
  identity?: string | undefined;
}

export async function runInBox(deps: Deps, settings: Settings, options: RunOptions): Promise<number> {
  return withSession(deps, settings, options.create, async (record) => {
    if (options.identity !== undefined) await confirmIdentity(deps, record, options.identity);
    options.onEnter?.();
    if (isHostUpdate(options.command)) await checkHostUpdate(deps, record);
    const request = execRequest(deps, settings, record, options);
    const direct = await enterDirectly(deps, settings, record, request);
    return direct ?? (await deps.engine.execInteractive(request));
  });
}

/** The name may have gone to another toolbox since it was looked up: then refuse to run there. */
async function confirmIdentity(deps: Deps, record: Session, identity: string): Promise<void> {
  let actual = record.created?.identity;
  if (actual === undefined) {
    const info = await deps.engine.inspectBox(record.id);
    actual = info ? identityOf(info) : undefined;
  }
  if (actual !== identity)
    throw new ToolboxError(`toolbox ${record.name} is no longer the toolbox this command was exported from`, {
      hint: "run the command again; 'toolbox export --list' shows where each export points",
    });
}

/** The direct path: no engine call at all. undefined means "use the engine". */
async function enterDirectly(
  deps: Deps,
  settings: Settings,
  record: BoxRecord,
  request: ExecRequest,
): Promise<number | undefined> {
  if (settings.exec === 'podman') return undefined;
  const { direct } = deps;
  const why = direct ? direct.unavailable(record) : `the engine runs as another user, or this is not root`;
  if (direct && why === undefined) {
    const code = await direct.exec(record, request);
    if (code !== undefined) return code;
  }
  if (settings.exec === 'direct') {
    throw new ToolboxError(`cannot enter toolbox ${settings.name} directly: ${why ?? 'its process changed'}`, {
      hint: 'use --exec podman (or auto)',
    });
  }
  return undefined;
}

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
    workdir: options.workdir ?? (user ? deps.cwd : undefined),
    env: shell ? { ...env, ...promptEnv() } : env,
  };
}
