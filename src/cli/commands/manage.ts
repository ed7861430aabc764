// `toolbox stop`, `toolbox rm` and `toolbox list`.
import { listBoxes, removeBox, stopBox } from '../../core/box-admin.js';
import { NoSuchToolboxError } from '../../core/errors.js';
import type { BoxInfo } from '../../core/ports.js';
import type { GlobalFlags } from '../../core/settings.js';
import { renderTable } from '../../ui/table.js';
import { buildContext } from '../context.js';

/** stop and rm act on a toolbox that is there: a missing one points to the list, not to create. */
async function existing<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NoSuchToolboxError) throw new NoSuchToolboxError(name, "'toolbox list' shows the toolboxes there are");
    throw error;
  }
}

export async function stopCommand(flags: GlobalFlags, name: string | undefined, force: boolean): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  const outcome = await existing(settings.name, stopBox(deps, settings.name, force));
  reporter.status(outcome === 'stopped' ? `stopped toolbox ${settings.name}` : `toolbox ${settings.name} is not running`);
  return 0;
}

export async function rmCommand(flags: GlobalFlags, name: string | undefined, force: boolean): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  await existing(settings.name, removeBox(deps, settings.name, force));
  reporter.status(`removed toolbox ${settings.name}`);
  return 0;
}

export function boxJson(b: BoxInfo): Record<string, unknown> {
  return { name: b.name, id: b.id, image: b.image, status: b.status, created: b.created, mode: b.mode ?? null, version: b.version ?? null };
}

export async function listCommand(flags: GlobalFlags, json: boolean): Promise<number> {
  const { deps } = buildContext(flags);
  const boxes = await listBoxes(deps);
  if (json) {
    process.stdout.write(`${JSON.stringify(boxes.map(boxJson), null, 2)}\n`);
    return 0;
  }
  if (boxes.length === 0 && process.stderr.isTTY) {
    process.stderr.write('no toolboxes yet; create one with: toolbox create\n');
    return 0;
  }
  const rows = boxes.map((b) => [b.name, b.status, b.image, b.created.replace(/\.\d+Z$/, 'Z'), b.mode ?? '?']);
  process.stdout.write(renderTable(['NAME', 'STATUS', 'IMAGE', 'CREATED', 'MODE'], rows));
  return 0;
}
