// The command line. microos-toolbox's forms keep working: options before or after the
// subcommand, and `toolbox [options] [CMD...]` runs CMD (or a shell). In the default form and
// in `run`, options end at the first word that is not an option, or at `--`.
import { Argument, Command } from 'commander';
import { addGlobalOptions, flagsOf } from './options.js';
import { VERSION } from './version.js';

export type Outcome = { exitCode: number };

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

Unlike microos-toolbox, subcommands do not switch to user mode: use -u.`,
  );
  const done = (p: Promise<number>) => p.then((code) => void (outcome.exitCode = code));

  program.action((cmd: string[], _o, self: Command) => done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), cmd))));

  addGlobalOptions(program.command('run').description('run a command in the toolbox (a shell when none is given)'))
    .argument('[CMD...]', 'the command and its arguments')
    .passThroughOptions()
    .action((cmd: string[], _o, self: Command) => done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), cmd))));

  addGlobalOptions(program.command('enter').description('enter the toolbox with a login shell (created if missing)'))
    .argument('[NAME]', 'the toolbox')
    .action((name: string | undefined, _o, self: Command) => done(import('./commands/run.js').then((m) => m.runCommand(flagsOf(self), [], name))));

  addGlobalOptions(program.command('create').description('create the toolbox and start it'))
    .argument('[NAME]', 'the toolbox')
    .action((name: string | undefined, _o, self: Command) => done(import('./commands/create.js').then((m) => m.createCommand(flagsOf(self), name))));

  addGlobalOptions(program.command('list').description('list toolboxes (only containers made by toolbox)'))
    .option('--json', 'print a JSON array')
    .action((o: { json?: boolean }, self: Command) => done(import('./commands/manage.js').then((m) => m.listCommand(flagsOf(self), o.json === true))));

  addGlobalOptions(program.command('stop').description('stop the toolbox (refused while sessions are active)'))
    .argument('[NAME]', 'the toolbox')
    .option('-f, --force', 'stop even with active sessions')
    .action((name: string | undefined, o: { force?: boolean }, self: Command) =>
      done(import('./commands/manage.js').then((m) => m.stopCommand(flagsOf(self), name, o.force === true))),
    );

  addGlobalOptions(program.command('rm').description('remove the toolbox (never a container that is not a toolbox)'))
    .argument('[NAME]', 'the toolbox')
    .option('-f, --force', 'remove even when running')
    .action((name: string | undefined, o: { force?: boolean }, self: Command) =>
      done(import('./commands/manage.js').then((m) => m.rmCommand(flagsOf(self), name, o.force === true))),
    );

  addGlobalOptions(program.command('collect').description("gather the host's diagnostics into a support bundle (.tar.gz)"))
    .option('-o, --out <path>', 'the bundle file, or a directory to put it in (default: the current directory)')
    .option('--profile <name>', `what to collect: ${['basic', 'network', 'storage', 'updates', 'custom'].join(', ')} (repeatable; default: all)`, (v: string, prev: string[] = []) => [...prev, v])
    .option('--timeout <seconds>', 'how long each command may run (default: 30)')
    .option('--json', 'print a JSON summary instead of the bundle path')
    .option('--host-pid <pid>', "reach the host through this process's namespaces and root (default: PID 1 and /media/root)")
    .addHelpText('after', '\nCustom collectors: "collectors" in config.json, e.g. [{"name": "lsmod", "command": ["lsmod"], "timeout": 10}].')
    .action((o: { out?: string; profile?: string[]; timeout?: string; json?: boolean; hostPid?: string }, self: Command) =>
      done(import('./commands/collect.js').then((m) => m.collectCommand(flagsOf(self), o))),
    );

  const config = program.command('config').description("read and change toolbox's settings");
  config.command('get').argument('<KEY>').description('print a stored setting (exit 1 when unset)').action((k: string) => done(import('./commands/config.js').then((m) => m.configGet(k))));
  config.command('set').argument('<KEY>').argument('<VALUE>').description('store a setting').action((k: string, v: string) => done(import('./commands/config.js').then((m) => m.configSet(k, v))));
  config.command('unset').argument('<KEY>').description('remove a stored setting').action((k: string) => done(import('./commands/config.js').then((m) => m.configUnset(k))));
  config.command('list').option('--json', 'print a JSON object').description('print stored settings').action((o: { json?: boolean }) => done(import('./commands/config.js').then((m) => m.configList(o.json === true))));
  config.command('path').description('print the config file path').action(() => done(import('./commands/config.js').then((m) => Promise.resolve(m.configPath()))));

  program
    .command('completion')
    .description('print a shell completion script (bash, zsh or fish)')
    .addArgument(new Argument('<SHELL>', 'the shell').choices(['bash', 'zsh', 'fish']))
    .addHelpText('after', '\nInstall, e.g.: toolbox completion bash > ~/.local/share/bash-completion/completions/toolbox')
    .action((shell: 'bash' | 'zsh' | 'fish') => done(import('./commands/completion.js').then((m) => m.completionCommand(program, shell))));
  // For the completion scripts only: toolbox names, one a line.
  addGlobalOptions(program.command('__names', { hidden: true }))
    .action((_o, self: Command) => done(import('./commands/completion.js').then((m) => m.namesCommand(flagsOf(self)))));

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

export const VALUE_OPTIONS: ReadonlySet<string> = new Set([
  '-c', '--container', '-t', '--tag', '-i', '--image', '-R', '--reg', '-I', '--img', '-X', '--runtime', '--podman-args', '--engine', '--exec',
]);
