// `toolbox stop`, `toolbox rm` and `toolbox list`.
import { listBoxes, removeBox, stopBox } from '../../core/box/box-admin.js';
import { NoSuchToolboxError } from '../../core/errors.js';
import { generationOf, imageIdOf } from '../../core/generations/generations.js';
import type { BoxInfo } from '../../core/ports.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { renderTable } from '../../ui/table.js';
import { buildContext } from '../context.js';
import { note, print, printJson } from '../../ui/print.js';

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
  const { generations, identity, whole } = await existing(settings.name, removeBox(deps, settings.name, force));
  const also = generations ? ` and ${generations} kept generation${generations === 1 ? '' : 's'}` : '';
  reporter.status(`removed toolbox ${settings.name}${also}`);
  if (!whole) return 0;
  const { exportDeps } = await import('./export.js');
  const { removeExportsOf } = await import('../../core/export/export-tools.js');
  const wrappers = removeExportsOf(exportDeps(deps, settings), identity);
  if (wrappers) reporter.status(`removed ${wrappers} exported command${wrappers === 1 ? '' : 's'} of ${settings.name}`);
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
    // Each engine sees only its own toolboxes: say whose these are.
    const out = listings.map((l) => ({
      ...boxJson(l.box),
      engine: deps.engine.name,
      generation: l.generation,
      generations: l.kept.map(generationJson),
    }));
    printJson(out);
    return 0;
  }
  if (listings.length === 0 && process.stderr.isTTY) {
    note('no toolboxes yet; create one with: toolbox create\n');
    return 0;
  }
  const row = (b: BoxInfo) => [b.name, b.status, b.image, b.created.replace(/\.\d+Z$/, 'Z'), b.mode ?? '?'];
  // ENGINE last: each engine sees only its own toolboxes, and a new column at the end leaves
  // the others where scripts expect them.
  const engine = deps.engine.name;
  if (!all) {
    print(
      renderTable(
        ['NAME', 'STATUS', 'IMAGE', 'CREATED', 'MODE', 'ENGINE'],
        listings.map((l) => [...row(l.box), engine]),
      ),
    );
    return 0;
  }
  const rows = listings.flatMap((l) => [
    [...row(l.box), String(l.generation), engine],
    ...l.kept.map((k) => [...row(k), `${generationOf(k)} (kept for ${l.box.name})`, engine]),
  ]);
  print(renderTable(['NAME', 'STATUS', 'IMAGE', 'CREATED', 'MODE', 'GENERATION', 'ENGINE'], rows));
  return 0;
}
