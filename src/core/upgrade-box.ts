// `toolbox upgrade`: rebuild a toolbox from the newest image with the same settings, its declared
// repositories and its declared tools. The new container is built beside the old one under a
// temporary name; only when it is proven (every declared tool installed) do the names swap.
// Until then the old toolbox is untouched, so a failure anywhere loses nothing.
import { toolboxNamed } from './box-admin.js';
import { toolboxId } from './claim-box.js';
import type { BoxTarget } from './box-session.js';
import { ensureImage } from './ensure-image.js';
import { ToolboxError } from './errors.js';
import { installInBox, InstallFailed, type ToolsDeps } from './install-tools.js';
import { labelsFor } from './labels.js';
import { isLocalImage } from './names.js';
import { addRepoInBox } from './manage-repos.js';
import type { BoxInfo } from './ports.js';
import type { Settings } from './settings.js';
import { setupBox } from './setup-box.js';
import { installedPackages } from './zypper.js';

export interface UpgradeResult {
  name: string;
  image: string;
  oldId: string;
  newId: string;
  repos: string[];
  tools: string[];
}

const count = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export const newName = (name: string) => `${name}.upgrade-new`;
export const oldName = (name: string) => `${name}.upgrade-old`;

export async function upgradeBox(deps: ToolsDeps, settings: Settings, options: { force: boolean; recommends: boolean }): Promise<UpgradeResult> {
  const { sessions, engine, progress } = deps;
  const name = settings.name;
  const id = await toolboxId(deps, name);
  return sessions.withLock(id, async () => {
    const old = await toolboxNamed(deps, id, name);
    const spec = old.spec;
    if (!spec) {
      throw new ToolboxError(`toolbox ${name} does not record how it was created, so it cannot be rebuilt`, {
        hint: `remove it and create it anew: toolbox rm --force ${name} && toolbox create ${name}`,
      });
    }
    const live = sessions.liveSessions(old.id);
    if (live > 0 && !options.force) {
      throw new ToolboxError(`toolbox ${name} has ${live} active session${live === 1 ? '' : 's'}; not upgrading it`, { hint: 'end them first, or use --force' });
    }
    await refuseLeftovers(deps, name);
    const declared = deps.declared.get(name);

    progress.phase(isLocalImage(spec.image) ? `checking the local image ${spec.image}` : `pulling ${spec.image}`);
    await ensureImage(deps, spec.image, true);

    progress.phase(`creating the new container for ${name} from ${spec.image}`);
    await engine.createBox(spec, labelsFor(spec, deps.version), newName(name));
    let fresh: BoxInfo;
    try {
      fresh = await buildNew(deps, name, spec.image, declared, options.recommends);
    } catch (error) {
      progress.fail();
      await engine.removeBox(newName(name), true).catch(() => undefined);
      if (!(error instanceof ToolboxError)) throw error;
      throw new ToolboxError(`upgrade of toolbox ${name} failed, the toolbox is unchanged: ${error.message}`, { hint: error.hint ?? 'fix the cause and run toolbox upgrade again', exitCode: error.exitCode });
    }

    progress.phase(`switching ${name} to the new container`);
    await swap(deps, name, old, fresh);
    sessions.forget(old.id);
    if (settings.autostop) await engine.stopBox(fresh.id).catch(() => undefined);
    progress.succeed(`upgraded toolbox ${name}: ${count(declared.repos.length, 'repository', 'repositories')} and ${count(declared.tools.length, 'tool', 'tools')} restored`);
    return { name, image: spec.image, oldId: old.id, newId: fresh.id, repos: declared.repos.map((r) => r.alias), tools: declared.tools };
  });
}

async function buildNew(deps: ToolsDeps, name: string, image: string, declared: ReturnType<ToolsDeps['declared']['get']>, recommends: boolean): Promise<BoxInfo> {
  const { engine, progress } = deps;
  await engine.startBox(newName(name));
  const info = await engine.inspectBox(newName(name));
  if (!info) throw new ToolboxError(`the new container ${newName(name)} vanished while it was built`);
  await setupBox(deps, info, undefined);
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

/** Old aside, new in place, old removed; if the new one cannot take the name, the old gets it back. */
async function swap(deps: ToolsDeps, name: string, old: BoxInfo, fresh: BoxInfo): Promise<void> {
  const { engine } = deps;
  await engine.renameBox(old.id, oldName(name));
  try {
    await engine.renameBox(fresh.id, name);
  } catch (error) {
    await engine.renameBox(old.id, name).catch(() => undefined);
    await engine.removeBox(fresh.id, true).catch(() => undefined);
    throw error;
  }
  try {
    await engine.removeBox(old.id, true);
  } catch (error) {
    deps.reporter.warn(`the new toolbox ${name} is in place, but the old container ${oldName(name)} could not be removed: ${(error as Error).message}`);
  }
}

/** A container left by an interrupted upgrade: the unproven new one goes; the old one is the user's call. */
async function refuseLeftovers(deps: ToolsDeps, name: string): Promise<void> {
  const { engine } = deps;
  const aside = await engine.inspectBox(oldName(name));
  if (aside?.isToolbox) {
    throw new ToolboxError(`a previous upgrade of ${name} was interrupted: ${oldName(name)} is the toolbox before it`, {
      hint: `check that ${name} works, then remove the old one with toolbox rm --force ${oldName(name)}`,
    });
  }
  const unproven = await engine.inspectBox(newName(name));
  if (unproven?.isToolbox) await engine.removeBox(unproven.id, true);
}
