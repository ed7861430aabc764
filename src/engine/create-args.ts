// The engine command line that creates a toolbox, as microos-toolbox does, plus labels.
import type { BoxSpec, EngineName } from '../core/ports.js';

/** The keep-alive command: runs forever, dies quietly on `stop`. */
export const KEEP_ALIVE = ['sleep', 'infinity'];

export function createArgs(
  engine: EngineName,
  spec: BoxSpec,
  labels: Record<string, string>,
  rootful: boolean,
  exists: (path: string) => boolean,
  containerName: string = spec.name,
): string[] {
  // toolbox pulls (or not) itself; the engine must never pull behind its back. The hostname is
  // always the toolbox's name, even while an upgrade builds it under another.
  const args = ['create', '--pull', 'never', '--name', containerName, '--hostname', spec.name, '--network', 'host'];
  if (spec.runtime) args.push('--runtime', spec.runtime);
  if (spec.sandbox) {
    // Less privileged than usual: no --privileged, no host pid/ipc, host root read-only.
    args.push('--volume', '/:/media/root:ro,rslave');
  } else {
    args.push(
      '--privileged',
      '--security-opt', 'label=disable',
      '--pid', 'host',
      '--ipc', 'host',
      '--volume', '/:/media/root:rslave',
      '--volume', '/sys:/sys:rslave',
      '--mount', 'type=devpts,destination=/dev/pts',
    );
  }
  // The hostname must resolve (sudo insists), and a host network brings no /etc/hosts entry for it.
  args.push('--add-host', `${spec.name}:127.0.1.1`);
  args.push('--volume', '/etc/machine-id:/etc/machine-id:ro', '--volume', '/etc/localtime:/etc/localtime:ro');
  if (spec.mode === 'user' && spec.user) {
    const u = spec.user;
    args.push('--user', 'root:root', '--volume', '/tmp:/tmp:rslave', '--volume', `${u.home}:${u.home}`);
    const runtimeDir = `/run/user/${u.uid}`;
    if (exists(runtimeDir)) args.push('--volume', `${runtimeDir}:${runtimeDir}:rslave`);
    if (engine === 'podman') {
      args.push('--annotation', 'run.oci.keep_original_groups=1');
      if (!rootful) args.push('--userns', 'keep-id');
    }
  }
  for (const [key, value] of Object.entries(labels)) args.push('--label', `${key}=${value}`);
  args.push(...spec.engineArgs);
  args.push(spec.image, ...KEEP_ALIVE);
  return args;
}
