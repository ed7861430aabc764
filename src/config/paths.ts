// Where toolbox keeps its files.
import { lstatSync } from 'node:fs';
import { homedir, userInfo } from 'node:os';
import { isAbsolute, join } from 'node:path';

export function homeDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.HOME) return env.HOME;
  try {
    return userInfo().homedir || homedir();
  } catch {
    return '/';
  }
}

function configDir(env: NodeJS.ProcessEnv = process.env): string {
  return join(env.XDG_CONFIG_HOME || join(homeDir(env), '.config'), 'toolbox');
}

export function configFile(env: NodeJS.ProcessEnv = process.env): string {
  return join(configDir(env), 'config.json');
}

export function rcFiles(env: NodeJS.ProcessEnv = process.env): string[] {
  return ['/usr/share/toolbox/toolboxrc', '/usr/etc/toolboxrc', '/etc/toolboxrc', join(homeDir(env), '.toolboxrc')];
}

/**
 * The top of the runtime state (sessions, locks, records): gone at reboot, as it should be.
 * It must be the caller's own private directory; the state store checks that before any use.
 */
export function runtimeTop(env: NodeJS.ProcessEnv = process.env): string {
  const uid = process.getuid?.() ?? 0;
  if (uid === 0) return '/run/toolbox';
  // The XDG spec: a relative path in these variables is invalid and ignored.
  const xdg = env.XDG_RUNTIME_DIR;
  if (xdg && isAbsolute(xdg)) return join(xdg, 'toolbox');
  const userDir = userRuntimeDir(uid);
  return userDir ? join(userDir, 'toolbox') : `/tmp/toolbox-${uid}`;
}

/**
 * A shell without XDG_RUNTIME_DIR (su -, runuser -l) uses /run/user/UID when it is the user's,
 * as rootless podman does: sessions of one toolbox are then counted in one place, whichever
 * way each was started, and one session ending never stops the toolbox under another.
 */
function userRuntimeDir(uid: number): string | undefined {
  const dir = `/run/user/${uid}`;
  try {
    const st = lstatSync(dir);
    return st.isDirectory() && st.uid === uid ? dir : undefined;
  } catch {
    return undefined;
  }
}

export function runtimeDir(engineKey: string, env: NodeJS.ProcessEnv = process.env): string {
  return join(runtimeTop(env), engineKey);
}
