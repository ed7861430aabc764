// Colour for messages. chalk is loaded only when stderr will show colour (a terminal, no
// NO_COLOR, not TERM=dumb): the CLI's entry awaits prepareColour() before any command runs, so
// a script's `toolbox run` or `toolbox list`, whose stderr is no terminal, never loads it.
import { isatty } from 'node:tty';
import { colorEnabled } from './terminal.js';

type Paint = (text: string) => string;

/** The styles messages use. */
export interface Palette {
  dim: Paint;
  yellow: Paint;
  red: Paint;
  bold: Paint;
}

const plain: Paint = (text) => text;
const PLAIN: Palette = { dim: plain, yellow: plain, red: plain, bold: plain };

let chalkModule: typeof import('chalk') | undefined;

/** Loads chalk (tests, and prepareColour). */
export async function loadColour(): Promise<void> {
  chalkModule ??= await import('chalk');
}

/** Loads chalk when stderr will show colour; nothing otherwise. */
export async function prepareColour(env: NodeJS.ProcessEnv = process.env): Promise<void> {
  if (colorEnabled({ isTTY: isatty(2) }, env)) await loadColour();
}

/**
 * The palette for a stream: colour only on a terminal that shows it, and only once chalk is
 * loaded (a message written before prepareColour is plain, never wrong).
 */
export function paletteFor(stream: { readonly isTTY?: boolean | undefined }, env: NodeJS.ProcessEnv): Palette {
  if (!chalkModule || !colorEnabled(stream, env)) return PLAIN;
  const { default: chalk, Chalk } = chalkModule;
  return new Chalk({ level: Math.max(chalk.level, 1) as 1 | 2 | 3 });
}
