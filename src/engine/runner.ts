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

/** Runs a command to completion and returns its output; never throws for a non-zero exit. */
export async function capture(file: string, args: readonly string[], options: CaptureOptions = {}): Promise<Captured> {
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
  });
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
  try {
    const result = await execa(file, args, { stdio: 'inherit', reject: false });
    if (result.exitCode === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') throw new CommandNotFound(file);
    }
    return result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
  } finally {
    for (const s of signals) process.off(s, handler);
  }
}

function signalNumber(signal: string): number {
  const table: Record<string, number> = { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGKILL: 9, SIGPIPE: 13, SIGTERM: 15 };
  return table[signal] ?? 0;
}

export interface Streaming {
  /** resolves to the exit code (128+N for a signal) */
  done: Promise<number>;
  kill(): void;
}

/**
 * Runs a command whose output arrives in chunks while it runs (a long transaction, a journal
 * being followed). Its stdout and stderr are pipes that this process keeps reading until the
 * command ends, so the command never sees a closed pipe, whatever happens to our own output.
 */
export function stream(file: string, args: readonly string[], onOutput: (chunk: string) => void, options: { ownGroup?: boolean } = {}): Streaming {
  // ownGroup: the command runs in its own process group and kill() ends the whole group, for
  // wrappers such as `nsenter --pid` that fork and do not pass signals on to their child.
  const child = execa(file, args, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', reject: false, buffer: false, detached: options.ownGroup === true });
  child.stdout?.setEncoding('utf8').on('data', (d: string) => onOutput(d));
  child.stderr?.setEncoding('utf8').on('data', (d: string) => onOutput(d));
  const done = child.then((result) => {
    if (result.exitCode === undefined) {
      const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
      if (code === 'ENOENT') throw new CommandNotFound(file);
    }
    return result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
  });
  const kill = (): void => {
    if (options.ownGroup && child.pid !== undefined) {
      try {
        process.kill(-child.pid, 'SIGTERM');
        return;
      } catch {
        // the group is already gone
      }
    }
    child.kill('SIGTERM');
  };
  return { done, kill };
}
