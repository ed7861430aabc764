// host-update: drives the host's transactional updates from inside a toolbox. Failures go to the
// error boundary it shares with toolbox (src/ui/error-boundary.ts): one line on stderr, and an
// object on stdout with --json.
// Only the inspector guard is imported statically, so that it is the first module the bundle
// evaluates (esbuild places shared chunks such as commander's before the entry's own imports).
import '../cli/no-inspector.js';
import type { TargetOptions } from './host-access.js';
import type { Outcome } from './program.js';

const USAGE_HINT = "run 'host-update --help' for usage";

export async function main(argv: string[]): Promise<number> {
  await (await import('../ui/colour.js')).prepareColour();
  const { CommanderError } = await import('commander');
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
  const { injectTestFault } = await import('../cli/test-fault.js');
  program.hook('preAction', (_program, command) => {
    injectTestFault(`host-update ${command.name()}`);
  });
  try {
    await program.parseAsync(argv, { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    const { commanderMessage, reportFailure, reportUsage } = await import('../ui/error-boundary.js');
    const hostUpdate = { name: 'host-update', out, err, failureJson };
    if (error instanceof CommanderError) {
      if (HELP_EXITS.has(error.code)) return 0;
      // A usage error is one line, never JSON: the command was not understood.
      return reportUsage(hostUpdate, commanderMessage(usageText, error), USAGE_HINT, false);
    }
    return reportFailure(hostUpdate, error, argv.includes('--json'));
  }
}

/** commander's exits that are not failures: help shown (asked, or for a bare group) and the version. */
const HELP_EXITS = new Set(['commander.helpDisplayed', 'commander.help', 'commander.version']);

process.exitCode = await main(process.argv.slice(2));
