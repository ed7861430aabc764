// The one spinner, ora's, on stderr: for a step, a count and a package operation alike. Callers
// ask canSpin first (src/ui/terminal.ts); a spinner here always animates, coloured only where
// colour is allowed.
import ora from 'ora';
import { colorEnabled } from './terminal.js';

export interface Spinner {
  text: string;
  /** draws now, not at the next frame (a last count would never show otherwise) */
  render(): void;
  /** takes the spinner's line away, so a message can be written above it */
  clear(): void;
  /** stops and leaves a ✔ line: the text given, or the spinner's own */
  succeed(text?: string): void;
  /** stops and leaves a ✖ line: the text given, or the spinner's own */
  fail(text?: string): void;
  /** stops and leaves nothing */
  stop(): void;
}

export function startSpinner(text: string, stream: NodeJS.WriteStream, env?: NodeJS.ProcessEnv): Spinner {
  return ora({ text, stream, color: colorEnabled(stream, env) ? 'cyan' : false, isEnabled: true }).start();
}
