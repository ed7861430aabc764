// `toolbox repo add|list|remove`: package repositories of a toolbox. A repository is kept only
// when its signature holds: it is refreshed right after it is added, and removed again when
// that fails. A key is trusted only when the user names it with --key.
import { inBoxSession, type BoxTarget } from '../box/box-session.js';
import { withoutRepo, withRepo, type DeclaredRepo } from './declared-state.js';
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import type { ToolsDeps } from './install-tools.js';
import { validateAlias, validateRepoUrl } from './package-names.js';
import type { Progress } from '../progress.js';
import type { Settings } from '../settings/settings.js';
import { importKey, installedPackages, runZypper, ZypperError } from './zypper.js';

export interface RepoKey {
  /** the path or URL the user named */
  source: string;
  /** the armored key */
  data: string;
}

/** Adds a repository inside the toolbox and proves its signature; leaves no trace when that fails. */
export async function addRepoInBox(
  deps: Deps,
  target: BoxTarget,
  repo: DeclaredRepo,
  progress: Progress | undefined,
): Promise<void> {
  if (repo.keyData) {
    progress?.phase(`importing the key ${repo.key ?? ''} for ${repo.alias}`);
    await importKey(deps, target, repo.keyData, repo.key ?? repo.alias);
  }
  progress?.phase(`adding repository ${repo.alias}`);
  await runZypper(deps, target, {
    action: 'addrepo',
    args: ['addrepo', '--refresh', '--', repo.url, repo.alias],
    subjects: [repo.alias],
  });
  try {
    await runZypper(deps, target, {
      action: 'refresh',
      args: ['refresh', '--', repo.alias],
      subjects: [repo.alias],
      progress,
    });
  } catch (error) {
    await runZypper(deps, target, { action: 'removerepo', args: ['removerepo', '--', repo.alias] }).catch(
      () => undefined,
    );
    if (error instanceof ZypperError) {
      throw new ToolboxError(
        `${error.message.replace(/; refusing to use it$/, '')}; repository ${repo.alias} was not added`,
        { hint: error.hint ?? `check the URL ${repo.url}` },
      );
    }
    throw error;
  }
}

export async function addRepo(
  deps: ToolsDeps,
  settings: Settings,
  alias: string,
  url: string,
  key: RepoKey | undefined,
): Promise<DeclaredRepo> {
  const repo: DeclaredRepo = {
    alias: validateAlias(alias),
    url: validateRepoUrl(url),
    ...(key ? { key: key.source, keyData: key.data } : {}),
  };
  return inBoxSession(deps, settings, { create: true }, async (target) => {
    const { progress } = deps;
    try {
      await installedPackages(deps, target, []);
      await addRepoInBox(deps, target, repo, progress);
    } catch (error) {
      progress.fail();
      throw error;
    }
    deps.declared.update(target.name, (box) => withRepo(box, repo));
    progress.succeed(`added repository ${repo.alias} (${repo.url}) to toolbox ${target.name}`);
    return repo;
  });
}

export function listRepos(deps: ToolsDeps, settings: Settings): DeclaredRepo[] {
  return deps.declared.get(settings.name).repos;
}

export async function removeRepo(deps: ToolsDeps, settings: Settings, alias: string): Promise<void> {
  validateAlias(alias);
  const info = await deps.engine.inspectBox(settings.name);
  const name = info?.isToolbox ? info.name : settings.name; // its own name, even for an id prefix
  const declared = deps.declared.get(name).repos.some((r) => r.alias === alias);
  const inBox =
    info?.isToolbox === true &&
    (await inBoxSession(deps, settings, { create: false }, async (target) => {
      await installedPackages(deps, target, []);
      const { stdout, outcome } = await runZypper(deps, target, {
        action: 'removerepo',
        args: ['removerepo', '--', alias],
        subjects: [alias],
      });
      // zypper exits 0 for an alias it does not know; only its message tells.
      return /has been removed/.test(stdout) && outcome.ok;
    }));
  if (!declared && !inBox) {
    throw new ToolboxError(`toolbox ${name} has no repository ${alias}`, {
      hint: `see its repositories with toolbox repo list -c ${name}`,
    });
  }
  if (declared) deps.declared.update(name, (box) => withoutRepo(box, alias));
  deps.progress.succeed(`removed repository ${alias} from toolbox ${name}`);
}
