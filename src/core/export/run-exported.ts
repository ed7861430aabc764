// What an exported wrapper runs: the tool, in the toolbox of the wrapper's identity, with the
// arguments exactly as given, the caller's directory where the toolbox sees it, and the tool's
// exit code. The name recorded in the wrapper is tried first, with no engine call when the
// cached record confirms the identity; a renamed toolbox or a new generation is found by its
// identity, at the cost of one listing.
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import { runInBox } from '../box/run-in-box.js';
import type { Settings } from '../settings/settings.js';
import { currentOf } from './export-tools.js';

export interface ExportedCall {
  identity: string;
  /** the toolbox's name in the wrapper */
  box: string;
  path: string;
  args: string[];
  tty: boolean;
}

/** The tool is not there: 127, as a shell says of a command it cannot find. */
const NOT_FOUND = 127;

export async function runExported(deps: Deps, settings: Settings, call: ExportedCall): Promise<number> {
  const name = await nameOf(deps, call);
  return runInBox(
    deps,
    { ...settings, name },
    {
      command: [call.path, ...call.args],
      create: false,
      tty: call.tty,
      workdir: workdirFor(settings, deps.cwd),
      identity: call.identity,
    },
  );
}

/** The name to run in: the recorded one when its cached record has the identity, else found anew. */
async function nameOf(deps: Deps, call: ExportedCall): Promise<string> {
  const id = deps.sessions.resolve(call.box);
  if (id !== undefined && deps.sessions.readRecord(id)?.created?.identity === call.identity) return call.box;
  const current = currentOf(await deps.engine.listBoxes(), call.identity);
  if (current) return current.name;
  const tool = call.path.slice(call.path.lastIndexOf('/') + 1);
  throw new ToolboxError(`${tool} was exported from toolbox ${call.box}, which is gone`, {
    hint: `create it again and export ${tool} anew, or remove the wrapper: toolbox unexport ${tool}`,
    exitCode: NOT_FOUND,
  });
}

/** Where the caller is, as the toolbox sees it: the host's root is at /media/root in system mode. */
function workdirFor(settings: Settings, cwd: string): string | undefined {
  if (settings.mode === 'user') return cwd;
  return cwd === '/' ? '/media/root' : `/media/root${cwd}`;
}
