// One file of the bundle as it is written: what a command prints goes through the redactor into
// the bundle as it arrives, up to a cap, while its size and sha256 are counted on the bytes
// written, so the manifest describes exactly what is in the bundle. Past the cap the output is
// still read (the command finishes with its own exit status) but not kept.
import { createHash, type Hash } from 'node:crypto';
import type { BundleFile, BundleSink } from './bundle.js';
import type { FileRecord, RedactionRecord } from './manifest.js';
import { redact, StreamRedactor } from './redact.js';

export class OutputFile {
  /** bytes the command wrote on this stream, kept or not */
  private produced = 0;
  /** of those, bytes given to the redactor */
  private kept = 0;
  private truncated = false;
  private bytes = 0;
  private endsWithNewline = true;
  private readonly hash: Hash = createHash('sha256');
  private file: BundleFile | undefined;
  private readonly redactor: StreamRedactor;
  private readonly notes: string[] = [];

  /** always: create the file even when nothing is written (stdout); otherwise only on output */
  constructor(
    private readonly bundle: BundleSink,
    readonly path: string,
    private readonly cap: number,
    always: boolean,
  ) {
    this.redactor = new StreamRedactor((text) => {
      this.emit(text);
    });
    if (always) this.open();
  }

  /** takes a chunk of the command's output */
  write(chunk: Buffer): void {
    this.produced += chunk.length;
    if (this.truncated) return;
    const room = this.cap - this.kept;
    if (chunk.length <= room) {
      this.kept += chunk.length;
      this.redactor.write(chunk);
      return;
    }
    this.redactor.write(chunk.subarray(0, room));
    this.kept = this.cap;
    this.truncated = true;
    // A cut output ends at its last whole line: no half line, no half secret.
    this.redactor.end({ dropPartialLine: true });
  }

  get cut(): { truncated: boolean; producedBytes: number } {
    return { truncated: this.truncated, producedBytes: this.produced };
  }

  /** a line of toolbox's own, after the command's output (why it was killed, where it was cut) */
  note(line: string): void {
    this.notes.push(line);
  }

  /** ends the file; null when it was never created (no output and no note) */
  finish(redactions: RedactionRecord[]): FileRecord | null {
    this.endOutput(redactions);
    return this.file ? this.record(this.file) : null;
  }

  /** ends a file that is there even when empty (a command's stdout, created with `always`) */
  finishFile(redactions: RedactionRecord[]): FileRecord {
    this.endOutput(redactions);
    return this.record(this.open());
  }

  private endOutput(redactions: RedactionRecord[]): void {
    this.redactor.end();
    const lines = this.redactor.redactions.map((r) => ({ file: this.path, ...r }));
    if (this.notes.length) {
      const prefix = this.endsWithNewline ? '' : '\n';
      // Through the same redactor as everything else in the bundle, though these are our words.
      this.emit(redact(`${prefix}${this.notes.map((n) => `${n}\n`).join('')}`).text);
    }
    // One at a time: never as spread arguments, which overflow the stack past some 100 000.
    for (const line of lines) redactions.push(line);
  }

  private record(file: BundleFile): FileRecord {
    file.end();
    const unlisted = this.redactor.unlisted;
    return {
      path: this.path,
      bytes: this.bytes,
      sha256: this.hash.digest('hex'),
      truncated: this.truncated,
      producedBytes: this.produced,
      ...(unlisted ? { unlistedRedactions: unlisted } : {}),
    };
  }

  private open(): BundleFile {
    this.file ??= this.bundle.create(this.path);
    return this.file;
  }

  private emit(text: string): void {
    if (!text) return;
    const data = Buffer.from(text, 'utf8');
    this.open().write(data);
    this.hash.update(data);
    this.bytes += data.length;
    this.endsWithNewline = text.endsWith('\n');
  }
}
