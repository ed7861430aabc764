// Runs the collectors, a few at a time, each under its own deadline, and turns their output into
// redacted, checksummed files. A collector that fails, hangs or is missing is recorded; nothing
// here throws for it.
import { createHash } from 'node:crypto';
import type { CaptureResult } from '../ports.js';
import type { CommandRecord, FileRecord } from './manifest.js';
import { commandFor, type Collector, type HostTarget } from './profiles.js';
import { redact } from './redact.js';

/** Runs argv inside the toolbox; rejects only when the engine itself failed. */
export type BoxExec = (command: string[], timeoutMs: number) => Promise<CaptureResult>;

export interface CollectedFile {
  path: string;
  data: Buffer;
}

export interface RunOptions {
  target: HostTarget;
  /** the deadline of collectors without their own */
  timeoutSeconds: number;
  /** how many commands run at once */
  parallel: number;
  now: () => number;
  /** called after each command with how many are done */
  onDone?: (done: number, total: number, record: CommandRecord) => void;
}

export async function runCollectors(exec: BoxExec, collectors: readonly Collector[], options: RunOptions): Promise<{ records: CommandRecord[]; files: CollectedFile[] }> {
  const records: CommandRecord[] = new Array(collectors.length);
  const files: CollectedFile[][] = new Array(collectors.length);
  let next = 0;
  let done = 0;
  const worker = async () => {
    while (next < collectors.length) {
      const i = next++;
      const { record, files: out } = await runOne(exec, collectors[i]!, options);
      records[i] = record;
      files[i] = out;
      options.onDone?.(++done, collectors.length, record);
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, Math.min(options.parallel, collectors.length)) }, worker));
  return { records, files: files.flat() };
}

async function runOne(exec: BoxExec, collector: Collector, options: RunOptions): Promise<{ record: CommandRecord; files: CollectedFile[] }> {
  const command = commandFor(collector, options.target);
  const timeoutSeconds = collector.timeoutSeconds ?? options.timeoutSeconds;
  const started = options.now();
  let result: CaptureResult;
  try {
    result = await exec(command, Math.round(timeoutSeconds * 1000));
  } catch (error) {
    // The engine failed for this one command; the others may still work.
    result = { exitCode: -1, stdout: '', stderr: `${(error as Error).message}\n` };
  }
  const durationMs = Math.max(0, Math.round(options.now() - started));
  const id = `${collector.profile}/${collector.name}`;
  const timedOut = result.timedOut === true;
  const exitCode = timedOut || result.exitCode < 0 ? null : result.exitCode;
  const files: CollectedFile[] = [];
  const redactions: CommandRecord['redactions'] = [];
  const keep = (path: string, text: string): FileRecord => {
    const cleaned = redact(text);
    for (const r of cleaned.redactions) redactions.push({ file: path, ...r });
    const data = Buffer.from(cleaned.text, 'utf8');
    files.push({ path, data });
    return { path, bytes: data.length, sha256: createHash('sha256').update(data).digest('hex') };
  };
  const stderrText = timedOut ? `${result.stderr}${result.stderr && !result.stderr.endsWith('\n') ? '\n' : ''}toolbox collect: killed after ${timeoutSeconds}s\n` : result.stderr;
  const output = keep(`${id}.txt`, result.stdout);
  const stderr = stderrText ? keep(`${id}.stderr.txt`, stderrText) : null;
  return {
    record: {
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
      stderr,
      redactions,
    },
    files,
  };
}
