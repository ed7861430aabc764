// The one error boundary of both programs, toolbox and host-update: an expected failure (a
// ToolboxError: usage, engine, anything with a hint) becomes one line on stderr, its JSON object on
// stdout when --json was asked, and its exit code; anything else is an internal error, the only
// place a stack trace appears, and with --json it is a failure document on stdout all the same:
// a script reading stdout gets {"ok": false, ...} whatever went wrong. Loaded only when something failed.
import { ExitCode, isToolboxError, ToolboxError, UsageError } from '../core/errors.js';
import { StderrReporter } from './reporter.js';
import { safeJson, safeLines } from './safe-text.js';

interface Sink {
  write(text: string): unknown;
}

/** What differs between the programs: the name, the streams, and what a failure's JSON holds. */
export interface Program {
  name: string;
  out: Sink;
  err: Sink;
  failureJson: (error: ToolboxError) => Record<string, unknown>;
}

export function reportFailure(program: Program, error: unknown, json: boolean): number {
  if (isToolboxError(error)) {
    if (json) program.out.write(`${safeJson(program.failureJson(error))}\n`);
    new StderrReporter({ quiet: false, verbose: false }).error(error.message, error.hint);
    return error.exitCode;
  }
  program.err.write(safeLines(`Internal error (a bug in ${program.name}; please report it): ${stackOf(error)}\n`));
  if (json) {
    const bug = new ToolboxError(`internal error: ${firstLine(error)}`, {
      hint: `a bug in ${program.name}; please report it with the stack trace on stderr`,
    });
    program.out.write(`${safeJson(program.failureJson(bug))}\n`);
  }
  return ExitCode.failure;
}

/** "TypeError: x is undefined": what was thrown, on one line. */
function firstLine(error: unknown): string {
  const text = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return text.split('\n')[0] ?? '';
}

export function reportUsage(program: Program, message: string, hint: string, json: boolean): number {
  return reportFailure(program, new UsageError(message, hint), json);
}

/**
 * What commander said of a usage error, as one line: the first line it wrote, without its "error:"
 * prefix or its full stop (the line adds ". Hint:" after it).
 */
export function commanderMessage(usageText: string, error: Error): string {
  const first = usageText
    .replace(/^error:\s*/i, '')
    .trim()
    .split('\n')[0];
  return (first || error.message).replace(/\.+$/, '');
}

function stackOf(error: unknown): string {
  if (typeof error === 'object' && error !== null && 'stack' in error && typeof error.stack === 'string')
    return error.stack;
  return String(error);
}
