// What the terminal on a stream can show, decided in one place for every message, colour and
// spinner: colour on a terminal unless NO_COLOR or TERM=dumb; a spinner on a terminal that can
// redraw a line and reports a width; a TTY for a command inside only when all three streams are
// terminals.
import { isatty } from 'node:tty';

/** A stream as it may really be: process.stderr is a terminal's stream only on a terminal. */
interface MaybeTerminal {
  readonly isTTY?: boolean | undefined;
  readonly columns?: number | undefined;
}

export function colorEnabled(stream: MaybeTerminal, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && !('NO_COLOR' in env && env.NO_COLOR !== '') && env.TERM !== 'dumb';
}

/**
 * A spinner redraws its line in place: a dumb terminal cannot, and a terminal that reports no
 * width (a pty nobody sized) sends ora's line erasing into a loop. Those get plain lines instead.
 */
export function canSpin(stream: MaybeTerminal, env: NodeJS.ProcessEnv = process.env): boolean {
  return stream.isTTY === true && (stream.columns ?? 0) > 0 && env.TERM !== 'dumb';
}

/**
 * Whether a command run inside gets a TTY (run, and exported tools' wrappers). isatty, not
 * process.stdin.isTTY: touching process.stdin builds a stream the hot path never uses. All three:
 * the engine's pty carries stdout and stderr as one stream, so with a redirected stderr (`2>log`)
 * the command's errors would land on the screen and never in the file.
 */
export function allStreamsAreTerminals(): boolean {
  return isatty(0) && isatty(1) && isatty(2);
}
