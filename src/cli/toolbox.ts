// The CLI (loaded by main.ts, after the inspector guard). Whatever fails goes to the error boundary
// both programs share (src/ui/error-boundary.ts), which is loaded only then.
import { loadConfWriter } from '../config/store.js';
import { prepareColour } from '../ui/colour.js';
import { errorJson, USAGE_HINT, UsageError } from '../core/errors.js';
import { buildInfo, formatBuildInfo, versionRequest } from './build-info.js';
import { injectTestFault } from './test-fault.js';
import { VERSION } from './version.js';

export async function main(argv: string[]): Promise<number> {
  if (argv.length === 1 && argv[0] === '--version') {
    process.stdout.write(`${VERSION}\n`);
    return 0;
  }
  const versionAs = versionRequest(argv);
  if (versionAs) {
    process.stdout.write(formatBuildInfo(buildInfo(), versionAs));
    return 0;
  }
  // chalk only when stderr shows colour: a script's run or list never loads it.
  await prepareColour();
  // An exported tool's wrapper: as hot as run, and never a command to run in a toolbox.
  if (argv[0] === '__exported') {
    try {
      const { exportedCommand } = await import('./commands/exported.js');
      return await exportedCommand(argv.slice(1));
    } catch (error) {
      return report(error);
    }
  }
  // Loaded only past --version, which must start as fast as a hello-world: the readers carry the
  // whole grammar.
  const { fastCreateArgv, fastListArgv, fastRunArgv } = await import('./fast-argv.js');
  const fast = fastRunArgv(argv);
  if (fast) {
    try {
      // No config writer here: run writes config.json only to settle an interrupted upgrade,
      // which loads it itself (GenerationStore.prepareWrites).
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
  // `toolbox list [--json] [-a]` and `toolbox create [NAME]` alone: the same command and the same
  // error handling as through commander below, without building commander's tree (the readers
  // give up on anything else, options included).
  const list = fastListArgv(argv);
  if (list)
    return leanPath('list', list.json, async () =>
      (await import('./commands/manage.js')).listCommand({}, list.json, list.all),
    );
  const create = fastCreateArgv(argv);
  if (create) {
    return leanPath('create', false, async () => {
      // No config writer either: create writes config.json only to settle an interrupted
      // upgrade, which loads it itself (GenerationStore.prepareWrites).
      const { createCommand } = await import('./commands/create.js');
      return createCommand({}, create.name);
    });
  }
  await loadConfWriter();
  const { CommanderError } = await import('commander');
  const { buildProgram, routeDoubleDash, VALUE_OPTIONS } = await import('./program.js');
  const outcome: import('./program.js').Outcome = { exitCode: 0 };
  let usageText = '';
  const program = buildProgram(outcome, (text) => (usageText += text));
  // The command whose help a usage error points to: the one being parsed when it failed.
  const command = () => outcome.command ?? program;
  const path = () => commandPath(command());
  // --json asked of a command that has it: a failure is a JSON object on stdout too.
  const json = () => argv.includes('--json') && command().options.some((o) => o.long === '--json');
  try {
    await program.parseAsync(routeDoubleDash(argv, VALUE_OPTIONS), { from: 'user' });
    return outcome.exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.code === 'commander.helpDisplayed' || error.code === 'commander.version') return 0;
      if (error.code === 'commander.help') {
        // `toolbox config` alone: commander wrote its help to our (discarded) error buffer.
        return usageError(`'${path()}' needs a subcommand`, `run '${path()} --help' for the list`, json());
      }
      const { commanderMessage } = await import('../ui/error-boundary.js');
      return usageError(commanderMessage(usageText, error), `run '${path()} --help' for usage`, json());
    }
    // A usage error of ours without a hint of its own points to the command's help, too.
    if (error instanceof UsageError && error.hint === USAGE_HINT)
      return usageError(error.message, `run '${path()} --help' for usage`, json());
    return report(error, json());
  }
}

/** A lean path's error boundary: what the commander path below gives for the same command. */
async function leanPath(command: string, json: boolean, work: () => Promise<number>): Promise<number> {
  try {
    injectTestFault(`toolbox ${command}`);
    return await work();
  } catch (error) {
    if (error instanceof UsageError && error.hint === USAGE_HINT)
      return usageError(error.message, `run 'toolbox ${command} --help' for usage`, json);
    return report(error, json);
  }
}

function commandPath(cmd: import('commander').Command): string {
  const words: string[] = [];
  for (let c: import('commander').Command | null = cmd; c; c = c.parent) words.unshift(c.name());
  return words.join(' ');
}

// The streams are looked up when written to: building them costs the hot path time it would not use.
const TOOLBOX = {
  name: 'toolbox',
  out: { write: (text: string) => process.stdout.write(text) },
  err: { write: (text: string) => process.stderr.write(text) },
  failureJson: errorJson,
};

async function usageError(message: string, hint: string, json: boolean): Promise<number> {
  const { reportUsage } = await import('../ui/error-boundary.js');
  return reportUsage(TOOLBOX, message, hint, json);
}

async function report(error: unknown, json = false): Promise<number> {
  const { reportFailure } = await import('../ui/error-boundary.js');
  return reportFailure(TOOLBOX, error, json);
}

process.exitCode = await main(process.argv.slice(2));
