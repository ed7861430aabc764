// The hot path's argument reader. `toolbox run ...` and the default form are what scripts call
// hundreds of times, and loading commander costs a quarter of Node's own start-up. This reader
// accepts only a strict subset of the full grammar and gives up (undefined) on anything else,
// so commander stays the one authority: a unit test checks that both agree on every sample.
import type { GlobalFlags } from '../core/settings/settings.js';
import { GLOBAL_OPTIONS, type GlobalOption } from './global-options.js';
import { findCommand, spellings, subcommandNames } from './grammar.js';

// Every spelling of each global option, from the one table. A repeatable option (--podman-args)
// is left to commander, which splits and checks it.
const SPELLINGS = new Map<string, GlobalOption>(
  GLOBAL_OPTIONS.filter((o) => !o.repeatable).flatMap((o) => spellings(o).map((word) => [word, o] as const)),
);

/**
 * Every subcommand name, from the grammar. The hot path must never mistake one for a command to
 * run inside a toolbox; a command added to the grammar is in this set without another edit.
 */
export const SUBCOMMANDS: ReadonlySet<string> = subcommandNames();

export interface FastRun {
  flags: GlobalFlags;
  command: string[];
}

/** The flags and command of a plain `toolbox [opts] [run] [opts] [--] CMD...`, or undefined. */
export function fastRunArgv(
  argv: readonly string[],
  subcommands: ReadonlySet<string> = SUBCOMMANDS,
): FastRun | undefined {
  const flags: Record<string, unknown> = {};
  let i = 0;
  let sawRun = false;
  for (;;) {
    const a = argv[i];
    if (a === undefined) return { flags, command: [] };
    if (a === '--') return { flags, command: argv.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') {
      if (a === 'run' && !sawRun) {
        sawRun = true;
        i++;
        continue;
      }
      if (!sawRun && subcommands.has(a)) return undefined;
      return { flags, command: argv.slice(i) };
    }
    const option = SPELLINGS.get(a);
    if (!option) return undefined;
    if (!option.value) {
      flags[option.key] = true;
      i++;
      continue;
    }
    const value = argv[i + 1];
    if (value === undefined || value.startsWith('-')) return undefined;
    if (option.choices && !option.choices.includes(value)) return undefined;
    if (flags[option.key] !== undefined) return undefined; // repeated: let commander decide
    flags[option.key] = value;
    i += 2;
  }
}

export interface FastList {
  json: boolean;
  all: boolean;
}

// `toolbox list`'s own switches by spelling ("-a" and "--all": "--all"), from the grammar. An
// option that takes a value is not among them: the reader gives up on it.
const LIST_SWITCHES = new Map<string, string>(
  (findCommand(['list'])?.options ?? [])
    .filter((o) => o.value === undefined)
    .flatMap((o) => spellings(o).map((word) => [word, o.long] as const)),
);

/**
 * `toolbox list` with only its own switches (--json, -a/--all, each at most once), or undefined.
 * Scripts and the completion call it often, and building commander's tree costs more than the
 * listing's own JavaScript; anything else (global options, help, a stray word) goes to commander.
 */
export function fastListArgv(argv: readonly string[]): FastList | undefined {
  if (argv[0] !== 'list') return undefined;
  const seen = new Set<string>();
  for (const a of argv.slice(1)) {
    const option = LIST_SWITCHES.get(a);
    if (option === undefined || seen.has(option)) return undefined;
    seen.add(option);
  }
  return { json: seen.has('--json'), all: seen.has('--all') };
}

/** `toolbox create` or `toolbox create NAME` with no option at all, or undefined. */
export function fastCreateArgv(argv: readonly string[]): { name: string | undefined } | undefined {
  if (argv[0] !== 'create' || argv.length > 2) return undefined;
  const name = argv[1];
  if (name !== undefined && (name === '' || name.startsWith('-'))) return undefined;
  return { name };
}
