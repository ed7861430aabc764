// "N/M" progress for a run of many steps: the spinner on a terminal, nothing elsewhere (the result
// and warnings say what happened). The spinner is loaded only when a terminal will show it.
import { safeLine } from './safe-text.js';
import type { Spinner } from './spinner.js';
import { canSpin } from './terminal.js';

export interface CounterProgress {
  start(total: number): void;
  tick(done: number, total: number, label: string): void;
  stop(): void;
}

export function counterProgress(
  what: string,
  options: { quiet: boolean; stream?: NodeJS.WriteStream },
): CounterProgress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !canSpin(stream)) return { start() {}, tick() {}, stop() {} };
  let spinner: Spinner | undefined;
  let text = what;
  let stopped = false;
  return {
    start(total) {
      text = safeLine(`${what} 0/${total}`);
      void import('./spinner.js').then(({ startSpinner }) => {
        if (!stopped) spinner = startSpinner(text, stream);
      });
    },
    tick(done, total, label) {
      text = safeLine(`${what} ${done}/${total} (${label})`);
      if (!spinner) return;
      spinner.text = text;
      spinner.render(); // now, not at the next frame: the last count would never show otherwise
    },
    stop() {
      stopped = true;
      spinner?.stop();
    },
  };
}
