// `toolbox upgrade`: rebuild a toolbox from the newest image with the same settings, its declared
// repositories and its declared tools, as its next generation. The new container is built beside
// the old one; only when it is proven (every declared tool installed) does it take the name. The
// old one stays, stopped, as the previous generation: `toolbox rollback` brings it back.
// Every step is journaled first, so a crash anywhere is finished or undone by the next command.
import { randomBytes } from 'node:crypto';
import type { BoxTarget } from '../box/box-session.js';
import { ensureImage } from '../box/ensure-image.js';
import { ToolboxError } from '../errors.js';
import {
  announce,
  finishUpgrade,
  prune,
  storeOf,
  withToolboxLock,
  refuseKeptGeneration,
  type Pruned,
} from './generation-moves.js';
import {
  generationOf,
  identityOf,
  lineageOf,
  provenNameFor,
  upgradeNameFor,
  type Journal,
  type UpgradeStep,
} from './generations.js';
import { installInBox, InstallFailed, type ToolsDeps } from '../tools/install-tools.js';
import { hostUpdateLabel } from '../box/host-update-in-box.js';
import { labelsFor } from '../box/labels.js';
import { isLocalImage } from '../settings/names.js';
import { addRepoInBox } from '../tools/manage-repos.js';
import type { BoxInfo } from '../ports.js';
import type { Settings } from '../settings/settings.js';
import { setupBox } from '../box/setup-box.js';
import { installedPackages } from '../tools/zypper.js';

export interface UpgradeResult {
  name: string;
  image: string;
  oldId: string;
  newId: string;
  oldGeneration: number;
  newGeneration: number;
  repos: string[];
  tools: string[];
  /** generations removed because more than --keep were kept */
  pruned: number[];
}

export interface UpgradeOptions {
  force: boolean;
  recommends: boolean;
  /** how many previous generations stay (at least 1: the way back) */
  keep: number;
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export async function upgradeBox(deps: ToolsDeps, settings: Settings, options: UpgradeOptions): Promise<UpgradeResult> {
  const { sessions, engine, progress } = deps;
  const store = storeOf(deps);
  return withToolboxLock(deps, settings.name, async (old) => {
    // The container's own name, also when an id prefix was typed.
    const name = old.name;
    const step = (s: UpgradeStep) => {
      announce(deps, 'upgrade', s, name);
    };
    step('check');
    await refuseKeptGeneration(deps, old);
    const spec = old.spec;
    if (!spec) {
      throw new ToolboxError(`toolbox ${name} does not record how it was created, so it cannot be rebuilt`, {
        hint: `remove it and create it anew: toolbox rm --force ${name} && toolbox create ${name}`,
      });
    }
    const live = sessions.liveSessions(old.id);
    if (live > 0 && !options.force) {
      throw new ToolboxError(`toolbox ${name} has ${live} active session${live === 1 ? '' : 's'}; not upgrading it`, {
        hint: 'end them first, or use --force',
      });
    }
    const all = await engine.listBoxes();
    const identity = identityOf(old);
    const generation = Math.max(...lineageOf(all, old).map(generationOf)) + 1;
    const declared = deps.declared.get(name);

    step('pull');
    const imageId = await currentImage(deps, spec.image);

    // From here on a crash is recovered from the journal: written before the first change.
    const operation = randomBytes(8).toString('hex');
    const journal: Journal = { op: 'upgrade', name, identity, fromId: old.id, operation, step: 'create' };
    store.setJournal(name, journal);
    step('create');
    progress.phase(`creating generation ${generation} of ${name} from ${spec.image}`);
    // Its temporary name means nothing: it is found by its labels, never by this name. It gets
    // this executable as host-update, also when the old one was made before toolbox mounted it.
    const newId = await engine.createBox(
      spec,
      labelsFor(spec, deps.version, { identity, generation, imageId, operation }, hostUpdateLabel(deps.executable?.())),
      upgradeNameFor(name, generation, operation),
    );
    store.setJournal(name, { ...journal, toId: newId });

    step('build');
    try {
      await buildNew(deps, newId, name, spec.image, imageId, declared, options.recommends);
    } catch (error) {
      progress.fail();
      await sessions
        .withLock(newId, async () => {
          await engine.removeBox(newId, true);
          sessions.removed(newId);
        })
        .catch(() => undefined);
      store.setJournal(name, undefined);
      if (!(error instanceof ToolboxError)) throw error;
      throw new ToolboxError(`upgrade of toolbox ${name} failed, the toolbox is unchanged: ${error.message}`, {
        hint: error.hint ?? 'fix the cause and run toolbox upgrade again',
        exitCode: error.exitCode,
      });
    }

    step('proven');
    // Proven, for every caller to see: from this rename on, an interrupted upgrade is finished.
    await engine.renameBox(newId, provenNameFor(name, generation, operation));
    const proven: Journal = { ...journal, toId: newId, step: 'proven' };
    store.setJournal(name, proven);
    progress.phase(`switching ${name} to generation ${generation}`);
    const { old: retired, fresh } = await finishUpgrade(deps, proven);
    sessions.forget(old.id);

    step('prune');
    let pruned: Pruned[] = [];
    try {
      pruned = (await prune(deps, name, fresh, options.keep)).sort((a, b) => a.generation - b.generation);
    } catch (error) {
      deps.reporter.warn(`the upgrade is done, but older generations could not be pruned: ${(error as Error).message}`);
    }
    if (settings.autostop) await engine.stopBox(fresh.id).catch(() => undefined);
    // Someone else may have removed the old container while the upgrade ran: then nothing is kept.
    const kept = retired
      ? `generation ${generationOf(old)} kept (toolbox rollback ${name} brings it back)`
      : `generation ${generationOf(old)} was removed while the upgrade ran, so none is kept`;
    const prunedText = pruned.length
      ? `; removed generation${pruned.length === 1 ? '' : 's'} ${pruned.map((p) => p.generation).join(', ')}`
      : '';
    progress.succeed(
      `upgraded toolbox ${name} to generation ${generation}: ${count(declared.repos.length, 'repository', 'repositories')} and ${count(declared.tools.length, 'tool', 'tools')} restored; ${kept}${prunedText}`,
    );
    return {
      name,
      image: spec.image,
      oldId: old.id,
      newId,
      oldGeneration: generationOf(old),
      newGeneration: generation,
      repos: declared.repos.map((r) => r.alias),
      tools: declared.tools,
      pruned: pruned.map((p) => p.generation),
    };
  });
}

/** The image's id now: a localhost/ image is looked at, never pulled; any other is pulled first. */
async function currentImage(deps: ToolsDeps, image: string): Promise<string> {
  const { engine, progress } = deps;
  if (isLocalImage(image)) {
    progress.phase(`checking the local image ${image}`);
    const facts = await engine.imageFacts(image);
    if (!facts) throw localImageMissing(deps, image);
    return facts.id;
  }
  progress.phase(`pulling ${image}`);
  await ensureImage(deps, image, true);
  const id = (await engine.imageFacts(image))?.id;
  // The new generation's lineage labels count only beside the id of the image it runs.
  if (!id)
    throw new ToolboxError(`cannot read the id of the image ${image} just pulled`, {
      hint: 'run toolbox upgrade again',
    });
  return id;
}

export function localImageMissing(deps: { engine: { command: readonly string[] } }, image: string): ToolboxError {
  return new ToolboxError(`image not found: ${image} (localhost/ images are never pulled)`, {
    hint: `build or load it first, e.g. '${deps.engine.command.join(' ')} build -t ${image} .'`,
  });
}

async function buildNew(
  deps: ToolsDeps,
  id: string,
  name: string,
  image: string,
  imageId: string,
  declared: ReturnType<ToolsDeps['declared']['get']>,
  recommends: boolean,
): Promise<BoxInfo> {
  const { engine, progress } = deps;
  await engine.startBox(id);
  const info = await engine.inspectBox(id);
  if (!info) throw new ToolboxError(`the new container of ${name} vanished while it was built`);
  // The tag moved between looking at the image and creating from it: its labels would not count.
  if (info.imageId !== imageId)
    throw new ToolboxError(`the image ${image} changed while the upgrade built from it`, {
      hint: `run toolbox upgrade ${name} again`,
    });
  // A generation that was never set up would stay so (its first start is behind it): the upgrade fails instead.
  await setupBox(deps, info, undefined, true, 'throw');
  // Messages name the toolbox, not the temporary container.
  const target: BoxTarget = { id: info.id, name, image };
  if (declared.repos.length === 0 && declared.tools.length === 0) return info;
  await installedPackages(deps, target, []);
  for (const repo of declared.repos) await addRepoInBox(deps, target, repo, progress);
  if (declared.tools.length) {
    progress.phase(`reinstalling ${declared.tools.join(', ')}`);
    try {
      const result = await installInBox(deps, target, declared.tools, recommends);
      if (result.failed.length) throw new ToolboxError(`${result.failed.join(', ')} could not be reinstalled`);
    } catch (error) {
      throw error instanceof InstallFailed ? error.reason : error;
    }
  }
  return info;
}
