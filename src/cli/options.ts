// The options every toolbox command accepts, before or after the subcommand, as commander
// options drawn from the one table in global-options.ts (part of the grammar, grammar.ts).
import { Option, type Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { GlobalFlags } from '../core/settings/settings.js';
import { checkExtraCreateArgs } from '../engine/create-args.js';
import { GLOBAL_OPTIONS, optionName, type GlobalOption } from './global-options.js';
import { optionFlags, type OptionSpec } from './grammar.js';

/** A single-value option given twice with different values is a mistake, never "the last wins". */
function givenTwice(name: string, previous: unknown, value: string): void {
  if (previous !== undefined && previous !== value) {
    throw new UsageError(
      `${name} given twice, as ${JSON.stringify(previous)} and ${JSON.stringify(value)}`,
      `give ${name} once`,
    );
  }
}

/**
 * An option of the grammar as commander's: flags, help and choices. A repeatable one collects a
 * list, each use adding `each(value)`.
 */
export function commanderOption(spec: OptionSpec, each: (value: string) => string[] = (value) => [value]): Option {
  const option = new Option(optionFlags(spec), spec.description);
  if (spec.choices) option.choices(spec.choices);
  if (spec.repeatable)
    option.argParser((value: string, previous: string[] | undefined) => [...(previous ?? []), ...each(value)]);
  return option;
}

function globalOption(spec: GlobalOption): Option {
  // --podman-args: each use is split on whitespace (no quoting, no shell) and checked alone.
  const option = commanderOption(spec, checkExtraCreateArgs);
  if (!spec.value || spec.repeatable) return option;
  const parse = option.parseArg;
  return option.argParser((value: string, previous: unknown) => {
    const parsed = parse ? parse<unknown>(value, undefined) : value;
    givenTwice(optionName(spec), previous, value);
    return parsed;
  });
}

export function addGlobalOptions(cmd: Command): Command {
  for (const spec of GLOBAL_OPTIONS) cmd.addOption(globalOption(spec));
  return cmd;
}

export function flagsOf(cmd: Command): GlobalFlags {
  const o = explicitOptions(cmd);
  const s = (k: string) => (typeof o[k] === 'string' ? o[k] : undefined);
  const b = (k: string) => (o[k] === true ? true : undefined);
  return {
    container: s('container'),
    tag: s('tag'),
    image: s('image'),
    reg: s('reg'),
    img: s('img'),
    user: b('user'),
    root: b('root'),
    nostop: b('nostop'),
    noPull: o.pull === false ? true : undefined,
    sandbox: b('sandbox'),
    runtime: s('runtime'),
    podmanArgs: Array.isArray(o.podmanArgs) ? (o.podmanArgs as string[]) : undefined,
    engine: s('engine'),
    exec: s('exec'),
    quiet: b('quiet'),
    verbose: b('verbose'),
  };
}

/**
 * The options given on the command line, before and after the subcommand. (commander's
 * optsWithGlobals lets a parent's default, such as --no-pull's `true`, override a child's flag.)
 * A value given at both levels must agree; repeatable ones add up.
 */
function explicitOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries<unknown>(c.opts())) {
      if (value === undefined || c.getOptionValueSource(key) === 'default') continue;
      const spec = GLOBAL_OPTIONS.find((g) => g.key === key);
      if (Array.isArray(value)) out[key] = [...((out[key] as unknown[] | undefined) ?? []), ...(value as unknown[])];
      else {
        if (spec && typeof value === 'string') givenTwice(optionName(spec), out[key], value);
        out[key] = value;
      }
    }
  }
  return out;
}
