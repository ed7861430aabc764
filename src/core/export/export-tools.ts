// `toolbox export`, `unexport` and `export --list`: tools installed in a toolbox made callable on
// the host through wrappers (wrapper.ts). A wrapper names the toolbox by its identity, so a
// renamed toolbox and its next generations (upgrade, rollback) keep serving it.
import { posix } from 'node:path';
import { withSession } from '../box/box-session.js';
import type { Deps } from '../deps.js';
import { ToolboxError, UsageError } from '../errors.js';
import { identityOf, lineageOf, rolesOf } from '../generations/generations.js';
import type { BoxInfo } from '../ports.js';
import type { Settings } from '../settings/settings.js';
import type { ExportFiles, ExportPlaces } from './export-files.js';
import { renderWrapper, type ExportRecord } from './wrapper.js';

export interface ExportDeps extends Deps {
  files: ExportFiles;
  places: ExportPlaces;
}

export interface ExportOptions {
  /** command names (found on the toolbox's PATH) or absolute paths inside the toolbox */
  tools: readonly string[];
  /** the directory for the wrappers instead of the default one */
  dir?: string | undefined;
  /** export even when the host has a command of that name elsewhere on its PATH */
  force: boolean;
  /** the wrapper's name, for one tool, instead of the tool's own */
  as?: string | undefined;
  /**
   * install --export: a tool that cannot be exported (its name clashes, or is no command name) is
   * told here and left out, and the others are exported; without it, the first one fails all.
   */
  skip?: ((path: string, why: string) => void) | undefined;
}

export interface Exported {
  name: string;
  path: string;
  wrapper: string;
  /** the same wrapper was there already */
  unchanged: boolean;
}

/** A command name as it may be typed on the host and found inside (no slash, no option). */
const COMMAND_NAME = /^[A-Za-z0-9_][A-Za-z0-9._+-]{0,127}$/;

export function checkCommandName(name: string, what = 'a command name'): void {
  if (!COMMAND_NAME.test(name) || name === '.' || name === '..')
    throw new UsageError(`invalid ${what}: ${JSON.stringify(name)}`, 'use letters, digits and . _ + - (no slash)');
}

function checkTool(tool: string): void {
  if (tool.startsWith('/')) {
    if (/[\0\n]/.test(tool) || tool.endsWith('/') || posix.normalize(tool) !== tool)
      throw new UsageError(`invalid path: ${JSON.stringify(tool)}`, 'give the absolute path of an executable file');
    return;
  }
  checkCommandName(tool, 'tool name');
}

// Finds each tool inside the toolbox: an absolute path must be an executable file; a name is
// looked up on the toolbox's PATH. A constant script: the tools travel as arguments.
const RESOLVE = `for t in "$@"; do
  case "$t" in /*) p=$t ;; *) p=$(command -v -- "$t" 2>/dev/null) || p= ;; esac
  case "$p" in /*) [ -f "$p" ] && [ -x "$p" ] || p= ;; *) p= ;; esac
  printf '%s\\n' "$p"
done`;

async function resolveTools(deps: Deps, id: string, box: string, tools: readonly string[]): Promise<string[]> {
  const r = await deps.engine.execCapture({
    target: id,
    command: ['/bin/sh', '-c', RESOLVE, 'toolbox-export', ...tools],
    tty: false,
    user: 'root',
    env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin' },
  });
  const paths = r.stdout.split('\n').slice(0, tools.length);
  if (r.exitCode !== 0 || paths.length !== tools.length)
    throw new ToolboxError(`cannot look up ${tools.join(', ')} in toolbox ${box} (exit ${r.exitCode})`, {
      hint: `check that the toolbox works: toolbox run -c ${box} true`,
    });
  tools.forEach((tool, i) => {
    if (!paths[i])
      throw new ToolboxError(
        tool.startsWith('/')
          ? `${tool} is not an executable file in toolbox ${box}`
          : `${tool} is not a command in toolbox ${box}`,
        { hint: `install it first (toolbox install -c ${box} PACKAGE), or give its full path inside` },
      );
  });
  return paths;
}

export async function exportTools(deps: ExportDeps, settings: Settings, options: ExportOptions): Promise<Exported[]> {
  const { files, places } = deps;
  options.tools.forEach(checkTool);
  if (options.as !== undefined) {
    if (options.tools.length !== 1) throw new UsageError('--as names one exported command: give one tool with it');
    checkCommandName(options.as, '--as name');
  }
  const dir = options.dir ?? places.defaultDir;
  files.prepareDir(dir, options.dir === undefined && places.createDefault);
  return withSession(deps, settings, false, async (session) => {
    const info = await deps.engine.inspectBox(session.id);
    if (!info) throw new ToolboxError(`toolbox ${session.name} went away while exporting`);
    const identity = identityOf(info);
    const toolbox = places.toolbox();
    const paths = await resolveTools(deps, session.id, session.name, options.tools);
    const planned: { record: ExportRecord; text: string; replacing: string | undefined }[] = [];
    for (const path of paths) {
      const name = options.as ?? posix.basename(path);
      const record: ExportRecord = {
        name,
        box: session.name,
        identity,
        mode: settings.mode,
        path,
        toolbox: [...toolbox],
      };
      try {
        // A file's name inside (a package's /usr/bin/[, a path with a space) may be no command name.
        checkCommandName(name, `command name (${path} in the toolbox)`);
        if (planned.some((p) => p.record.name === name))
          throw new UsageError(`two tools would be exported as ${name}`, 'export one of them with --as NAME');
        planned.push({ record, text: renderWrapper(record), replacing: checkSlot(deps, dir, record, options.force) });
      } catch (error) {
        if (!options.skip || !(error instanceof ToolboxError)) throw error;
        options.skip(path, error.message);
      }
    }
    if (options.dir !== undefined) places.record(dir);
    return planned.map(({ record, text, replacing }) => {
      const unchanged = replacing === text;
      if (!unchanged) files.write(dir, record.name, text, replacing);
      return { name: record.name, path: record.path, wrapper: posix.join(dir, record.name), unchanged };
    });
  });
}

/** Whether the wrapper may be written; the text it replaces (an older wrapper of the same toolbox). */
function checkSlot(deps: ExportDeps, dir: string, record: ExportRecord, force: boolean): string | undefined {
  const { files, places } = deps;
  const file = posix.join(dir, record.name);
  const slot = files.slot(dir, record.name);
  if (slot.kind === 'foreign')
    throw new ToolboxError(`${file} exists and was not written by toolbox; not replacing it`, {
      hint: `export it under another name with --as NAME, or remove ${file} yourself`,
    });
  if (slot.kind === 'ours') {
    if (slot.record.identity !== record.identity)
      throw new ToolboxError(`${record.name} is already exported from toolbox ${slot.record.box} (${file})`, {
        hint: `export it under another name with --as NAME, or first: toolbox unexport ${record.name}`,
      });
    return slot.text;
  }
  const other = files.onPath(
    record.name,
    places.searchPath.filter((d) => d !== dir),
  );
  if (other && !force)
    throw new ToolboxError(`the host already has a command ${record.name} (${other})`, {
      hint: `export it under another name with --as NAME, or use --force to add ${file} beside it`,
    });
  return undefined;
}

function exportDirs(places: ExportPlaces, dir: string | undefined): string[] {
  return dir !== undefined ? [dir] : [...new Set([places.defaultDir, ...places.recorded()])];
}

/** Removes the wrappers called names; refuses a file toolbox did not write. */
export function unexportTools(deps: ExportDeps, names: readonly string[], dir?: string): string[] {
  const { files, places } = deps;
  names.forEach((n) => {
    checkCommandName(n);
  });
  const dirs = exportDirs(places, dir);
  const found = names.map((name) => {
    const hits = dirs.map((d) => ({ dir: d, slot: files.slot(d, name) })).filter((h) => h.slot.kind !== 'free');
    const ours = hits.filter((h) => h.slot.kind === 'ours');
    if (ours.length === 0) {
      const foreign = hits[0];
      if (foreign)
        throw new ToolboxError(`${posix.join(foreign.dir, name)} was not written by toolbox; not removing it`, {
          hint: `'toolbox export --list' shows what toolbox exported`,
        });
      throw new ToolboxError(`no exported command ${name}`, { hint: `'toolbox export --list' shows the exports` });
    }
    return ours;
  });
  const removed: string[] = [];
  for (const hit of found.flat()) {
    if (hit.slot.kind !== 'ours') continue;
    if (files.remove(hit.dir, hit.slot.record.name, hit.slot.text))
      removed.push(posix.join(hit.dir, hit.slot.record.name));
  }
  return removed;
}

export interface ExportListing extends ExportRecord {
  wrapper: string;
  /** the toolbox's name now (it may have been renamed); undefined when it is gone */
  current: string | undefined;
}

export async function listExports(deps: ExportDeps, dir?: string): Promise<ExportListing[]> {
  const { files, places } = deps;
  const records = exportDirs(places, dir).flatMap((d) =>
    files.wrappers(d).map((r) => ({ ...r, wrapper: posix.join(d, r.name) })),
  );
  if (records.length === 0) return [];
  const all = await deps.engine.listBoxes();
  return records
    .map((r) => ({ ...r, current: currentOf(all, r.identity)?.name }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.wrapper.localeCompare(b.wrapper));
}

/** The container that is the toolbox of this identity now, if any. */
export function currentOf(all: readonly BoxInfo[], identity: string): BoxInfo | undefined {
  const members = all.filter((b) => b.isToolbox && identityOf(b) === identity);
  const first = members[0];
  return first ? rolesOf(lineageOf(all, first)).current : undefined;
}

/** After `toolbox rm`: the wrappers of that toolbox go too. Returns how many. */
export function removeExportsOf(deps: ExportDeps, identity: string): number {
  const { files, places } = deps;
  let n = 0;
  for (const dir of exportDirs(places, undefined)) {
    for (const record of files.wrappers(dir)) {
      if (record.identity === identity && files.remove(dir, record.name, renderWrapper(record))) n++;
    }
  }
  return n;
}
