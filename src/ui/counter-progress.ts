// "N/M" progress for a run of many steps: an ora spinner on a terminal, nothing elsewhere (the
// result and warnings say what happened). ora is loaded only when a terminal will show it.
export interface Progress {
  start(total: number): void;
  tick(done: number, total: number, label: string): void;
  stop(): void;
}

export function counterProgress(what: string, options: { quiet: boolean; stream?: NodeJS.WriteStream }): Progress {
  const stream = options.stream ?? process.stderr;
  // A terminal that reports no width (a pty nobody sized) sends ora's line erasing into a loop.
  if (options.quiet || !stream.isTTY || !(stream.columns > 0)) return { start() {}, tick() {}, stop() {} };
  let spinner: { text: string; render(): unknown; stop(): unknown } | undefined;
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
