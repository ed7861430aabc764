// `toolbox install`, `remove`, `search`, `update` and `tools`.
import { generationOf } from '../../core/generations/generations.js';
import {
  installTools,
  removeTools,
  searchTools,
  updateTools,
  type InstallResult,
} from '../../core/tools/install-tools.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import type { Exported } from '../../core/export/export-tools.js';
import { renderTable } from '../../ui/table.js';
import { exportedJson } from './export-json.js';
import { buildToolsContext, showDetails } from '../tools-context.js';
import { note, print, printJson } from '../../ui/print.js';

const resultJson = (r: InstallResult) => ({
  installed: r.installed,
  alreadyPresent: r.alreadyPresent,
  failed: r.failed,
});

export async function installCommand(
  flags: GlobalFlags,
  packages: string[],
  o: { json: boolean; recommends: boolean | undefined; export: boolean },
): Promise<number> {
  const ctx = buildToolsContext(flags);
  try {
    const result = await installTools(ctx.deps, ctx.settings, packages, ctx.recommends(o.recommends));
    if (!o.export) {
      if (o.json) printJson(resultJson(result));
      return 0;
    }
    const exported = await exportPackages(ctx, [...result.installed, ...result.alreadyPresent]);
    if (o.json) printJson({ ...resultJson(result), exported: exported.map(exportedJson) });
    return 0;
  } catch (error) {
    // With --json, the error boundary prints the failure with what was installed (errorJson).
    showDetails(ctx.progress, error);
    throw error;
  }
}

/** install --export: every command the packages put in a bin directory, exported. */
async function exportPackages(ctx: ReturnType<typeof buildToolsContext>, packages: string[]): Promise<Exported[]> {
  const { exportDeps, reportExported } = await import('./export.js');
  const { exportTools } = await import('../../core/export/export-tools.js');
  const { packageCommands } = await import('../../core/export/package-commands.js');
  const paths = await packageCommands(ctx.deps, ctx.settings, packages);
  if (paths.length === 0) {
    ctx.deps.reporter.warn(`nothing to export: ${packages.join(', ')} put no command in a bin directory`);
    return [];
  }
  const done = await exportTools(exportDeps(ctx.deps, ctx.settings), ctx.settings, {
    tools: paths,
    force: false,
    skip: (path, why) => {
      ctx.deps.reporter.warn(`not exporting ${path}: ${why}`);
    },
  });
  reportExported(done, ctx.settings.name, (m) => {
    ctx.deps.reporter.status(m);
  });
  return done;
}

export async function removeCommand(flags: GlobalFlags, packages: string[], o: { json: boolean }): Promise<number> {
  const ctx = buildToolsContext(flags);
  try {
    const result = await removeTools(ctx.deps, ctx.settings, packages);
    if (o.json) printJson(result);
    return 0;
  } catch (error) {
    showDetails(ctx.progress, error);
    throw error;
  }
}

export async function searchCommand(flags: GlobalFlags, term: string): Promise<number> {
  const ctx = buildToolsContext(flags);
  print(await searchTools(ctx.deps, ctx.settings, term));
  return 0;
}

export async function updateCommand(
  flags: GlobalFlags,
  o: { dist: boolean; recommends: boolean | undefined },
): Promise<number> {
  const ctx = buildToolsContext(flags);
  try {
    await updateTools(ctx.deps, ctx.settings, { dist: o.dist, recommends: ctx.recommends(o.recommends) });
    return 0;
  } catch (error) {
    showDetails(ctx.progress, error);
    throw error;
  }
}

export async function toolsCommand(
  flags: GlobalFlags,
  name: string | undefined,
  o: { json: boolean },
): Promise<number> {
  const ctx = buildToolsContext(flags, name);
  const box = ctx.deps.declared.get(ctx.settings.name);
  // The declared state belongs to the generation in use: rollback brings another one's back.
  const info = await ctx.deps.engine.inspectBox(ctx.settings.name);
  const generation = info?.isToolbox ? generationOf(info) : null;
  if (o.json) {
    printJson({
      name: ctx.settings.name,
      generation,
      repos: box.repos.map((r) => ({ alias: r.alias, url: r.url, key: r.key ?? null })),
      tools: box.tools,
    });
    return 0;
  }
  if (generation !== null) note(`toolbox ${ctx.settings.name}, generation ${generation}\n`);
  if (box.repos.length === 0 && box.tools.length === 0) {
    note(`toolbox ${ctx.settings.name} has no declared tools or repositories; add one with: toolbox install PKG\n`);
    return 0;
  }
  const out: string[] = [];
  if (box.repos.length)
    out.push(
      renderTable(
        ['REPO', 'URL', 'KEY'],
        box.repos.map((r) => [r.alias, r.url, r.key ?? '-']),
      ),
    );
  if (box.tools.length)
    out.push(
      renderTable(
        ['TOOL'],
        box.tools.map((t) => [t]),
      ),
    );
  print(out.join('\n'));
  return 0;
}
