// Messages for people, on stderr. Status lines and spinners appear on a terminal or with
// --verbose; warnings unless --quiet. Colour only on a terminal, and never with NO_COLOR. A
// message may carry a name, a label or an engine's words: its control characters are shown
// escaped (safe-text.ts), never sent to the terminal.
import { isatty } from 'node:tty';
import type { Reporter } from '../core/ports.js';
import type { Spinner } from './spinner.js';
import { escapeChar, isUnsafe, safeLine, safeLines } from './safe-text.js';
import { paletteFor, type Palette } from './colour.js';
import { canSpin } from './terminal.js';

export interface ReporterOptions {
  quiet: boolean;
  verbose: boolean;
  stream?: NodeJS.WriteStream;
  env?: NodeJS.ProcessEnv;
}

export class StderrReporter implements Reporter {
  private palette: Palette | undefined;

  // Everything is looked up on first use: the hot path creates a reporter and usually never
  // says a word, and building process.stderr's stream costs time it would not use.
  constructor(private readonly options: ReporterOptions) {}

  private get stream(): NodeJS.WriteStream {
    return this.options.stream ?? process.stderr;
  }

  private get tty(): boolean {
    return this.options.stream ? this.options.stream.isTTY : isatty(2);
  }

  private get c(): Palette {
    return (this.palette ??= paletteFor(this.stream, this.options.env ?? process.env));
  }

  private get showStatus(): boolean {
    return !this.options.quiet && (this.tty || this.options.verbose);
  }

  status(message: string): void {
    if (this.showStatus) this.stream.write(`${this.c.dim(safeLines(message))}\n`);
  }

  warn(message: string): void {
    if (!this.options.quiet) this.stream.write(`${this.c.yellow('Warning:')} ${safeLines(message)}\n`);
  }

  trace(argv: readonly string[]): void {
    if (this.options.verbose) this.stream.write(`${this.c.dim(`+ ${argv.map(quoteForDisplay).join(' ')}`)}\n`);
  }

  step(message: string): { done(message?: string): void; fail(message?: string): void } {
    if (!this.showStatus) return { done() {}, fail() {} };
    message = safeLine(message);
    if (this.options.verbose || !canSpin(this.stream, this.options.env)) {
      this.stream.write(`${message}...\n`);
      return {
        done: (m) => {
          if (m) this.status(m);
        },
        fail: (m) => {
          if (m) this.warn(m);
        },
      };
    }
    // ora is loaded only when a long step actually happens.
    let spinner: Spinner | undefined;
    let ended = false;
    void import('./spinner.js').then(({ startSpinner }) => {
      if (!ended) spinner = startSpinner(message, this.stream, this.options.env);
    });
    const end = (ok: boolean, said: string | undefined) => {
      ended = true;
      const text = said === undefined ? undefined : safeLine(said);
      if (spinner) {
        if (ok) spinner.succeed(text);
        else if (text) spinner.fail(text);
        else spinner.stop();
      } else if (text) {
        if (ok) this.status(text);
        else this.warn(text);
      }
    };
    return {
      done: (m) => {
        end(true, m);
      },
      fail: (m) => {
        end(false, m);
      },
    };
  }

  error(message: string, hint: string | undefined): void {
    // One line: a newline in what the engine said becomes a blank, anything else unsafe an escape.
    const oneLine = (text: string) => safeLine(text.replace(/\n/g, ' '));
    const what = oneLine(hint ? message.replace(/[.\s]+$/, '') : message);
    const line = `${this.c.red('Error:')} ${what}${hint ? `. ${this.c.bold('Hint:')} ${oneLine(hint)}` : ''}`;
    this.stream.write(`${line}\n`);
  }
}

/**
 * Shows an argv the way a user could paste it (display only, never executed). An argument with a
 * newline or another control character is shown in bash's $'...' form, so that each traced
 * command stays on one line of the log.
 */
export function quoteForDisplay(arg: string): string {
  if (/^[A-Za-z0-9_./:=@%+,-]+$/.test(arg)) return arg;
  const chars = Array.from(arg);
  if (!chars.some(isUnsafe)) return `'${arg.replace(/'/g, `'\\''`)}'`;
  const escaped = chars.map((c) => {
    if (c === '\\' || c === "'") return `\\${c}`;
    return isUnsafe(c) ? escapeChar(c) : c;
  });
  return `$'${escaped.join('')}'`;
}
