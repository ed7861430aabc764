// Progress of a package operation on stderr: an ora spinner on a terminal; elsewhere nothing, or
// with --verbose plain lines (one per phase, so logs and CI show what happened). Warnings and
// zypper's problem lines show either way; --quiet shows nothing but errors. zypper's words reach
// the terminal through the one sanitizer (safe-text.ts).
import type { Progress } from '../core/progress.js';
import { paletteFor } from './colour.js';
import { safeLine } from './safe-text.js';
import { startSpinner, type Spinner } from './spinner.js';
import { canSpin } from './terminal.js';

export interface ProgressOptions {
  quiet: boolean;
  verbose?: boolean;
  stream?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export class StderrProgress implements Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly spins: boolean;
  private readonly terminal: boolean;
  private spinner: Spinner | undefined;
  private last = '';

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.terminal = this.stream.isTTY;
    this.spins = canSpin(this.stream, options.env);
  }

  /** status lines: on a terminal, or with --verbose */
  private get shown(): boolean {
    return !this.options.quiet && (this.terminal || this.options.verbose === true);
  }

  phase(said: string): void {
    const text = safeLine(said);
    if (!this.shown || text === this.last) return;
    this.last = text;
    if (!this.spins) {
      this.stream.write(`${text}...\n`);
      return;
    }
    if (this.spinner) this.spinner.text = text;
    else this.spinner = startSpinner(text, this.stream, this.options.env);
  }

  succeed(said: string): void {
    const text = safeLine(said);
    this.last = '';
    if (!this.shown) return;
    if (this.spinner) {
      if (text) this.spinner.succeed(text);
      else this.spinner.stop();
      this.spinner = undefined;
    } else if (text) {
      this.stream.write(`${text}\n`);
    }
  }

  fail(): void {
    this.last = '';
    this.spinner?.stop();
    this.spinner = undefined;
  }

  detail(line: string): void {
    this.around(() => this.stream.write(`${safeLine(line)}\n`));
  }

  warn(text: string): void {
    if (this.options.quiet) return;
    this.around(() =>
      this.stream.write(
        `${paletteFor(this.stream, this.options.env ?? process.env).yellow('Warning:')} ${safeLine(text)}\n`,
      ),
    );
  }

  /** Writes above a running spinner without tearing it. */
  private around(write: () => void): void {
    if (!this.spinner) {
      write();
      return;
    }
    this.spinner.clear();
    write();
    this.spinner.render();
  }
}
