// The one module that spawns processes. Everything else asks it.
import { execa } from 'execa';

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export class CommandNotFound extends Error {
  constructor(readonly file: string) {
    super(`${file}: command not found`);
  }
}

export interface CaptureOptions {
  input?: string | Buffer;
  env?: Record<string, string | undefined>;
  timeoutMs?: number;
}

const TERMINATING: readonly NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
const capturing = new Set<{ kill(signal: NodeJS.Signals): unknown }>();
let forwarding = 0; // > 0 while interactive() runs: its own handler delivers signals inside
let dying = false;

/**
 * Ctrl-C (or SIGTERM, SIGHUP) while toolbox itself works (inspect, pull, create, setup) ends it
 * at once: the engine command gets the signal too, and toolbox dies of it. Installed once and
 * never removed: execa's own handler, added and removed around each command, could swallow a
 * signal arriving just as a command ended, and toolbox then carried on (it created the toolbox
 * from the local copy after an interrupted pull). What is left (a lock, a created container) is
 * recovered by the next call.
 */
function dieOnSignals(): void {
  if (dying) return;
  dying = true;
  for (const s of TERMINATING) {
    process.on(s, (signal: NodeJS.Signals) => {
      if (forwarding > 0) return;
      for (const child of capturing) child.kill(signal);
      for (const t of TERMINATING) process.removeAllListeners(t);
      process.kill(process.pid, signal);
      process.exit(128 + signalNumber(signal));
    });
  }
}

/** Runs a command to completion and returns its output; never throws for a non-zero exit. */
export async function capture(file: string, args: readonly string[], options: CaptureOptions = {}): Promise<Captured> {
  dieOnSignals();
  const subprocess = execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
  capturing.add(subprocess);
  const result = await subprocess.finally(() => capturing.delete(subprocess));
  // Killed by Ctrl-C with us (the whole foreground group gets it): give our own, pending signal
  // the moment it needs to arrive, so nothing runs after an interrupted step.
  if (result.signal && TERMINATING.includes(result.signal as NodeJS.Signals)) await new Promise((r) => setTimeout(r, 100));
  if (result.exitCode === undefined && (result as { code?: string }).code === 'ENOENT') throw new CommandNotFound(file);
  if (result.failed && result.exitCode === undefined && !result.isTerminated) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new CommandNotFound(file);
  }
  return {
    exitCode: result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1),
    stdout: String(result.stdout ?? ''),
    stderr: String(result.stderr ?? ''),
  };
}

export interface InteractiveOptions {
  /** called with each signal that should reach the command inside */
  onSignal?: (signal: NodeJS.Signals) => void;
}

/**
 * Runs a command with this process's stdin, stdout and stderr, and resolves to its exit code.
 * SIGINT, SIGTERM and SIGHUP do not kill this process while the child runs: they are handed
 * to onSignal, whose job is to deliver them to the command inside the toolbox.
 */
export async function interactive(file: string, args: readonly string[], options: InteractiveOptions = {}): Promise<number> {
  const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP'];
  const handler = (signal: NodeJS.Signals): void => options.onSignal?.(signal);
  for (const s of signals) process.on(s, handler);
  forwarding++;
  try {
    const result = await execa(file, args, { stdio: 'inherit', reject: false });
    if (result.exitCode === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') throw new CommandNotFound(file);
    }
    return result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
  } finally {
    forwarding--;
    for (const s of signals) process.off(s, handler);
  }
}

function signalNumber(signal: string): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
  return table[signal] ?? 0;
}
