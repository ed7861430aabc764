// The entry point and the one error boundary: expected failures become one line on stderr and
// their exit code; anything else is an internal error, the only place a stack trace appears.
import './no-inspector.js'; // first: see the module
import { ExitCode, isToolboxError } from '../core/errors.js';
import { fastRunArgv } from './fast-argv.js';
import { SUBCOMMANDS } from './subcommands.js';
import { VERSION } from './version.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const fast = fastRunArgv(argv, SUBCOMMANDS);
  if (fast) {
    try {
      const { runCommand } = await import('./commands/run.js');
      return await runCommand(fast.flags, fast.command);
    } catch (error) {
      return report(error);
    }
  }
  // A reader that went away (`toolbox list | head -1`) is not an error worth a trace. (Not on
  // the hot path above: there the command writes to stdout itself.)
  process.stdout.on('error', (error: NodeJS.ErrnoException) => {
    if (error.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw error;
  });
  const { CommanderError } = await import('commander');
  const { buildProgram, routeDoubleDash, VALUE_OPTIONS } = await import('./program.js');
  const outcome = { exitCode: 0 };
  let usageText = '';
  const program = buildProgram(outcome, (text) => (usageText += text));
  try {
    await program.parseAsync(routeDoubleDash(argv, VALUE_OPTIONS), { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') {
        // `toolbox config` alone: commander wrote its help to our (discarded) error buffer.
        const usage = /^Usage: (.+?) \[options\]/m.exec(usageText)?.[1] ?? 'toolbox';
        await errorLineNow(`'${usage}' needs a subcommand`, `run '${usage} --help' for the list`);
        return ExitCode.usage;
      }
      // commander's messages end with a full stop; ours add '. Hint:' after them.
      const message = (usageText.replace(/^error:\s*/i, '').trim().split('\n')[0] || error.message).replace(/\.+$/, '');
      await errorLineNow(message, "run 'toolbox --help' for usage");
      return ExitCode.usage;
    }
    return report(error);
  }
}

async function report(error: unknown): Promise<number> {
  if (isToolboxError(error)) {
    await errorLineNow(error.message, error.hint);
    return error.exitCode;
  }
  process.stderr.write(`Internal error (a bug in toolbox; please report it): ${(error as Error)?.stack ?? String(error)}\n`);
  return ExitCode.failure;
}

async function errorLineNow(message: string, hint?: string): Promise<void> {
  const { StderrReporter } = await import('../ui/reporter.js');
  new StderrReporter({ quiet: false, verbose: false }).error(message, hint);
}

process.exitCode = await main(process.argv.slice(2));
