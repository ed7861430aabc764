// host-update in every toolbox. toolbox mounts its own single executable, read-only, at
// /usr/local/bin/host-update in each toolbox it creates (host-update is the same file, chosen by
// the name it is called by), so the companion inside always matches the toolbox on the host,
// whatever the image. /usr/local/bin comes before /usr/bin on PATH, so it wins over an image's
// own /usr/bin/host-update (the toolbox-host-update RPM), which stays callable by its full path.
// The label io.toolbox.host-update records what was mounted: the executable's path on the host,
// or "none: WHY". A toolbox made before this has no such label, and gets the mount on upgrade.
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import { LABEL_HOST_UPDATE } from './labels.js';
import type { BoxInfo, BoxRecord } from '../ports.js';

export const HOST_UPDATE_IN_BOX = '/usr/local/bin/host-update';
export const NOT_MOUNTED_NPM = 'none: npm form';
const NOT_MOUNTED_PATH = 'none: the executable path holds ":" or ","';

/** The label's value for a toolbox made now: what is mounted, or why nothing is. */
export function hostUpdateLabel(executable: string | { untrusted: string } | undefined): string {
  if (executable === undefined) return NOT_MOUNTED_NPM;
  // Run as root inside every toolbox: an executable someone else could replace is never mounted.
  if (typeof executable !== 'string') return `none: the executable is not trusted (${executable.untrusted})`;
  // The engines' --volume syntax has no quoting: such a path would break the create itself.
  if (/[:,]/.test(executable)) return NOT_MOUNTED_PATH;
  return executable;
}

/** The host path to mount at HOST_UPDATE_IN_BOX, from a toolbox's labels; undefined: none. */
export function hostUpdateSource(labels: Record<string, string>): string | undefined {
  const value = labels[LABEL_HOST_UPDATE];
  return value?.startsWith('/') ? value : undefined;
}

/** `toolbox run host-update ...`: the command line this check is for. */
export function isHostUpdate(command: readonly string[] | undefined): boolean {
  return command?.[0] === 'host-update';
}

/**
 * Before `toolbox run host-update ...`: when nothing was mounted and the image has no
 * host-update of its own, one line that says why and what to do, instead of the shell's
 * "not found". A toolbox that has the mount costs nothing more (its record holds the label).
 */
export async function checkHostUpdate(deps: Deps, box: BoxRecord & { name: string }): Promise<void> {
  const label = box.created?.hostUpdate ?? (await deps.engine.inspectBox(box.id))?.labels[LABEL_HOST_UPDATE];
  if (label?.startsWith('/')) return;
  const probe = await deps.engine.execCapture({
    target: box.id,
    command: ['/bin/sh', '-c', 'command -v host-update'],
    tty: false,
    user: 'root',
    env: {},
  });
  if (probe.exitCode === 0) return;
  if (label === NOT_MOUNTED_NPM)
    throw new ToolboxError(
      `host-update is not in toolbox ${box.name}: the npm form of toolbox made it, and only the single executable can be mounted into a toolbox`,
      {
        hint: `run 'toolbox upgrade ${box.name}' with the toolbox executable (the toolbox RPM, or dist/sea/toolbox)`,
        exitCode: 127,
      },
    );
  throw new ToolboxError(
    `host-update is not in toolbox ${box.name}: it was made before toolbox put host-update into every toolbox, and its image has none`,
    { hint: `run 'toolbox upgrade ${box.name}'`, exitCode: 127 },
  );
}

/**
 * A toolbox cannot start while the executable it mounts is gone (moved or deleted since it was
 * made): say that, and how to fix it, rather than the runtime's words about a mount.
 */
export function explainStartFailure(error: unknown, box: BoxInfo): unknown {
  const source = hostUpdateSource(box.labels);
  if (!source || !(error instanceof ToolboxError)) return error;
  const text = error.message.toLowerCase();
  if (!text.includes(source.toLowerCase()) || !text.includes('no such file or directory')) return error;
  return new ToolboxError(
    `toolbox ${box.name} cannot start: ${source}, the toolbox executable it mounts as host-update, is gone`,
    {
      hint: `put the executable back there, or run 'toolbox upgrade ${box.name}' to rebuild it with this one`,
      exitCode: error.exitCode,
    },
  );
}
