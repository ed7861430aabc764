// Runs the collectors, a few at a time, each under its own deadline, and streams their output
// into the bundle: redacted, capped and checksummed as it arrives. A collector that fails, hangs,
// is missing or prints too much is recorded; nothing here throws for it. Only a bundle that
// cannot be written ends the run.
import type { OutputSinks } from '../ports.js';
import { BundleWriteError, type BundleSink } from './bundle.js';
import type { CommandRecord, RedactionRecord } from './manifest.js';
import { OutputFile } from './output-file.js';
import { commandFor, type Collector, type HostTarget } from './profiles.js';

/** Runs argv inside the toolbox, its output going to the sinks; rejects only when the engine itself failed. */
export type BoxExec = (
  command: string[],
  timeoutMs: number,
  sinks: OutputSinks,
) => Promise<{ exitCode: number; timedOut?: boolean | undefined }>;

export interface RunOptions {
  target: HostTarget;
  /** the deadline of collectors without their own */
  timeoutSeconds: number;
  /** the most kept of each output file, in bytes */
  maxOutputBytes: number;
  /** how many commands run at once */
  parallel: number;
  now: () => number;
  /** called after each command with how many are done */
  onDone?: (done: number, total: number, record: CommandRecord) => void;
}

export async function runCollectors(
  exec: BoxExec,
  bundle: BundleSink,
  collectors: readonly Collector[],
  options: RunOptions,
): Promise<CommandRecord[]> {
  const records: CommandRecord[] = [];
  // One queue for all workers: each entry is taken by the worker that asks for it first.
  const queue = collectors.entries();
  let done = 0;
  const worker = async () => {
    for (const [i, collector] of queue) {
      const record = await runOne(exec, bundle, collector, options);
      records[i] = record;
      options.onDone?.(++done, collectors.length, record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, collectors.length)) }, worker));
  return records;
}

async function runOne(
  exec: BoxExec,
  bundle: BundleSink,
  collector: Collector,
  options: RunOptions,
): Promise<CommandRecord> {
  const command = commandFor(collector, options.target);
  const timeoutSeconds = collector.timeoutSeconds ?? options.timeoutSeconds;
  const id = `${collector.profile}/${collector.name}`;
  const stdout = new OutputFile(bundle, `${id}.txt`, options.maxOutputBytes, true);
  const stderr = new OutputFile(bundle, `${id}.stderr.txt`, options.maxOutputBytes, false);
  const started = options.now();
  let result: { exitCode: number; timedOut?: boolean | undefined };
  try {
    result = await exec(command, Math.round(timeoutSeconds * 1000), {
      stdout: (c) => {
        stdout.write(c);
      },
      stderr: (c) => {
        stderr.write(c);
      },
    });
  } catch (error) {
    if (error instanceof BundleWriteError) throw error;
    // The engine failed for this one command; the others may still work.
    result = { exitCode: -1 };
    stderr.write(Buffer.from(`${(error as Error).message}\n`));
  }
  const durationMs = Math.max(0, Math.round(options.now() - started));
  const timedOut = result.timedOut === true;
  const exitCode = timedOut || result.exitCode < 0 ? null : result.exitCode;
  if (timedOut) stderr.note(`toolbox collect: killed after ${timeoutSeconds}s`);
  for (const [name, file] of [
    ['stdout', stdout],
    ['stderr', stderr],
  ] as const) {
    const { truncated, producedBytes } = file.cut;
    if (truncated)
      stderr.note(`toolbox collect: ${name} cut at ${options.maxOutputBytes} of ${producedBytes} bytes (--max-output)`);
  }
  const redactions: RedactionRecord[] = [];
  const output = stdout.finishFile(redactions);
  const errors = stderr.finish(redactions);
  return {
    id,
    profile: collector.profile,
    name: collector.name,
    command,
    status: timedOut ? 'timeout' : exitCode === 0 ? 'ok' : 'failed',
    exitCode,
    timedOut,
    timeoutSeconds,
    durationMs,
    output,
    stderr: errors,
    truncated: output.truncated || (errors?.truncated ?? false),
    redactions,
  };
}
