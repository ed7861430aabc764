// The one module that spawns processes. Everything else asks it. Short engine calls and the
// interactive hot path use node:child_process directly (loading execa costs more than a
// podman call); execa supervises long-running work that needs deadlines.
import { spawn, type ChildProcess, type ChildProcessByStdio } from 'node:child_process';
import { constants } from 'node:os';
import type { Readable, Writable } from 'node:stream';

export interface Captured {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** set when a deadline (CaptureOptions.timeoutMs) ended the command */
  timedOut?: boolean;
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
  /** sees each line of stdout as it arrives (progress from a long command); the output is still captured */
  onLine?: (line: string) => void;
  /** ends the command (timedOut: true) when aborted: a deadline kept by the caller */
  cancel?: AbortSignal;
  /** takes the output chunk by chunk instead of capturing it (see `pump`) */
  sinks?: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void };
}

/**
 * Runs a command to completion and returns its output; never throws for a non-zero exit.
 * Engine calls are short and many, so this uses node:child_process directly: loading execa
 * would cost more than the call itself. `supervised` below is the execa path for long work.
 */
export function capture(file: string, args: readonly string[], options: CaptureOptions = {}): Promise<Captured> {
  if (options.sinks) return pump(file, args, options.sinks, options);
  if (options.timeoutMs || options.onLine || options.cancel) return supervised(file, args, options);
  return new Promise((resolve, reject) => {
    const env = options.env ? { env: options.env } : {};
    const { input } = options;
    // stdin is a pipe only when there is input to write; otherwise the command reads nothing.
    let child: ChildProcessByStdio<Writable | null, Readable, Readable>;
    if (input === undefined) {
      child = spawn(file, args, { stdio: ['ignore', 'pipe', 'pipe'], ...env });
    } else {
      const piped = spawn(file, args, { stdio: ['pipe', 'pipe', 'pipe'], ...env });
      piped.stdin.on('error', () => {}); // a command that does not read its input is not our failure
      piped.stdin.end(input);
      child = piped;
    }
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (d: Buffer) => out.push(d));
    child.stderr.on('data', (d: Buffer) => err.push(d));
    child.on('error', (error: NodeJS.ErrnoException) => {
      reject(error.code === 'ENOENT' ? new CommandNotFound(file) : error);
    });
    child.on('close', (code, signal) => {
      resolve({
        exitCode: code ?? (signal ? 128 + signalNumber(signal) : 1),
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

/** Long-running work under a deadline: execa kills the whole command when time is up. */
async function supervised(
  file: string,
  args: readonly string[],
  options: CaptureOptions = {},
): Promise<Captured & { timedOut: boolean }> {
  const { execa } = await import('execa');
  const result = await execa(file, args, {
    reject: false,
    stripFinalNewline: false,
    forceKillAfterDelay: 2000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env, extendEnv: false } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.cancel ? { cancelSignal: options.cancel } : {}),
    ...(options.onLine ? { stdout: lineWatcher(options.onLine) } : {}),
  });
  if (result.exitCode === undefined && !result.isTerminated) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new CommandNotFound(file);
  }
  return {
    exitCode: result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1),
    stdout: result.stdout,
    stderr: result.stderr,
    timedOut: result.timedOut || result.isCanceled,
  };
}

/**
 * Long-running work whose output may be large: every chunk goes to the sinks as it arrives and
 * nothing is kept, so memory stays bounded whatever the command prints. The output is read to
 * the end (a sink may discard it), so the command's exit status is its own, never a SIGPIPE of
 * ours. A sink that throws ends the command; the call then rejects with that error.
 */
async function pump(
  file: string,
  args: readonly string[],
  sinks: { stdout(chunk: Buffer): void; stderr(chunk: Buffer): void },
  options: Omit<CaptureOptions, 'sinks' | 'onLine'> = {},
): Promise<Captured & { timedOut: boolean }> {
  const { execa } = await import('execa');
  const running = execa(file, args, {
    reject: false,
    buffer: false,
    encoding: 'buffer',
    forceKillAfterDelay: 2000,
    ...(options.input !== undefined ? { input: options.input } : { stdin: 'ignore' }),
    ...(options.env ? { env: options.env, extendEnv: false } : {}),
    ...(options.timeoutMs ? { timeout: options.timeoutMs } : {}),
    ...(options.cancel ? { cancelSignal: options.cancel } : {}),
  });
  let failure: Error | undefined;
  const feed = (sink: (chunk: Buffer) => void) => (chunk: Buffer) => {
    if (failure !== undefined) return;
    try {
      sink(chunk);
    } catch (error) {
      failure = error instanceof Error ? error : new Error(String(error));
      running.kill('SIGKILL');
    }
  };
  running.stdout.on(
    'data',
    feed((c) => {
      sinks.stdout(c);
    }),
  );
  running.stderr.on(
    'data',
    feed((c) => {
      sinks.stderr(c);
    }),
  );
  const result = await running;
  if (failure !== undefined) throw failure;
  if (result.exitCode === undefined && !result.isTerminated) {
    const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
    if (code === 'ENOENT') throw new CommandNotFound(file);
  }
  return {
    exitCode: result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1),
    stdout: '',
    stderr: '',
    timedOut: result.timedOut || result.isCanceled,
  };
}

function lineWatcher(onLine: (line: string) => void) {
  return function* (line: unknown) {
    onLine(String(line));
    yield line;
  };
}

export interface InteractiveOptions {
  /** the child's whole environment; default: this process's */
  env?: Record<string, string> | undefined;
  cwd?: string | undefined;
  /** called with each signal that should reach the command, and the child's pid */
  onSignal?: ((signal: NodeJS.Signals, childPid: number) => void) | undefined;
  /**
   * A watcher: a command that ends only when the child's work can no longer go on (its container
   * stopped or gone), for a child that would not end by itself then. It is started `afterMs`
   * after the child (a child that ends sooner never pays for it); if it ends first, the child
   * is killed (SIGKILL, so the result is 137). It is killed when the child ends.
   */
  watch?: { file: string; args: readonly string[]; afterMs: number } | undefined;
}

/**
 * Runs a command with this process's stdin, stdout and stderr, and resolves to its exit code
 * (128+N when a signal ended it). SIGINT, SIGTERM, SIGHUP and SIGUSR1 do not kill this process
 * while the child runs: they go to onSignal, whose job is to deliver them to the command.
 * (SIGUSR1 would otherwise be ignored, never Node's inspector: see src/cli/no-inspector.ts.)
 */
export function interactive(file: string, args: readonly string[], options: InteractiveOptions = {}): Promise<number> {
  return new Promise((resolve, reject) => {
    const child = spawn(file, args, {
      stdio: 'inherit',
      ...(options.env ? { env: options.env } : {}),
      ...(options.cwd ? { cwd: options.cwd } : {}),
    });
    const signals: NodeJS.Signals[] = ['SIGINT', 'SIGTERM', 'SIGHUP', 'SIGUSR1'];
    const handler = (signal: NodeJS.Signals): void => {
      if (child.pid) options.onSignal?.(signal, child.pid);
    };
    for (const s of signals) process.on(s, handler);
    const stopWatching = options.watch ? watchChild(child, options.watch) : undefined;
    const cleanup = () => {
      stopWatching?.();
      for (const s of signals) process.off(s, handler);
    };
    child.on('error', (error: NodeJS.ErrnoException) => {
      cleanup();
      reject(error.code === 'ENOENT' ? new CommandNotFound(file) : error);
    });
    child.on('close', (code, signal) => {
      cleanup();
      resolve(code ?? (signal ? 128 + signalNumber(signal) : 1));
    });
  });
}

/** Starts `watch` after its delay; when it ends while the child runs, kills the child. Returns a stop. */
function watchChild(
  child: { kill(signal: NodeJS.Signals): boolean },
  watch: { file: string; args: readonly string[]; afterMs: number },
): () => void {
  let watcher: ChildProcess | undefined;
  let stopped = false;
  const timer = setTimeout(() => {
    watcher = spawn(watch.file, watch.args, { stdio: 'ignore' });
    let failed = false;
    watcher.on('error', () => {
      failed = true; // no watcher: the child runs as it would without one
    });
    watcher.on('close', (_code, signal) => {
      if (!stopped && !failed && signal === null) child.kill('SIGKILL');
    });
  }, watch.afterMs);
  return () => {
    stopped = true;
    clearTimeout(timer);
    watcher?.kill('SIGKILL');
  };
}

/** The platform's number for a signal name, as a shell reports 128+N; every signal, not a list. */
function signalNumber(signal: string): number {
  const numbers: Partial<Record<string, number>> = constants.signals;
  return numbers[signal] ?? 0;
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
export function stream(
  file: string,
  args: readonly string[],
  onOutput: (chunk: string) => void,
  options: { ownGroup?: boolean; env?: Record<string, string> } = {},
): Streaming {
  // ownGroup: the command runs in its own process group and kill() ends the whole group, for
  // wrappers such as `nsenter --pid` that fork and do not pass signals on to their child.
  // execa is loaded on first use (see `supervised`); a kill before it has loaded still counts.
  let child: { pid?: number | undefined; kill(signal: NodeJS.Signals): unknown } | undefined;
  let killed = false;
  const kill = (): void => {
    killed = true;
    if (!child) return;
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
  const done = import('execa').then(({ execa }) => {
    const running = execa(file, args, {
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      reject: false,
      buffer: false,
      detached: options.ownGroup === true,
      ...(options.env ? { env: options.env, extendEnv: false } : {}),
    });
    child = running;
    if (killed) kill();
    running.stdout.setEncoding('utf8').on('data', (d: string) => {
      onOutput(d);
    });
    running.stderr.setEncoding('utf8').on('data', (d: string) => {
      onOutput(d);
    });
    return running.then((result) => {
      if (result.exitCode === undefined) {
        const code = (result.cause as NodeJS.ErrnoException | undefined)?.code;
        if (code === 'ENOENT') throw new CommandNotFound(file);
      }
      return result.exitCode ?? (result.signal ? 128 + signalNumber(result.signal) : 1);
    });
  });
  return { done, kill };
}
