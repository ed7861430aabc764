// `toolbox [CMD...]`, `toolbox run CMD...` and `toolbox enter [NAME]`.
import { isatty } from 'node:tty';
import { runInBox } from '../../core/run-in-box.js';
import type { GlobalFlags } from '../../core/settings.js';
import { buildContext } from '../context.js';

export async function runCommand(flags: GlobalFlags, command: string[], name?: string): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  if (settings.runtime) await checkRuntime(settings.runtime);
  // isatty, not process.stdin.isTTY: touching process.stdin builds a stream the hot path never uses.
  // All three: the engine's pty carries stdout and stderr as one stream, so with a redirected
  // stderr (`2>log`) the command's errors would land on the screen and never in the file.
  const tty = isatty(0) && isatty(1) && isatty(2);
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
