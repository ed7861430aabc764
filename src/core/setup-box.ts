// First-start setup of a user-mode toolbox, as root: the user (with passwordless sudo) and the
// rpm macro that keeps filesystem/netcfg updates from breaking, as microos-toolbox does. The
// script is a constant; the user's names travel as arguments, never as code.
import type { Deps } from './deps.js';
import type { BoxInfo } from './ports.js';

const SETUP_SCRIPT = `
if [ -d /usr/lib/rpm/macros.d ] && [ ! -e /usr/lib/rpm/macros.d/macros.toolbox ]; then
  echo '%_netsharedpath /dev:/etc/hosts' > /usr/lib/rpm/macros.d/macros.toolbox
fi
uid=$1 gid=$2 user=$3 group=$4 home=$5
grep -q "^[^:]*:[^:]*:$gid:" /etc/group || groupadd -g "$gid" "$group" 2>/dev/null || echo "$group:x:$gid:" >> /etc/group
grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd || useradd -M -N -g "$gid" -u "$uid" -d "$home" -s /bin/bash "$user" 2>/dev/null || echo "$user:x:$uid:$gid::$home:/bin/sh" >> /etc/passwd
mkdir -p /etc/sudoers.d && echo "$user ALL=(ALL) NOPASSWD: ALL" > "/etc/sudoers.d/toolbox-$user" && chmod 0440 "/etc/sudoers.d/toolbox-$user"
`;

export async function setupBox(deps: Deps, info: BoxInfo): Promise<void> {
  const user = info.spec?.mode === 'user' ? info.spec.user : undefined;
  if (!user) return; // a system toolbox needs nothing: the image is used as it is
  deps.reporter.status(`setting up user ${user.name} (with sudo) in ${info.name}`);
  const args = [String(user.uid), String(user.gid), user.name, user.group, user.home];
  const r = await deps.engine.execCapture({ target: info.id, command: ['/bin/sh', '-c', SETUP_SCRIPT, 'toolbox-setup', ...args], tty: false, user: 'root', env: {} });
  if (r.exitCode !== 0) deps.reporter.warn(`setting up ${info.name} failed (exit ${r.exitCode}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`);
}
