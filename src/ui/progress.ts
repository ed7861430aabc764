// Progress of a package operation on stderr: an ora spinner on a terminal; elsewhere nothing, or
// with --verbose plain lines (one per phase, so logs and CI show what happened). Warnings and
// zypper's problem lines show either way; --quiet shows nothing but errors.
import ora, { type Ora } from 'ora';
import type { Progress } from '../core/progress.js';
import { colorEnabled, makeChalk } from './reporter.js';

export interface ProgressOptions {
  quiet: boolean;
  verbose?: boolean;
  stream?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export class StderrProgress implements Progress {
  private readonly stream: NodeJS.WriteStream;
  private readonly tty: boolean;
  private readonly terminal: boolean;
  private readonly color: boolean;
  private spinner: Ora | undefined;
  private last = '';

  constructor(private readonly options: ProgressOptions) {
    this.stream = options.stream ?? process.stderr;
    this.terminal = Boolean(this.stream.isTTY);
    // A terminal that reports no width (a bare pty) would make ora clear lines forever.
    this.tty = this.terminal && (this.stream.columns ?? 0) > 0;
    this.color = colorEnabled(this.stream, options.env);
  }

  /** status lines: on a terminal, or with --verbose */
  private get shown(): boolean {
    return !this.options.quiet && (this.terminal || this.options.verbose === true);
  }

  phase(text: string): void {
    if (!this.shown || text === this.last) return;
    this.last = text;
    if (!this.tty) {
      this.stream.write(`${text}...\n`);
      return;
    }
    if (this.spinner) this.spinner.text = text;
    else this.spinner = ora({ text, stream: this.stream, color: this.color ? 'cyan' : false, isEnabled: true }).start();
  }

  succeed(text: string): void {
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
    this.around(() => this.stream.write(`${line}\n`));
  }

  warn(text: string): void {
    if (this.options.quiet) return;
    this.around(() => this.stream.write(`${makeChalk(this.stream, this.options.env).yellow('Warning:')} ${text}\n`));
  }

  /** Writes above a running spinner without tearing it. */
  private around(write: () => void): void {
    if (!this.spinner) return write();
    this.spinner.clear();
    write();
    this.spinner.render();
  }
}
