// The command line, built from its one grammar (grammar.ts): this file only adds what is not
// data, each command's action, found by the command's path. microos-toolbox's forms keep working:
// options before or after the subcommand, and `toolbox [options] [CMD...]` runs CMD (or a shell).
// In the default form and in `run`, options end at the first word that is not an option, or at `--`.
import { Argument, Command } from 'commander';
import { UsageError } from '../core/errors.js';
import type { GlobalFlags } from '../core/settings/settings.js';
import {
  argumentUsage,
  GRAMMAR,
  HELP_OPTION,
  optionFlags,
  isShell,
  SHELLS,
  valueOptions,
  VERSION_OPTION,
  type CommandSpec,
} from './grammar.js';
import { addGlobalOptions, commanderOption, flagsOf } from './options.js';
import { injectTestFault } from './test-fault.js';
import { VERSION } from './version.js';
import { speakThroughBoundary } from '../ui/commander-output.js';

export type Outcome = {
  exitCode: number;
  /** the (sub)command being parsed or run, for errors that point to its help */
  command?: Command;
};

/** A command's parsed arguments and options, as its action reads them. */
class Parsed {
  constructor(private readonly command: Command) {}

  get flags(): GlobalFlags {
    return flagsOf(this.command);
  }

  /** The argument at `index`: a word, or undefined when an optional one was not given. */
  word(index: number): string | undefined {
    const value: unknown = this.command.processedArgs[index];
    return typeof value === 'string' ? value : undefined;
  }

  /** A required argument (commander refuses the command line without it). */
  required(index: number): string {
    const value = this.word(index);
    if (value === undefined) throw new Error(`${this.command.name()}: argument ${index + 1} is missing`);
    return value;
  }

  /** A variadic argument's words. */
  words(index: number): string[] {
    const value: unknown = this.command.processedArgs[index];
    return Array.isArray(value) ? value.map(String) : [];
  }

  /** A switch: given or not. */
  on(key: string): boolean {
    return this.option(key) === true;
  }

  /** A switch with a negation (--recommends, --no-recommends): undefined when neither is given. */
  either(key: string): boolean | undefined {
    const value = this.option(key);
    return typeof value === 'boolean' ? value : undefined;
  }

  value(key: string): string | undefined {
    const value = this.option(key);
    return typeof value === 'string' ? value : undefined;
  }

  /** A repeatable option's values, undefined when it is not given. */
  values(key: string): string[] | undefined {
    const value = this.option(key);
    return Array.isArray(value) ? value.map(String) : undefined;
  }

  /** An option of this command by its key (--host-pid: hostPid); a key it lacks is a bug, said loudly. */
  private option(key: string): unknown {
    if (!this.command.options.some((o) => o.attributeName() === key))
      throw new Error(`${this.command.name()} has no option for ${JSON.stringify(key)}`);
    return this.command.opts()[key];
  }
}

type Action = (p: Parsed) => Promise<number>;

/** Each command's action by its path below the program ('' for the default form, 'repo add'); lazily loaded. */
function actions(program: Command): Record<string, Action> {
  const run = (p: Parsed) => import('./commands/run.js').then((m) => m.runCommand(p.flags, p.words(0)));
  const manage = () => import('./commands/manage.js');
  const tools = () => import('./commands/tools.js');
  const upgrade = () => import('./commands/upgrade.js');
  const repo = () => import('./commands/repo.js');
  const config = () => import('./commands/config.js');
  const completion = () => import('./commands/completion.js');
  const exporting = () => import('./commands/export.js');
  return {
    '': run,
    run,
    enter: (p) => import('./commands/run.js').then((m) => m.runCommand(p.flags, [], p.word(0))),
    create: (p) => import('./commands/create.js').then((m) => m.createCommand(p.flags, p.word(0))),
    list: (p) => manage().then((m) => m.listCommand(p.flags, p.on('json'), p.on('all'))),
    stop: (p) => manage().then((m) => m.stopCommand(p.flags, p.word(0), p.on('force'))),
    rm: (p) => manage().then((m) => m.rmCommand(p.flags, p.word(0), p.on('force'))),
    install: (p) =>
      tools().then((m) =>
        m.installCommand(p.flags, p.words(0), {
          json: p.on('json'),
          recommends: p.either('recommends'),
          export: p.on('export'),
        }),
      ),
    export: (p) =>
      exporting().then((m) =>
        m.exportCommand(p.flags, p.words(0), {
          list: p.on('list'),
          json: p.on('json'),
          force: p.on('force'),
          dir: p.value('dir'),
          as: p.value('as'),
        }),
      ),
    unexport: (p) => exporting().then((m) => m.unexportCommand(p.flags, p.words(0), { dir: p.value('dir') })),
    __exported: (p) => import('./commands/exported.js').then((m) => m.exportedCommand(p.words(0))),
    remove: (p) => tools().then((m) => m.removeCommand(p.flags, p.words(0), { json: p.on('json') })),
    search: (p) => tools().then((m) => m.searchCommand(p.flags, p.required(0))),
    update: (p) =>
      tools().then((m) => m.updateCommand(p.flags, { dist: p.on('dist'), recommends: p.either('recommends') })),
    tools: (p) => tools().then((m) => m.toolsCommand(p.flags, p.word(0), { json: p.on('json') })),
    upgrade: (p) =>
      upgrade().then((m) =>
        m.upgradeCommand(p.flags, p.word(0), {
          force: p.on('force'),
          json: p.on('json'),
          recommends: p.either('recommends'),
          check: p.on('check'),
          keep: p.value('keep'),
        }),
      ),
    rollback: (p) =>
      upgrade().then((m) =>
        m.rollbackCommand(p.flags, p.word(0), { force: p.on('force'), json: p.on('json'), to: p.value('to') }),
      ),
    'repo add': (p) =>
      repo().then((m) => m.repoAddCommand(p.flags, p.required(0), p.required(1), { key: p.value('key') })),
    'repo list': (p) => repo().then((m) => m.repoListCommand(p.flags, { json: p.on('json') })),
    'repo remove': (p) => repo().then((m) => m.repoRemoveCommand(p.flags, p.required(0))),
    collect: (p) =>
      import('./commands/collect.js').then((m) =>
        m.collectCommand(p.flags, {
          out: p.value('out'),
          profile: p.values('profile'),
          timeout: p.value('timeout'),
          json: p.on('json'),
          hostPid: p.value('hostPid'),
          maxOutput: p.value('maxOutput'),
        }),
      ),
    'config get': (p) => config().then((m) => m.configGet(p.required(0))),
    'config set': (p) => config().then((m) => m.configSet(p.required(0), p.required(1))),
    'config unset': (p) => config().then((m) => m.configUnset(p.required(0))),
    'config list': (p) => config().then((m) => m.configList(p.on('json'))),
    'config path': () => config().then((m) => m.configPath()),
    completion: (p) => {
      const shell = p.required(0);
      // commander has checked the word against SHELLS already
      if (!isShell(shell)) throw new UsageError(`no completion for the shell ${shell}`, `use ${SHELLS.join(', ')}`);
      return completion().then((m) => m.completionCommand(program, shell));
    },
    __names: (p) => completion().then((m) => m.namesCommand(p.flags)),
    // `toolbox help [COMMAND...]` shows help, never runs `help` in a toolbox.
    help: (p) => {
      const words = p.words(0);
      let target: Command = program;
      for (const word of words) {
        const next = (target.commands as Command[]).find((c) => c.name() === word);
        if (!next)
          throw new UsageError(`no such command: toolbox ${words.join(' ')}`, "run 'toolbox help' for the list");
        target = next;
      }
      target.outputHelp();
      return Promise.resolve(0);
    },
  };
}

/** A command's own option: a repeatable one collects its values in a list. */
/** Adds the spec's arguments, options, help text, action and subcommands to `cmd`. */
function build(
  cmd: Command,
  spec: CommandSpec,
  path: readonly string[],
  table: Record<string, Action>,
  done: (work: Promise<number>) => Promise<void>,
): void {
  cmd.description(spec.description);
  if (spec.usage !== undefined) cmd.usage(spec.usage);
  for (const a of spec.arguments) {
    const argument = new Argument(argumentUsage(a), a.description);
    if (a.choices) argument.choices(a.choices);
    cmd.addArgument(argument);
  }
  if (spec.passThroughOptions) cmd.passThroughOptions();
  if (spec.globalOptions) addGlobalOptions(cmd);
  for (const o of spec.options) cmd.addOption(commanderOption(o));
  if (spec.afterHelp !== undefined) cmd.addHelpText('after', spec.afterHelp);
  const action = table[path.join(' ')];
  if (action) {
    const parsed = new Parsed(cmd);
    const name = [GRAMMAR.name, ...path].join(' ');
    cmd.action(async () => {
      injectTestFault(name);
      await done(action(parsed));
    });
  } else if (spec.commands.length === 0) throw new Error(`toolbox ${path.join(' ')} has no action`);
  for (const sub of spec.commands)
    build(cmd.command(sub.name, { hidden: sub.hidden === true }), sub, [...path, sub.name], table, done);
}

export function buildProgram(outcome: Outcome, writeErr: (text: string) => void): Command {
  const program = new Command(GRAMMAR.name);
  program
    .version(VERSION, optionFlags(VERSION_OPTION), VERSION_OPTION.description)
    .helpOption(optionFlags(HELP_OPTION), HELP_OPTION.description)
    .enablePositionalOptions()
    // commander adds no help command of its own to a program that has an action; ours is `help`.
    .helpCommand(false);
  const done = (p: Promise<number>) =>
    p.then((code) => {
      outcome.exitCode = code;
    });
  speakThroughBoundary(program, writeErr);
  build(program, GRAMMAR, [], actions(program), done);

  // Remembers which command is being parsed, so a usage error can point to that command's help.
  const track = (cmd: Command): void => {
    if (cmd.commands.length === 0) return;
    cmd.hook('preSubcommand', (_parent, sub) => {
      outcome.command = sub;
    });
    cmd.commands.forEach(track);
  };
  track(program);
  return program;
}

/**
 * `toolbox [opts] -- CMD` always runs CMD, even when CMD is a subcommand's name (`toolbox -- rm x`).
 * Inserting `run` keeps commander from dispatching it.
 */
export function routeDoubleDash(argv: string[], valueOptions: ReadonlySet<string>): string[] {
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === undefined) break;
    if (a === '--') return [...argv.slice(0, i), 'run', ...argv.slice(i)];
    if (!a.startsWith('-') || a === '-') return argv;
    if (valueOptions.has(a)) i++;
  }
  return argv;
}

/** Every spelling of a program option that takes a value, for the `--` router. */
export const VALUE_OPTIONS: ReadonlySet<string> = valueOptions();
