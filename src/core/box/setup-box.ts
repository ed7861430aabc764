// First-start setup inside a new toolbox, as root: the rpm macro that keeps filesystem/netcfg
// updates from breaking, and in user mode the user (with passwordless sudo), as
// microos-toolbox does. The script is a constant; the user's names travel as arguments, never
// as code. Root with a rootful engine runs it through direct entry, which costs a few
// milliseconds instead of an engine exec.
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import type { BoxInfo, BoxRecord, ExecRequest } from '../ports.js';

const SETUP_SCRIPT = `
if [ -d /usr/lib/rpm/macros.d ] && [ ! -e /usr/lib/rpm/macros.d/macros.toolbox ]; then
  echo '%_netsharedpath /dev:/etc/hosts' > /usr/lib/rpm/macros.d/macros.toolbox
fi
[ -n "$1" ] || exit 0
uid=$1 gid=$2 user=$3 group=$4 home=$5
grep -q "^[^:]*:[^:]*:$gid:" /etc/group || groupadd -g "$gid" "$group" 2>/dev/null || echo "$group:x:$gid:" >> /etc/group
grep -q "^[^:]*:[^:]*:$uid:" /etc/passwd || useradd -M -N -g "$gid" -u "$uid" -d "$home" -s /bin/bash "$user" 2>/dev/null || echo "$user:x:$uid:$gid::$home:/bin/sh" >> /etc/passwd
mkdir -p /etc/sudoers.d && echo "$user ALL=(ALL) NOPASSWD: ALL" > "/etc/sudoers.d/toolbox-$user" && chmod 0440 "/etc/sudoers.d/toolbox-$user"
`;

/** Runs the setup; false (after one warning) when it failed, or it throws with onFailure 'throw'. */
export async function setupBox(
  deps: Deps,
  info: BoxInfo,
  record: BoxRecord | undefined,
  allowDirect = true,
  onFailure: 'warn' | 'throw' = 'warn',
): Promise<boolean> {
  const user = info.spec?.mode === 'user' ? info.spec.user : undefined;
  const args = user ? [String(user.uid), String(user.gid), user.name, user.group, user.home] : [];
  if (user) deps.reporter.status(`setting up user ${user.name} (with sudo) in ${info.name}`);
  const request: ExecRequest = {
    target: info.id,
    command: ['/bin/sh', '-c', SETUP_SCRIPT, 'toolbox-setup', ...args],
    tty: false,
    user: '0:0',
    env: {},
  };
  const direct =
    allowDirect && record && deps.direct && deps.direct.unavailable(record) === undefined
      ? await deps.direct.capture(record, request)
      : undefined;
  const r = direct ?? (await deps.engine.execCapture({ ...request, user: 'root' }));
  if (r.exitCode === 0) return true;
  const said = r.stderr.trim().split('\n').at(-1);
  const why = said || (r.exitCode > 128 ? `killed by signal ${r.exitCode - 128}` : 'no output');
  const message = `setting up ${info.name} failed (exit ${r.exitCode}): ${why}`;
  if (onFailure === 'throw') throw new ToolboxError(message);
  deps.reporter.warn(message);
  return false;
}
