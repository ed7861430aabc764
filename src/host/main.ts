// host-update: drives the host's transactional updates from inside a toolbox. The one error
// boundary: expected failures become one line on stderr (and an object on stdout with --json).
// Only the inspector guard is imported statically, so that it is the first module the bundle
// evaluates (esbuild places shared chunks such as commander's before the entry's own imports).
import '../cli/no-inspector.js';
import type { TargetOptions } from './host-access.js';
import type { Outcome } from './program.js';

const USAGE_HINT = "run 'host-update --help' for usage";

export async function main(argv: string[]): Promise<number> {
  const { CommanderError } = await import('commander');
  const { ExitCode, isToolboxError } = await import('../core/errors.js');
  const { checkTarget, hostPort, resolveTarget } = await import('./host-access.js');
  const { failureJson } = await import('./outcome.js');
  const { err, out } = await import('./output.js');
  const { buildProgram } = await import('./program.js');
  const connect = (options: TargetOptions) => {
    const target = resolveTarget(options);
    checkTarget(target);
    return hostPort(target);
  };
  const outcome: Outcome = { exitCode: 0 };
  let usageText = '';
  const program = buildProgram(outcome, (text) => (usageText += text), connect);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (
        error.code === 'commander.helpDisplayed' ||
        error.code === 'commander.help' ||
        error.code === 'commander.version'
      )
        return 0;
      const message =
        usageText
          .replace(/^error:\s*/i, '')
          .trim()
          .split('\n')[0] || error.message;
      await errorLine(message, USAGE_HINT);
      return ExitCode.usage;
    }
    if (isToolboxError(error)) {
      if (argv.includes('--json')) out.write(`${JSON.stringify(failureJson(error))}\n`);
      await errorLine(error.message, error.hint);
      return error.exitCode;
    }
    err.write(`Internal error (a bug in host-update; please report it): ${(error as Error)?.stack ?? String(error)}\n`);
    return ExitCode.failure;
  }
}

async function errorLine(message: string, hint?: string): Promise<void> {
  const { StderrReporter } = await import('../ui/reporter.js');
  new StderrReporter({ quiet: false, verbose: false }).error(message, hint);
}

process.exitCode = await main(process.argv.slice(2));
