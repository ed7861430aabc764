// How a long package operation tells a person what it is doing: a spinner on a terminal, plain
// lines on stderr otherwise (src/ui/progress.ts). Results never go here; they go to stdout.
export interface Progress {
  /** the current phase; replaces the previous one */
  phase(text: string): void;
  /** the operation finished well; text is a one-line summary */
  succeed(text: string): void;
  /** the operation failed; the error itself is reported by the caller */
  fail(): void;
  /** a line to show as it is (zypper's problem lines) */
  detail(line: string): void;
  warn(text: string): void;
}
