// The commands' own words on stdout and stderr, through the one sanitizer (safe-text.ts): a
// result, a table or a note may carry a name, a label or an engine's words.
import { safeJson, safeLines } from './safe-text.js';

/** Results on stdout: text of whole lines. */
export function print(text: string): void {
  process.stdout.write(safeLines(text));
}

/** A result as JSON on stdout, indented by 2 unless told. */
export function printJson(value: unknown, indent = 2): void {
  process.stdout.write(`${safeJson(value, indent || undefined)}\n`);
}

/** A message on stderr that is not a status line (shown whatever the terminal). */
export function note(text: string): void {
  process.stderr.write(safeLines(text));
}
