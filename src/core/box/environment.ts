// The environment a session gets: an explicit allow-list, nothing else crosses into the toolbox.
import type { HostUser, Mode } from '../ports.js';

const ALWAYS = [
  'TERM',
  'COLORTERM',
  'LANG',
  'LANGUAGE',
  'LC_ALL',
  'LC_CTYPE',
  'LC_MESSAGES',
  'LC_COLLATE',
  'LC_NUMERIC',
  'LC_TIME',
  'TZ',
  'NO_COLOR',
];

// microos-toolbox's user-mode list.
const USER_MODE = [
  'DBUS_SESSION_BUS_ADDRESS',
  'DBUS_SYSTEM_BUS_ADDRESS',
  'DESKTOP_SESSION',
  'SESSION_MANAGER',
  'DISPLAY',
  'SSH_AUTH_SOCK',
  'USER',
  'USERNAME',
  'WAYLAND_DISPLAY',
  'XAUTHORITY',
  'XAUTHLOCALHOSTNAME',
  'XDG_CURRENT_DESKTOP',
  'XDG_DATA_DIRS',
  'XDG_MENU_PREFIX',
  'XDG_RUNTIME_DIR',
  'XDG_SESSION_CLASS',
  'XDG_SESSION_DESKTOP',
  'XDG_SESSION_TYPE',
];

const FORWARDED_ENV: Record<Mode, readonly string[]> = { system: ALWAYS, user: [...ALWAYS, ...USER_MODE] };

export function sessionEnv(env: NodeJS.ProcessEnv, mode: Mode, user: HostUser | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of FORWARDED_ENV[mode]) {
    const value = env[key];
    if (value !== undefined && value !== '') out[key] = value;
  }
  if (mode === 'user' && user) {
    out.HOME = user.home;
    if (!('USER' in out)) out.USER = user.name;
  }
  return out;
}

/** A prompt that says where you are; PROMPT_COMMAND survives the image's bashrc resetting PS1. */
const PROMPT = '⬢ [\\u@\\h \\W]\\$ ';
export function promptEnv(): Record<string, string> {
  return { PS1: PROMPT, PROMPT_COMMAND: `PS1='${PROMPT}'` };
}

/**
 * The login shell: TOOLBOX_SHELL, falling back to /bin/sh when the image lacks it. The shell's
 * path travels as an argument to a constant script, never as code.
 */
export function shellCommand(shell: string): string[] {
  const script =
    'if [ -x "$1" ]; then exec "$1" -l; fi; echo "toolbox: $1 is not in this image; starting /bin/sh" >&2; exec /bin/sh -l';
  return ['/bin/sh', '-c', script, 'toolbox-shell', shell];
}
