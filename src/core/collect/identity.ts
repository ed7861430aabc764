// Who the host is, read in one round trip through the host root: hostname, machine id, OS, kernel.
import { commandFor, type HostTarget } from './profiles.js';

export interface HostIdentity {
  hostname: string | null;
  machineId: string | null;
  os: string | null;
  osId: string | null;
  osVersion: string | null;
  kernel: string | null;
}

// A constant script; the host root and PID come in as $1 and $2. os-release is parsed here, never
// sourced. A host without /etc/hostname (a transient name) is asked in its own UTS namespace.
const IDENTITY = `r=$1
name=$(head -n 1 "$r/etc/hostname" 2>/dev/null)
[ -n "$name" ] || name=$(nsenter --target="$2" --uts -- cat /proc/sys/kernel/hostname 2>/dev/null)
printf 'hostname\\t%s\\n' "$name"
printf 'machine-id\\t%s\\n' "$(head -n 1 "$r/etc/machine-id" 2>/dev/null)"
printf 'kernel\\t%s\\n' "$(uname -r)"
for f in "$r/etc/os-release" "$r/usr/lib/os-release"; do
  if [ -r "$f" ]; then sed 's/^/os\\t/' "$f"; break; fi
done`;

export function identityCommand(target: HostTarget): string[] {
  return commandFor(
    { profile: 'basic', name: 'identity', command: ['sh', '-c', IDENTITY, 'host-identity', '{root}', '{pid}'] },
    target,
  );
}

export function parseIdentity(output: string): HostIdentity {
  const fields = new Map<string, string>();
  const os = new Map<string, string>();
  for (const line of output.split('\n')) {
    const tab = line.indexOf('\t');
    if (tab < 0) continue;
    const key = line.slice(0, tab);
    const value = line.slice(tab + 1).trim();
    if (key === 'os') {
      const eq = value.indexOf('=');
      if (eq > 0) os.set(value.slice(0, eq), unquote(value.slice(eq + 1)));
    } else fields.set(key, value);
  }
  const get = (m: Map<string, string>, k: string) => m.get(k) || null;
  return {
    hostname: get(fields, 'hostname'),
    machineId: get(fields, 'machine-id'),
    os: get(os, 'PRETTY_NAME') ?? get(os, 'NAME'),
    osId: get(os, 'ID'),
    osVersion: get(os, 'VERSION_ID'),
    kernel: get(fields, 'kernel'),
  };
}

function unquote(value: string): string {
  const m = /^"(.*)"$|^'(.*)'$/.exec(value);
  return m ? (m[1] ?? m[2] ?? '').replace(/\\(["\\$`])/g, '$1') : value;
}
