// The command line. microos-toolbox's forms keep working: options before or after the
// subcommand, and `toolbox [options] [CMD...]` runs CMD (or a shell). In the default form and
// in `run`, options end at the first word that is not an option, or at `--`.
import { Argument, Command } from 'commander';
import { UsageError } from '../core/errors.js';
import { EXTRA_ARGS_RULE } from '../engine/create-args.js';
import { addGlobalOptions, flagsOf } from './options.js';
import { VERSION } from './version.js';

export type Outcome = {
  exitCode: number;
  /** the (sub)command being parsed or run, for errors that point to its help */
  command?: Command;
};

export function buildProgram(outcome: Outcome, writeErr: (text: string) => void): Command {
  const program = new Command('toolbox');
  program
    .description('A persistent, privileged toolbox container for debugging immutable hosts (openSUSE MicroOS)')
    .usage('[options] [CMD...]\n       toolbox <command> [options]')
    .version(VERSION, '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .enablePositionalOptions()
    .passThroughOptions()
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({ writeErr, outputError: (text) => writeErr(text) })
    .argument('[CMD...]', 'command to run in the toolbox (default: a login shell)');
  addGlobalOptions(program);
  program.addHelpText(
    'after',
    `
Examples:
  toolbox                     a root shell in toolbox-$USER (created on first use)
  toolbox ls -la /media/root  run a command; the host's root is at /media/root
  toolbox run -c dbg -- grep -n x /etc/fstab
  toolbox -u                  user mode: yourself, your home, rootless
  toolbox list --json
  toolbox help repo add       help for one command

${EXTRA_ARGS_RULE}.
Unlike microos-toolbox, subcommands do not switch to user mode: use -u.`,
  );
  const done = (p: Promise<number>) => p.then((code) => void (outcome.exitCode = code));

  program.action((cmd: string[], _o, self: Command) =>
    done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), cmd))),
  );

  addGlobalOptions(program.command('run').description('run a command in the toolbox (a shell when none is given)'))
    .argument('[CMD...]', 'the command and its arguments')
    .passThroughOptions()
    .action((cmd: string[], _o, self: Command) =>
      done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), cmd))),
    );

  addGlobalOptions(program.command('enter').description('enter the toolbox with a login shell (created if missing)'))
    .argument('[NAME]', 'the toolbox')
    .action((name: string | undefined, _o, self: Command) =>
      done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), [], name))),
    );

  addGlobalOptions(program.command('create').description('create the toolbox and start it'))
    .argument('[NAME]', 'the toolbox')
    .action((name: string | undefined, _o, self: Command) =>
      done(import('./commands/create.js').then((m) => m.createCommand(flagsOf(self), name))),
    );

  addGlobalOptions(program.command('list').description('list toolboxes (only containers made by toolbox)'))
    .option('-a, --all', 'also list the generations kept by upgrade and rollback')
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean; all?: boolean }, self: Command) =>
      done(import('./commands/manage.js').then((m) => m.listCommand(flagsOf(self), o.json === true, o.all === true))),
    );

  addGlobalOptions(program.command('stop').description('stop the toolbox (refused while sessions are active)'))
    .argument('[NAME]', 'the toolbox')
    .option('-f, --force', 'stop even with active sessions')
    .action((name: string | undefined, o: { force?: boolean }, self: Command) =>
      done(import('./commands/manage.js').then((m) => m.stopCommand(flagsOf(self), name, o.force === true))),
    );

  addGlobalOptions(
    program
      .command('rm')
      .description('remove the toolbox and its kept generations (never a container that is not a toolbox)'),
  )
    .argument('[NAME]', 'the toolbox')
    .option('-f, --force', 'remove even when running')
    .action((name: string | undefined, o: { force?: boolean }, self: Command) =>
      done(import('./commands/manage.js').then((m) => m.rmCommand(flagsOf(self), name, o.force === true))),
    );

  type Rec = { recommends?: boolean };
  addGlobalOptions(
    program
      .command('install')
      .description('install packages in the toolbox with zypper, and keep them across upgrades'),
  )
    .argument('<PKG...>', 'package names')
    .option('--recommends', 'also install recommended packages (config key: recommends)')
    .option('--no-recommends', 'do not install recommended packages (the default)')
    .option('--json', 'print {installed, alreadyPresent, failed} as JSON')
    .action((pkgs: string[], o: Rec & { json?: boolean }, self: Command) =>
      done(
        import('./commands/tools.js').then((m) =>
          m.installCommand(flagsOf(self), pkgs, { json: o.json === true, recommends: o.recommends }),
        ),
      ),
    );

  addGlobalOptions(
    program.command('remove').description('remove packages from the toolbox and from its declared tools'),
  )
    .argument('<PKG...>', 'package names')
    .option('--json', 'print {removed, notInstalled} as JSON')
    .action((pkgs: string[], o: { json?: boolean }, self: Command) =>
      done(import('./commands/tools.js').then((m) => m.removeCommand(flagsOf(self), pkgs, { json: o.json === true }))),
    );

  addGlobalOptions(program.command('search').description("search the toolbox's repositories for packages"))
    .argument('<TERM>', 'what to look for')
    .action((term: string, _o, self: Command) =>
      done(import('./commands/tools.js').then((m) => m.searchCommand(flagsOf(self), term))),
    );

  addGlobalOptions(
    program
      .command('update')
      .description('update the packages in the toolbox (zypper update; --dist: zypper dist-upgrade)'),
  )
    .option('--dist', 'distribution upgrade (zypper dup)')
    .option('--recommends', 'also install recommended packages')
    .option('--no-recommends', 'do not install recommended packages (the default)')
    .action((o: Rec & { dist?: boolean }, self: Command) =>
      done(
        import('./commands/tools.js').then((m) =>
          m.updateCommand(flagsOf(self), { dist: o.dist === true, recommends: o.recommends }),
        ),
      ),
    );

  addGlobalOptions(program.command('tools').description('show the declared tools and repositories of a toolbox'))
    .argument('[NAME]', 'the toolbox')
    .option('--json', 'print a JSON object')
    .action((name: string | undefined, o: { json?: boolean }, self: Command) =>
      done(import('./commands/tools.js').then((m) => m.toolsCommand(flagsOf(self), name, { json: o.json === true }))),
    );

  addGlobalOptions(
    program
      .command('upgrade')
      .description('rebuild the toolbox from the newest image as its next generation; the previous one is kept'),
  )
    .argument('[NAME]', 'the toolbox')
    .option('-f, --force', 'upgrade even with active sessions (they end)')
    .option('--keep <N>', 'how many previous generations to keep (default 1; config key: keep)')
    .option('--check', 'only say whether a newer image exists: exit 0 up to date, 100 upgrade available')
    .option('--recommends', 'also install recommended packages')
    .option('--no-recommends', 'do not install recommended packages (the default)')
    .option('--json', 'print the result as JSON')
    .action(
      (
        name: string | undefined,
        o: Rec & { force?: boolean; json?: boolean; check?: boolean; keep?: string },
        self: Command,
      ) =>
        done(
          import('./commands/upgrade.js').then((m) =>
            m.upgradeCommand(flagsOf(self), name, {
              force: o.force === true,
              json: o.json === true,
              recommends: o.recommends,
              check: o.check === true,
              keep: o.keep,
            }),
          ),
        ),
    );

  addGlobalOptions(
    program
      .command('rollback')
      .description('make the previous generation (or --to GEN) the toolbox again; the current one is kept'),
  )
    .argument('[NAME]', 'the toolbox')
    .option('--to <GEN>', 'the generation to bring back (see toolbox list --all)')
    .option('-f, --force', 'roll back even with active sessions (they end)')
    .option('--json', 'print the result as JSON')
    .action((name: string | undefined, o: { force?: boolean; json?: boolean; to?: string }, self: Command) =>
      done(
        import('./commands/upgrade.js').then((m) =>
          m.rollbackCommand(flagsOf(self), name, { force: o.force === true, json: o.json === true, to: o.to }),
        ),
      ),
    );

  const repo = program.command('repo').description('package repositories of a toolbox');
  addGlobalOptions(
    repo.command('add').description('add a signed repository (its key is trusted only when named with --key)'),
  )
    .argument('<ALIAS>', 'a short name for the repository')
    .argument('<URL>', 'the repository URL')
    .option('--key <PATH_OR_URL>', "the repository's public key to trust (a file or an http(s) URL)")
    .action((alias: string, url: string, o: { key?: string }, self: Command) =>
      done(import('./commands/repo.js').then((m) => m.repoAddCommand(flagsOf(self), alias, url, { key: o.key }))),
    );
  addGlobalOptions(repo.command('list').description('list the repositories added with repo add'))
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }, self: Command) =>
      done(import('./commands/repo.js').then((m) => m.repoListCommand(flagsOf(self), { json: o.json === true }))),
    );
  addGlobalOptions(repo.command('remove').description('remove a repository'))
    .argument('<ALIAS>', 'the repository')
    .action((alias: string, _o, self: Command) =>
      done(import('./commands/repo.js').then((m) => m.repoRemoveCommand(flagsOf(self), alias))),
    );

  addGlobalOptions(
    program.command('collect').description("gather the host's diagnostics into a support bundle (.tar.gz)"),
  )
    .option('-o, --out <path>', 'the bundle file, or a directory to put it in (default: the current directory)')
    .option(
      '--profile <name>',
      `what to collect: ${['basic', 'network', 'storage', 'updates', 'custom'].join(', ')} (repeatable; default: all)`,
      (v: string, prev: string[] = []) => [...prev, v],
    )
    .option('--timeout <seconds>', 'how long each command may run (default: 30)')
    .option('--json', 'print a JSON summary instead of the bundle path')
    .option(
      '--host-pid <pid>',
      "reach the host through this process's namespaces and root (default: PID 1 and /media/root)",
    )
    .option(
      '--max-output <size>',
      'the most to keep of each output, e.g. 512K, 64M, 1G (default: 64M); the rest is dropped and the cut recorded',
    )
    .addHelpText(
      'after',
      '\nCustom collectors: "collectors" in config.json, e.g. [{"name": "lsmod", "command": ["lsmod"], "timeout": 10}].',
    )
    .action(
      (
        o: { out?: string; profile?: string[]; timeout?: string; json?: boolean; hostPid?: string; maxOutput?: string },
        self: Command,
      ) => done(import('./commands/collect.js').then((m) => m.collectCommand(flagsOf(self), o))),
    );

  const config = program.command('config').description("read and change toolbox's settings");
  config
    .command('get')
    .argument('<KEY>')
    .description('print a stored setting (exit 1 when unset)')
    .action((k: string) => done(import('./commands/config.js').then((m) => m.configGet(k))));
  config
    .command('set')
    .argument('<KEY>')
    .argument('<VALUE>')
    .description('store a setting')
    .action((k: string, v: string) => done(import('./commands/config.js').then((m) => m.configSet(k, v))));
  config
    .command('unset')
    .argument('<KEY>')
    .description('remove a stored setting')
    .action((k: string) => done(import('./commands/config.js').then((m) => m.configUnset(k))));
  config
    .command('list')
    .option('--json', 'print a JSON object')
    .description('print stored settings')
    .action((o: { json?: boolean }) => done(import('./commands/config.js').then((m) => m.configList(o.json === true))));
  config
    .command('path')
    .description('print the config file path')
    .action(() => done(import('./commands/config.js').then((m) => Promise.resolve(m.configPath()))));

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<SHELL>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText(
      'after',
      '\nInstall, e.g.: toolbox completion bash > ~/.local/share/bash-completion/completions/toolbox',
    )
    .action((which: 'bash' | 'zsh' | 'fish') =>
      done(import('./commands/completion.js').then((m) => m.completionCommand(program, which))),
    );
  // For the completion scripts only: toolbox names, one a line.
  addGlobalOptions(program.command('__names', { hidden: true })).action((_o, self: Command) =>
    done(import('./commands/completion.js').then((m) => m.namesCommand(flagsOf(self)))),
  );

  // `toolbox help [COMMAND...]` shows help, never runs `help` in a toolbox. (commander adds no
  // help command of its own to a program that has an action.)
  program
    .helpCommand(false)
    .command('help')
    .description('show help for toolbox, or for one of its commands')
    .argument('[COMMAND...]', 'the command, e.g. repo add')
    .action((words: string[]) => {
      let target: Command = program;
      for (const word of words) {
        const next = (target.commands as Command[]).find((c) => c.name() === word);
        if (!next)
          throw new UsageError(`no such command: toolbox ${words.join(' ')}`, "run 'toolbox help' for the list");
        target = next;
      }
      target.outputHelp();
    });

  // Remembers which command is being parsed, so a usage error can point to that command's help.
  const track = (cmd: Command): void => {
    if (cmd.commands.length === 0) return;
    cmd.hook('preSubcommand', (_parent, sub) => void (outcome.command = sub));
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
    const a = argv[i]!;
    if (a === '--') return [...argv.slice(0, i), 'run', ...argv.slice(i)];
    if (!a.startsWith('-') || a === '-') return argv;
    if (valueOptions.has(a)) i++;
  }
  return argv;
}

export { VALUE_OPTIONS } from './global-options.js';
