// `toolbox stop`, `toolbox rm` and `toolbox list`.
import { listBoxes, removeBox, stopBox } from '../../core/box-admin.js';
import { NoSuchToolboxError } from '../../core/errors.js';
import { generationOf, imageIdOf } from '../../core/generations/generations.js';
import type { BoxInfo } from '../../core/ports.js';
import type { GlobalFlags } from '../../core/settings.js';
import { renderTable } from '../../ui/table.js';
import { buildContext } from '../context.js';

/**
 * stop, rm, upgrade and rollback act on a toolbox that is there: a missing one points to the list,
 * not to create.
 */
export async function existing<T>(name: string, work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (error) {
    if (error instanceof NoSuchToolboxError)
      throw new NoSuchToolboxError(name, "'toolbox list' shows the toolboxes there are");
    throw error;
  }
}

export async function stopCommand(flags: GlobalFlags, name: string | undefined, force: boolean): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  const outcome = await existing(settings.name, stopBox(deps, settings.name, force));
  reporter.status(
    outcome === 'stopped' ? `stopped toolbox ${settings.name}` : `toolbox ${settings.name} is not running`,
  );
  return 0;
}

export async function rmCommand(flags: GlobalFlags, name: string | undefined, force: boolean): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  const { generations } = await existing(settings.name, removeBox(deps, settings.name, force));
  const also = generations ? ` and ${generations} kept generation${generations === 1 ? '' : 's'}` : '';
  reporter.status(`removed toolbox ${settings.name}${also}`);
  return 0;
}

export function boxJson(b: BoxInfo): Record<string, unknown> {
  return {
    name: b.name,
    id: b.id,
    image: b.image,
    status: b.status,
    created: b.created,
    mode: b.mode ?? null,
    version: b.version ?? null,
  };
}

const generationJson = (b: BoxInfo) => ({
  generation: generationOf(b),
  id: b.id,
  name: b.name,
  image: b.image,
  digest: imageIdOf(b) || null,
  created: b.created,
});

export async function listCommand(flags: GlobalFlags, json: boolean, all = false): Promise<number> {
  const { deps } = buildContext(flags);
  const listings = await listBoxes(deps);
  if (json) {
    const out = listings.map((l) => ({
      ...boxJson(l.box),
      generation: l.generation,
      generations: l.kept.map(generationJson),
    }));
    process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
    return 0;
  }
  if (listings.length === 0 && process.stderr.isTTY) {
    process.stderr.write('no toolboxes yet; create one with: toolbox create\n');
    return 0;
  }
  const row = (b: BoxInfo) => [b.name, b.status, b.image, b.created.replace(/\.\d+Z$/, 'Z'), b.mode ?? '?'];
  if (!all) {
    process.stdout.write(
      renderTable(
        ['NAME', 'STATUS', 'IMAGE', 'CREATED', 'MODE'],
        listings.map((l) => row(l.box)),
      ),
    );
    return 0;
  }
  const rows = listings.flatMap((l) => [
    [...row(l.box), String(l.generation)],
    ...l.kept.map((k) => [...row(k), `${generationOf(k)} (kept for ${l.box.name})`]),
  ]);
  process.stdout.write(renderTable(['NAME', 'STATUS', 'IMAGE', 'CREATED', 'MODE', 'GENERATION'], rows));
  return 0;
}
