// `toolbox [CMD...]`, `toolbox run CMD...` and `toolbox enter [NAME]`.
import { runInBox } from '../../core/box/run-in-box.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { allStreamsAreTerminals } from '../../ui/terminal.js';
import { buildContext } from '../context.js';

export async function runCommand(flags: GlobalFlags, command: string[], name?: string): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  if (settings.runtime) await checkRuntime(settings.runtime);
  const tty = allStreamsAreTerminals();
  // Said once the toolbox is there: after any pulling, creating and starting lines.
  const onEnter =
    command.length === 0
      ? () => {
          reporter.status(`entering toolbox ${settings.name}; type 'exit' to leave`);
        }
      : undefined;
  return runInBox(deps, settings, { command: command.length > 0 ? command : undefined, create: true, tty, onEnter });
}

async function checkRuntime(runtime: string): Promise<void> {
  const { onPath } = await import('../../os/path.js');
  const { UsageError } = await import('../../core/errors.js');
  const found = runtime.includes('/') ? (await import('node:fs')).existsSync(runtime) : onPath(runtime);
  if (!found)
    throw new UsageError(`runtime ${runtime} is not available`, 'name an installed OCI runtime, e.g. -X runc');
}
