// `toolbox install`, `remove`, `search` and `update`: zypper inside the toolbox, with what was
// asked for recorded as the toolbox's declared tools, so `upgrade` can bring them back.
import { inBoxSession, type BoxTarget } from '../box/box-session.js';
import type { DeclaredStore } from './declared-state.js';
import { withoutTools, withTools } from './declared-state.js';
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import { validatePackages } from './package-names.js';
import type { Progress } from '../progress.js';
import type { Settings } from '../settings/settings.js';
import { installedPackages, runZypper, ZypperError } from './zypper.js';

export interface ToolsDeps extends Deps {
  declared: DeclaredStore;
  progress: Progress;
}

export interface InstallResult {
  installed: string[];
  alreadyPresent: string[];
  failed: string[];
}

/** An install that failed, with what is known for --json; message and hint are the reason's. */
export class InstallFailed extends ToolboxError {
  constructor(
    readonly result: InstallResult,
    readonly reason: ToolboxError,
  ) {
    super(reason.message, { hint: reason.hint, exitCode: reason.exitCode });
    this.name = 'InstallFailed';
  }

  get details(): string[] {
    return this.reason instanceof ZypperError ? this.reason.details : [];
  }

  /** --json: what was installed and what failed, next to the error */
  jsonDetails(): Record<string, unknown> {
    return { installed: this.result.installed, alreadyPresent: this.result.alreadyPresent, failed: this.result.failed };
  }
}

function installArgs(packages: readonly string[], recommends: boolean): string[] {
  return ['install', recommends ? '--recommends' : '--no-recommends', '--', ...packages];
}

/** Installs the packages that are missing; nothing at all when zypper refuses (it is all-or-nothing). */
export async function installInBox(
  deps: ToolsDeps,
  target: BoxTarget,
  packages: readonly string[],
  recommends: boolean,
): Promise<InstallResult> {
  const { progress } = deps;
  progress.phase(`checking packages in ${target.name}`);
  const present = await installedPackages(deps, target, packages);
  const alreadyPresent = packages.filter((p) => present.has(p));
  const missing = packages.filter((p) => !present.has(p));
  if (missing.length === 0) return { installed: [], alreadyPresent, failed: [] };
  try {
    await runZypper(deps, target, {
      action: 'install',
      args: installArgs(missing, recommends),
      subjects: missing,
      progress,
    });
  } catch (error) {
    if (!(error instanceof ToolboxError)) throw error;
    // What is there now is the truth, whatever zypper's exit code said.
    const after = await installedPackages(deps, target, missing).catch(() => new Set<string>());
    throw new InstallFailed(
      { installed: missing.filter((p) => after.has(p)), alreadyPresent, failed: missing.filter((p) => !after.has(p)) },
      error,
    );
  }
  const after = await installedPackages(deps, target, missing);
  return {
    installed: missing.filter((p) => after.has(p)),
    alreadyPresent,
    failed: missing.filter((p) => !after.has(p)),
  };
}

export async function installTools(
  deps: ToolsDeps,
  settings: Settings,
  names: readonly string[],
  recommends: boolean,
): Promise<InstallResult> {
  const packages = validatePackages(names);
  return inBoxSession(deps, settings, { create: true }, async (target) => {
    let result: InstallResult;
    try {
      result = await installInBox(deps, target, packages, recommends);
    } catch (error) {
      deps.progress.fail();
      if (error instanceof InstallFailed)
        record(deps, target, [...error.result.installed, ...error.result.alreadyPresent]);
      throw error;
    }
    try {
      record(deps, target, [...result.installed, ...result.alreadyPresent]);
    } catch (error) {
      deps.progress.fail();
      throw notRecorded(result, target.name, error);
    }
    if (result.failed.length) {
      deps.progress.fail();
      const names = result.failed.join(', ');
      throw new InstallFailed(
        result,
        new ToolboxError(
          `zypper reported success but ${names} ${result.failed.length === 1 ? 'is' : 'are'} not installed in toolbox ${target.name}`,
          {
            hint: `look with toolbox run -c ${target.name} -- zypper info ${result.failed[0]}`,
          },
        ),
      );
    }
    deps.progress.succeed(summary(result, target.name));
    return result;
  });
}

/**
 * The packages are in the toolbox, but its declared tools (config.json) could not say so, and
 * `upgrade` would leave them out: both are said, and how to put it right.
 */
function notRecorded(result: InstallResult, box: string, error: unknown): unknown {
  if (!(error instanceof ToolboxError)) return error;
  const names = [...result.installed, ...result.alreadyPresent];
  const done = result.installed.length
    ? `installed ${result.installed.join(', ')} in toolbox ${box}`
    : `${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} installed in toolbox ${box}`;
  return new InstallFailed(
    result,
    new ToolboxError(
      `${done}, but not recorded as its tools, so 'toolbox upgrade' would not bring ${names.length === 1 ? 'it' : 'them'} back: ${error.message}`,
      {
        hint: `${error.hint ? `${error.hint}; then ` : ''}run 'toolbox install -c ${box} ${names.join(' ')}' again to record ${names.length === 1 ? 'it' : 'them'}`,
      },
    ),
  );
}

function record(deps: ToolsDeps, target: BoxTarget, names: string[]): void {
  if (names.length) deps.declared.update(target.name, (box) => withTools(box, names));
}

function summary(r: InstallResult, box: string): string {
  const parts: string[] = [];
  if (r.installed.length) parts.push(`installed ${r.installed.join(', ')}`);
  if (r.alreadyPresent.length) parts.push(`already installed: ${r.alreadyPresent.join(', ')}`);
  return `${parts.join('; ')} in toolbox ${box}`;
}

export interface RemoveResult {
  removed: string[];
  notInstalled: string[];
}

export async function removeTools(
  deps: ToolsDeps,
  settings: Settings,
  names: readonly string[],
): Promise<RemoveResult> {
  const packages = validatePackages(names);
  return inBoxSession(deps, settings, { create: false }, async (target) => {
    const { progress } = deps;
    progress.phase(`checking packages in ${target.name}`);
    const present = await installedPackages(deps, target, packages);
    const toRemove = packages.filter((p) => present.has(p));
    const notInstalled = packages.filter((p) => !present.has(p));
    if (toRemove.length) {
      try {
        await runZypper(deps, target, {
          action: 'remove',
          args: ['remove', '--', ...toRemove],
          subjects: toRemove,
          progress,
        });
      } catch (error) {
        progress.fail();
        throw error;
      }
    }
    // Not installed but declared: the user wants it gone, so it leaves the declared tools too.
    deps.declared.update(target.name, (box) => withoutTools(box, packages));
    const removed = toRemove;
    if (removed.length) progress.succeed(`removed ${removed.join(', ')} from toolbox ${target.name}`);
    else progress.succeed(`nothing to remove from toolbox ${target.name}`);
    if (notInstalled.length) progress.warn(`not installed in toolbox ${target.name}: ${notInstalled.join(', ')}`);
    return { removed, notInstalled };
  });
}

/** zypper's search table, as zypper printed it (the result, for stdout). */
export async function searchTools(deps: ToolsDeps, settings: Settings, term: string): Promise<string> {
  return inBoxSession(deps, settings, { create: true }, async (target) => {
    const { progress } = deps;
    progress.phase(`searching for ${term}`);
    await installedPackages(deps, target, []);
    try {
      const { stdout } = await runZypper(deps, target, {
        action: 'search',
        args: ['search', '--', term],
        subjects: [term],
        progress,
      });
      progress.succeed('');
      return searchTable(stdout);
    } catch (error) {
      progress.fail();
      throw error;
    }
  });
}

/** The table zypper prints after its status lines. */
function searchTable(stdout: string): string {
  const lines = stdout.split('\n');
  const start = lines.findIndex((l) => /^S\s*\|/.test(l));
  if (start === -1) return '';
  const table = lines.slice(start).filter((l) => l.trim() !== '');
  return `${table.join('\n')}\n`;
}

export async function updateTools(
  deps: ToolsDeps,
  settings: Settings,
  options: { dist: boolean; recommends: boolean },
): Promise<void> {
  await inBoxSession(deps, settings, { create: true }, async (target) => {
    const { progress } = deps;
    progress.phase(`updating toolbox ${target.name}`);
    await installedPackages(deps, target, []);
    const args = options.dist ? ['dist-upgrade'] : ['update'];
    args.push(options.recommends ? '--recommends' : '--no-recommends');
    try {
      await runZypper(deps, target, { action: 'update', args, progress });
    } catch (error) {
      progress.fail();
      throw error;
    }
    progress.succeed(`updated toolbox ${target.name}`);
  });
}
