// "N/M" progress for a run of many steps: an ora spinner on a terminal, nothing elsewhere (the
// result and warnings say what happened). ora is loaded only when a terminal will show it.
export interface Progress {
  start(total: number): void;
  tick(done: number, total: number, label: string): void;
  stop(): void;
}

export function counterProgress(what: string, options: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  if (options.quiet || !stream.isTTY) return { start() {}, tick() {}, stop() {} };
  let spinner: { text: string; stop(): unknown } | undefined;
  let text = what;
  let stopped = false;
  return {
    start(total) {
      text = `${what} 0/${total}`;
      void import('ora').then(({ default: ora }) => {
        if (!stopped) spinner = ora({ text, stream, color: 'cyan' }).start();
      });
    },
    tick(done, total, label) {
      text = `${what} ${done}/${total} (${label})`;
      if (spinner) spinner.text = text;
    },
    stop() {
      stopped = true;
      spinner?.stop();
    },
  };
}
