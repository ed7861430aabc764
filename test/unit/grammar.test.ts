// The grammar (grammar.ts) is the one definition of the command line: the commander program must
// be exactly it, command by command, and the hot path's tables must follow it without an edit.
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/cli/command-tree.js';
import { fastListArgv, fastRunArgv, SUBCOMMANDS } from '../../src/cli/fast-argv.js';
import { GLOBAL_OPTIONS } from '../../src/cli/global-options.js';
import {
  argumentUsage,
  findCommand,
  GRAMMAR,
  HELP_OPTION,
  optionFlags,
  optionsOf,
  SHELLS,
  subcommandNames,
  valueOptions,
  VERSION_OPTION,
  type CommandSpec,
} from '../../src/cli/grammar.js';
import { buildProgram, routeDoubleDash, VALUE_OPTIONS } from '../../src/cli/program.js';
import { ALL_PROFILES } from '../../src/core/collect/profile-names.js';
import { ENGINES, EXEC_PATHS } from '../../src/core/settings/setting-rules.js';

const program = () => buildProgram({ exitCode: 0 }, () => {});

/** Every command of the grammar with its path below the program, depth first, the root first. */
function specsOf(spec: CommandSpec, path: string[] = []): [string[], CommandSpec][] {
  return [[path, spec], ...spec.commands.flatMap((c) => specsOf(c, [...path, c.name]))];
}

function commandAt(root: Command, path: string[]): Command {
  let cmd = root;
  for (const word of path) cmd = cmd.commands.find((c) => c.name() === word)!;
  return cmd;
}

const SPECS = specsOf(GRAMMAR);

describe('the commander program is the grammar', () => {
  it('has every command of the grammar and no other, in its order, at every level', () => {
    const root = program();
    for (const [path, spec] of SPECS) {
      const cmd = commandAt(root, path);
      expect(cmd.name()).toBe(spec.name);
      expect(cmd.commands.map((c) => c.name())).toEqual(spec.commands.map((c) => c.name));
    }
    // and nothing the grammar lacks, counted over the whole tree
    const count = (c: Command): number => 1 + c.commands.reduce((n, s) => n + count(s), 0);
    expect(count(root)).toBe(SPECS.length);
    expect(SPECS.length).toBe(31);
  });

  it.each(SPECS.map(([path, spec]) => [path.join(' ') || '(toolbox)', path, spec] as const))(
    '%s: description, usage, visibility, arguments, options and after-help',
    (_label, path, spec) => {
      const root = program();
      const cmd = commandAt(root, path);
      expect(cmd.description()).toBe(spec.description);
      if (spec.usage !== undefined) expect(cmd.usage()).toBe(spec.usage);
      const parent = cmd.parent;
      if (parent) {
        const visible = parent.createHelp().visibleCommands(parent).includes(cmd);
        expect(visible).toBe(spec.hidden !== true);
      }
      expect(
        cmd.registeredArguments.map((a) => ({
          name: a.name(),
          required: a.required,
          variadic: a.variadic,
          choices: a.argChoices,
          description: a.description,
        })),
      ).toEqual(
        spec.arguments.map((a) => ({
          name: a.name,
          required: a.required,
          variadic: a.variadic,
          choices: a.choices ? [...a.choices] : undefined,
          description: a.description ?? '',
        })),
      );
      // Every option help lists, --version and -h/--help included.
      const expected = [...(path.length === 0 ? [VERSION_OPTION] : []), ...optionsOf(spec), HELP_OPTION];
      expect(
        cmd
          .createHelp()
          .visibleOptions(cmd)
          .map((o) => ({ flags: o.flags, description: o.description, choices: o.argChoices })),
      ).toEqual(
        expected.map((o) => ({
          flags: optionFlags(o),
          description: o.description,
          choices: o.choices ? [...o.choices] : undefined,
        })),
      );
      expect(describeCommand(cmd, path.slice(0, -1)).afterHelp).toBe(spec.afterHelp?.trim() ?? '');
    },
  );

  // Repeatable options collect their values; any other option's last value is its value.
  it.each(
    SPECS.flatMap(([path, spec]) =>
      optionsOf(spec)
        .filter((o) => o.value !== undefined)
        .map((o) => [[...path, o.long].join(' '), path, o.long, o.repeatable === true] as const),
    ),
  )('%s: takes a value, repeatable as the grammar says', async (_label, path, long, repeatable) => {
    const root = program();
    const cmd = commandAt(root, path);
    let seen: unknown = 'not run';
    const attribute = cmd.options.find((o) => o.long === long)!.attributeName();
    cmd.action(() => {
      seen = cmd.opts()[attribute];
    });
    const option = cmd.options.find((o) => o.long === long)!;
    // (--podman-args takes engine options only, and splits them into words.)
    const [first, second] = option.argChoices ?? (long === '--podman-args' ? ['--env=A=1', '--env=B=2'] : ['x1', 'x2']);
    // A global option given twice with different values is refused (options.ts); once suffices.
    const twice = repeatable || !GLOBAL_OPTIONS.some((g) => g.long === long);
    const argv = twice ? [long, first!, long, second ?? first!] : [long, first!];
    const spec = findCommand(path)!;
    const required = spec.arguments.filter((a) => a.required).map((a) => a.choices?.[0] ?? 'x');
    const words = [...path, ...argv, ...required];
    await root.parseAsync(words, { from: 'user' });
    expect(seen).toEqual(repeatable ? [first, second ?? first] : twice ? (second ?? first) : first);
  });

  it('each command the grammar has runs its own action, never another', async () => {
    for (const [path, spec] of SPECS) {
      if (spec.commands.length > 0 && path.length > 0) continue; // repo, config: only a list of commands
      const root = program();
      const ran: string[] = [];
      for (const [p] of SPECS) {
        const c = commandAt(root, p);
        if (c.commands.length === 0 || p.length === 0) c.action(() => void ran.push(p.join(' ')));
      }
      const args = spec.arguments.filter((a) => a.required).map((a) => a.choices?.[0] ?? 'x');
      await root.parseAsync([...path, ...args], { from: 'user' });
      expect(ran).toEqual([path.join(' ')]);
    }
  });
});

describe('what the hot path reads comes from the grammar', () => {
  it("SUBCOMMANDS is the program's subcommands", () => {
    expect(SUBCOMMANDS).toEqual(new Set(program().commands.map((c) => c.name())));
    expect(SUBCOMMANDS).toEqual(subcommandNames(GRAMMAR));
  });

  it('a subcommand added to the grammar is refused as a command to run inside', () => {
    const frobnicate: CommandSpec = {
      name: 'frobnicate',
      description: 'new',
      globalOptions: true,
      arguments: [],
      options: [],
      commands: [],
    };
    const grown = subcommandNames({ ...GRAMMAR, commands: [...GRAMMAR.commands, frobnicate] });
    // Before it is in the grammar, `toolbox frobnicate` runs frobnicate inside the toolbox ...
    expect(fastRunArgv(['frobnicate'], SUBCOMMANDS)).toEqual({ flags: {}, command: ['frobnicate'] });
    // ... and once it is, the hot path leaves it to commander, with or without options before it.
    expect(fastRunArgv(['frobnicate'], grown)).toBeUndefined();
    expect(fastRunArgv(['-c', 'x', 'frobnicate'], grown)).toBeUndefined();
    // `run frobnicate` and `-- frobnicate` still run it inside.
    expect(fastRunArgv(['run', 'frobnicate'], grown)).toEqual({ flags: {}, command: ['frobnicate'] });
    expect(fastRunArgv(['--', 'frobnicate'], grown)).toEqual({ flags: {}, command: ['frobnicate'] });
  });

  it('VALUE_OPTIONS is every spelling of a program option that takes a value', () => {
    const fromCommander = program()
      .options.filter((o) => o.required || o.optional)
      .flatMap((o) => [o.short, o.long].filter((s) => s !== undefined));
    expect(VALUE_OPTIONS).toEqual(new Set(fromCommander));
    expect(VALUE_OPTIONS).toEqual(valueOptions(GRAMMAR));
    // A value option added to the program's grammar is skipped by the `--` router.
    const grown = valueOptions({ ...GRAMMAR, options: [{ long: '--zone', value: 'z', description: 'new' }] });
    expect(routeDoubleDash(['--zone', 'z', '--', 'rm'], grown)).toEqual(['--zone', 'z', 'run', '--', 'rm']);
    expect(routeDoubleDash(['--zone', 'z', '--', 'rm'], VALUE_OPTIONS)).toEqual(['--zone', 'z', '--', 'rm']);
  });

  it("the list reader takes exactly list's switches, each spelling of each", () => {
    const list = findCommand(['list'])!;
    const spellings = list.options.flatMap((o) => (o.value ? [] : [o.short, o.long]).filter((s) => s !== undefined));
    expect(spellings).toEqual(['-a', '--all', '--json']);
    for (const s of spellings) expect(fastListArgv(['list', s])).toBeDefined();
    expect(fastListArgv(['list', '-a'])).toEqual({ json: false, all: true });
    expect(fastListArgv(['list', '--json'])).toEqual({ json: true, all: false });
    // A global option, though list accepts it, goes to commander.
    for (const g of GLOBAL_OPTIONS) expect(fastListArgv(['list', g.long])).toBeUndefined();
  });
});

describe('one constant per choice set', () => {
  const option = (long: string) => GLOBAL_OPTIONS.find((o) => o.long === long)!;

  it('--engine and --exec offer the settings rules own lists', () => {
    expect(option('--engine').choices).toBe(ENGINES);
    expect(option('--exec').choices).toBe(EXEC_PATHS);
  });

  it('completion offers SHELLS, and names them in its description', () => {
    const completion = findCommand(['completion'])!;
    expect(completion.arguments[0]!.choices).toBe(SHELLS);
    expect(completion.description).toBe('print a shell completion script (bash, zsh or fish)');
  });

  it("collect's --profile names every profile", () => {
    const profile = findCommand(['collect'])!.options.find((o) => o.long === '--profile')!;
    expect(profile.description).toBe(`what to collect: ${ALL_PROFILES.join(', ')} (repeatable; default: all)`);
    expect(ALL_PROFILES).toEqual(['basic', 'network', 'storage', 'updates', 'custom']);
  });

  it('argument usage is as help writes it', () => {
    expect(findCommand(['install'])!.arguments.map(argumentUsage)).toEqual(['<PKG...>']);
    expect(GRAMMAR.arguments.map(argumentUsage)).toEqual(['[CMD...]']);
  });
});
