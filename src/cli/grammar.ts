// The command line's grammar, written once, as data: every command, its arguments and its options.
// commander's program (program.ts) is built from it, and the hot path's readers (fast-argv.ts)
// and the `--` router read it directly; --help, the man pages and the completions come from the
// commander program (command-tree.ts). It imports neither commander nor anything
// heavy, because `toolbox run` and `toolbox list` read it before deciding whether commander is
// needed at all.
import { ALL_PROFILES } from '../core/collect/profile-names.js';
import { wordList } from '../core/settings/setting-rules.js';
import { EXTRA_ARGS_RULE } from '../engine/create-args.js';
import { GLOBAL_OPTIONS } from './global-options.js';
import type { OptionSpec } from './option-spec.js';

export type { OptionSpec };

export interface ArgumentSpec {
  name: string;
  required: boolean;
  /** takes every remaining word */
  variadic: boolean;
  choices?: readonly string[];
  description?: string;
}

export interface CommandSpec {
  name: string;
  description: string;
  /** the usage line, when commander's own would not do */
  usage?: string;
  /** whether the options every toolbox command accepts (global-options.ts) come first */
  globalOptions: boolean;
  /** options end at the first argument, which with all after it goes to the command (run) */
  passThroughOptions?: boolean;
  /** left out of help, man pages and completions (__names is for the completion scripts) */
  hidden?: boolean;
  arguments: readonly ArgumentSpec[];
  /** the command's own options, after the global ones */
  options: readonly OptionSpec[];
  /** what --help prints after the generated part */
  afterHelp?: string;
  commands: readonly CommandSpec[];
}

/** The shells `toolbox completion` writes a script for. */
export const SHELLS = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELLS)[number];
export const isShell = (word: string): word is Shell => (SHELLS as readonly string[]).includes(word);

/** The program's own options, before the global ones (commander adds them its own way). */
export const VERSION_OPTION: OptionSpec = {
  long: '--version',
  description: 'print the version (with --verbose or --json: the commit, Node.js and architecture too)',
};
export const HELP_OPTION: OptionSpec = { short: '-h', long: '--help', description: 'show help' };

const THE_TOOLBOX: ArgumentSpec = { name: 'NAME', required: false, variadic: false, description: 'the toolbox' };
const PACKAGES: ArgumentSpec = { name: 'PKG', required: true, variadic: true, description: 'package names' };
const KEY: ArgumentSpec = { name: 'KEY', required: true, variadic: false };

const json = (description: string): OptionSpec => ({ long: '--json', description });
const force = (description: string): OptionSpec => ({ short: '-f', long: '--force', description });
/** --recommends and its negation, which together leave the value unset when neither is given. */
const recommends = (description: string): OptionSpec[] => [
  { long: '--recommends', description },
  { long: '--no-recommends', description: 'do not install recommended packages (the default)' },
];

/** A command with the global options and neither arguments nor options nor subcommands of its own yet. */
const command = (name: string, description: string, more: Partial<CommandSpec> = {}): CommandSpec => ({
  name,
  description,
  globalOptions: true,
  arguments: [],
  options: [],
  commands: [],
  ...more,
});

const ROOT_AFTER_HELP = `
Examples:
  toolbox                     a root shell in toolbox-$USER (created on first use)
  toolbox ls -la /media/root  run a command; the host's root is at /media/root
  toolbox run -c dbg -- grep -n x /etc/fstab
  toolbox -u                  user mode: yourself, your home, rootless
  toolbox list --json
  toolbox help repo add       help for one command

${EXTRA_ARGS_RULE}.
Unlike microos-toolbox, subcommands do not switch to user mode: use -u.`;

const EXPORT_AFTER_HELP = `
Examples:
  toolbox install strace && toolbox export strace   then 'strace -p 1' on the host runs it in the toolbox
  toolbox install --export tcpdump                  the same in one step, for every command of the package
  toolbox export --list
  toolbox unexport strace

A wrapper passes every argument exactly, streams stdin, stdout and stderr, gives the tool's exit
code, and runs it in the caller's directory (under /media/root in system mode). It follows the
toolbox across rename, upgrade and rollback; toolbox rm removes it. Never replaced: a file toolbox
did not write. Refused without --force: a name the host already has on its PATH.`;

export const GRAMMAR: CommandSpec = command(
  'toolbox',
  'A persistent, privileged toolbox container for debugging immutable hosts (openSUSE MicroOS)',
  {
    usage: '[options] [CMD...]\n       toolbox <command> [options]',
    passThroughOptions: true,
    arguments: [
      {
        name: 'CMD',
        required: false,
        variadic: true,
        description: 'command to run in the toolbox (default: a login shell)',
      },
    ],
    afterHelp: ROOT_AFTER_HELP,
    commands: [
      command('run', 'run a command in the toolbox (a shell when none is given)', {
        passThroughOptions: true,
        arguments: [{ name: 'CMD', required: false, variadic: true, description: 'the command and its arguments' }],
      }),
      command('enter', 'enter the toolbox with a login shell (created if missing)', { arguments: [THE_TOOLBOX] }),
      command('create', 'create the toolbox and start it', { arguments: [THE_TOOLBOX] }),
      command('list', 'list toolboxes (only containers made by toolbox)', {
        options: [
          { short: '-a', long: '--all', description: 'also list the generations kept by upgrade and rollback' },
          json('print a JSON array'),
        ],
      }),
      command('stop', 'stop the toolbox (refused while sessions are active)', {
        arguments: [THE_TOOLBOX],
        options: [force('stop even with active sessions')],
      }),
      command('rm', 'remove the toolbox and its kept generations (never a container that is not a toolbox)', {
        arguments: [THE_TOOLBOX],
        options: [force('remove even when running')],
      }),
      command('install', 'install packages in the toolbox with zypper, and keep them across upgrades', {
        arguments: [PACKAGES],
        options: [
          ...recommends('also install recommended packages (config key: recommends)'),
          { long: '--export', description: "also export the packages' commands to the host (see toolbox export)" },
          json('print {installed, alreadyPresent, failed} as JSON'),
        ],
      }),
      command('remove', 'remove packages from the toolbox and from its declared tools', {
        arguments: [PACKAGES],
        options: [json('print {removed, notInstalled} as JSON')],
      }),
      command('search', "search the toolbox's repositories for packages", {
        arguments: [{ name: 'TERM', required: true, variadic: false, description: 'what to look for' }],
      }),
      command('update', 'update the packages in the toolbox (zypper update; --dist: zypper dist-upgrade)', {
        options: [
          { long: '--dist', description: 'distribution upgrade (zypper dup)' },
          ...recommends('also install recommended packages'),
        ],
      }),
      command('tools', 'show the declared tools and repositories of a toolbox', {
        arguments: [THE_TOOLBOX],
        options: [json('print a JSON object')],
      }),
      command('upgrade', 'rebuild the toolbox from the newest image as its next generation; the previous one is kept', {
        arguments: [THE_TOOLBOX],
        options: [
          force('upgrade even with active sessions (they end)'),
          {
            long: '--keep',
            value: 'N',
            description: 'how many previous generations to keep (default 1; config key: keep)',
          },
          {
            long: '--check',
            description: 'only say whether a newer image exists: exit 0 up to date, 100 upgrade available',
          },
          ...recommends('also install recommended packages'),
          json('print the result as JSON'),
        ],
      }),
      command('rollback', 'make the previous generation (or --to GEN) the toolbox again; the current one is kept', {
        arguments: [THE_TOOLBOX],
        options: [
          { long: '--to', value: 'GEN', description: 'the generation to bring back (see toolbox list --all)' },
          force('roll back even with active sessions (they end)'),
          json('print the result as JSON'),
        ],
      }),
      command(
        'export',
        'make tools of the toolbox callable on the host (wrappers in /usr/local/bin, ~/.local/bin with -u)',
        {
          arguments: [
            {
              name: 'TOOL',
              required: false,
              variadic: true,
              description: 'a command name in the toolbox, or its full path inside',
            },
          ],
          options: [
            { long: '--list', description: 'list the exported commands instead' },
            {
              long: '--dir',
              value: 'DIR',
              description: 'write the wrappers to DIR instead (remembered for --list, unexport and rm)',
            },
            { long: '--as', value: 'NAME', description: "the command's name on the host (one tool)" },
            force('export even when the host has a command of that name elsewhere on its PATH'),
            json('print the result as JSON'),
          ],
          afterHelp: EXPORT_AFTER_HELP,
        },
      ),
      command('unexport', 'remove exported commands from the host (only wrappers toolbox wrote)', {
        arguments: [{ name: 'NAME', required: true, variadic: true, description: 'the exported commands' }],
        options: [{ long: '--dir', value: 'DIR', description: 'only in DIR' }],
      }),
      command('repo', 'package repositories of a toolbox', {
        globalOptions: false,
        commands: [
          command('add', 'add a signed repository (its key is trusted only when named with --key)', {
            arguments: [
              { name: 'ALIAS', required: true, variadic: false, description: 'a short name for the repository' },
              { name: 'URL', required: true, variadic: false, description: 'the repository URL' },
            ],
            options: [
              {
                long: '--key',
                value: 'PATH_OR_URL',
                description: "the repository's public key to trust (a file or an http(s) URL)",
              },
            ],
          }),
          command('list', 'list the repositories added with repo add', { options: [json('print a JSON array')] }),
          command('remove', 'remove a repository', {
            arguments: [{ name: 'ALIAS', required: true, variadic: false, description: 'the repository' }],
          }),
        ],
      }),
      command('collect', "gather the host's diagnostics into a support bundle (.tar.gz)", {
        options: [
          {
            short: '-o',
            long: '--out',
            value: 'path',
            description: 'the bundle file, or a directory to put it in (default: the current directory)',
          },
          // The names are checked by the command, whose error names them all (no commander choices).
          {
            long: '--profile',
            value: 'name',
            repeatable: true,
            description: `what to collect: ${ALL_PROFILES.join(', ')} (repeatable; default: all)`,
          },
          { long: '--timeout', value: 'seconds', description: 'how long each command may run (default: 30)' },
          json('print a JSON summary instead of the bundle path'),
          {
            long: '--host-pid',
            value: 'pid',
            description: "reach the host through this process's namespaces and root (default: PID 1 and /media/root)",
          },
          {
            long: '--max-output',
            value: 'size',
            description:
              'the most to keep of each output, e.g. 512K, 64M, 1G (default: 64M); the rest is dropped and the cut recorded',
          },
        ],
        afterHelp:
          '\nCustom collectors: "collectors" in config.json, e.g. [{"name": "lsmod", "command": ["lsmod"], "timeout": 10}].',
      }),
      command('config', "read and change toolbox's settings", {
        globalOptions: false,
        commands: [
          command('get', 'print a stored setting (exit 1 when unset)', { globalOptions: false, arguments: [KEY] }),
          command('set', 'store a setting', {
            globalOptions: false,
            arguments: [KEY, { name: 'VALUE', required: true, variadic: false }],
          }),
          command('unset', 'remove a stored setting', { globalOptions: false, arguments: [KEY] }),
          command('list', 'print stored settings', { globalOptions: false, options: [json('print a JSON object')] }),
          command('path', 'print the config file path', { globalOptions: false }),
        ],
      }),
      command('completion', `print a shell completion script (${wordList(SHELLS)})`, {
        globalOptions: false,
        arguments: [{ name: 'SHELL', required: true, variadic: false, choices: SHELLS, description: 'the shell' }],
        afterHelp: '\nInstall, e.g.: toolbox completion bash > ~/.local/share/bash-completion/completions/toolbox',
      }),
      // For the completion scripts only: toolbox names, one a line.
      command('__names', '', { hidden: true }),
      // For the wrappers that export writes only (src/cli/commands/export.ts reads the words).
      command('__exported', '', {
        hidden: true,
        globalOptions: false,
        passThroughOptions: true,
        arguments: [{ name: 'WORDS', required: false, variadic: true }],
      }),
      // `toolbox help [COMMAND...]` shows help, never runs `help` in a toolbox.
      command('help', 'show help for toolbox, or for one of its commands', {
        globalOptions: false,
        arguments: [{ name: 'COMMAND', required: false, variadic: true, description: 'the command, e.g. repo add' }],
      }),
    ],
  },
);

/** The options a command accepts, in the order its help lists them. */
export function optionsOf(spec: CommandSpec): readonly OptionSpec[] {
  return spec.globalOptions ? [...GLOBAL_OPTIONS, ...spec.options] : spec.options;
}

/** "-c, --container <name>", as commander takes and help prints an option. */
export function optionFlags(o: OptionSpec): string {
  return `${o.short ? `${o.short}, ` : ''}${o.long}${o.value ? ` <${o.value}>` : ''}`;
}

/** "<PKG...>", "[NAME]": as commander takes and help prints an argument. */
export function argumentUsage(a: ArgumentSpec): string {
  const inner = `${a.name}${a.variadic ? '...' : ''}`;
  return a.required ? `<${inner}>` : `[${inner}]`;
}

/** The command at this path below the root (["repo", "add"]), or undefined. */
export function findCommand(path: readonly string[], root: CommandSpec = GRAMMAR): CommandSpec | undefined {
  let spec: CommandSpec | undefined = root;
  for (const word of path) spec = spec?.commands.find((c) => c.name === word);
  return spec;
}

/** Every word that names a subcommand of the root: none of them may ever run inside a toolbox. */
export function subcommandNames(root: CommandSpec = GRAMMAR): ReadonlySet<string> {
  return new Set(root.commands.map((c) => c.name));
}

/**
 * Every spelling of an option that takes a value, before the first word: what a reader must skip
 * to find the first word (the `--` router).
 */
export function valueOptions(root: CommandSpec = GRAMMAR): ReadonlySet<string> {
  return new Set(optionsOf(root).flatMap((o) => (o.value ? spellings(o) : [])));
}

/** How an option may be written: its short form first, when it has one ("-a", "--all"). */
export function spellings(option: { short?: string; long: string }): string[] {
  return option.short ? [option.short, option.long] : [option.long];
}
