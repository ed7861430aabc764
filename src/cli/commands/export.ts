// `toolbox export`, `toolbox unexport` and the wrappers' own entry (`toolbox __exported`).
import { configFile, homeDir } from '../../config/paths.js';
import { exportPlaces } from '../../config/export-places.js';
import { UsageError } from '../../core/errors.js';
import {
  exportTools,
  listExports,
  unexportTools,
  type ExportDeps,
  type Exported,
} from '../../core/export/export-tools.js';
import type { Deps } from '../../core/deps.js';
import type { GlobalFlags, Settings } from '../../core/settings/settings.js';
import { HostExportFiles } from '../../os/export-files.js';
import { note, print, printJson } from '../../ui/print.js';
import { renderTable } from '../../ui/table.js';
import { exportedJson } from './export-json.js';
import { buildContext } from '../context.js';
import { selfCommand } from '../self-command.js';

export function exportDeps(deps: Deps, settings: Settings, env: NodeJS.ProcessEnv = process.env): ExportDeps {
  return {
    ...deps,
    files: new HostExportFiles(),
    places: exportPlaces({
      mode: settings.mode,
      home: homeDir(env),
      configFile: configFile(env),
      env,
      toolbox: selfCommand,
    }),
  };
}

export interface ExportFlags {
  list: boolean;
  json: boolean;
  force: boolean;
  dir: string | undefined;
  as: string | undefined;
}

export async function exportCommand(flags: GlobalFlags, tools: string[], o: ExportFlags): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags);
  const ed = exportDeps(deps, settings);
  if (o.list) {
    if (tools.length > 0) throw new UsageError('export --list takes no tool names');
    return printListing(await listExports(ed, o.dir), o.json);
  }
  if (tools.length === 0) throw new UsageError('name the tools to export (or --list)');
  const done = await exportTools(ed, settings, { tools, dir: o.dir, force: o.force, as: o.as });
  reportExported(done, settings.name, (m) => {
    reporter.status(m);
  });
  if (o.json) printJson(done.map(exportedJson));
  return 0;
}

export function reportExported(done: readonly Exported[], box: string, say: (m: string) => void): void {
  for (const e of done)
    say(`${e.unchanged ? 'already exported' : 'exported'} ${e.name}: ${e.wrapper} runs ${e.path} in toolbox ${box}`);
}

function printListing(rows: Awaited<ReturnType<typeof listExports>>, json: boolean): number {
  if (json) {
    const out = rows.map((r) => ({
      name: r.name,
      wrapper: r.wrapper,
      path: r.path,
      toolbox: r.current ?? null,
      exportedFrom: r.box,
      identity: r.identity,
      mode: r.mode,
    }));
    printJson(out);
    return 0;
  }
  if (rows.length === 0) {
    if (process.stderr.isTTY) note('nothing exported yet; export a tool with: toolbox export NAME\n');
    return 0;
  }
  const table = rows.map((r) => [r.name, r.current ?? `${r.box} (gone)`, r.path, r.wrapper]);
  print(renderTable(['NAME', 'TOOLBOX', 'PATH IN TOOLBOX', 'WRAPPER'], table));
  return 0;
}

export function unexportCommand(flags: GlobalFlags, names: string[], o: { dir: string | undefined }): number {
  const { deps, settings, reporter } = buildContext(flags);
  const removed = unexportTools(exportDeps(deps, settings), names, o.dir);
  for (const file of removed) reporter.status(`removed ${file}`);
  return 0;
}
