// host-update's command line.
import { Command, Option } from 'commander';
import { UsageError } from '../core/errors.js';
import type { HostPort, TargetOptions } from './host-access.js';
import { speakThroughBoundary } from '../ui/commander-output.js';

export type Outcome = { exitCode: number };

const PKG_ACTIONS: Record<string, string> = {
  install: 'install',
  in: 'install',
  remove: 'remove',
  rm: 'remove',
  update: 'update',
  up: 'update',
};

/** Package names go to zypper as arguments; one that starts with "-" would be read as an option. */
export function checkPackages(packages: string[]): string[] {
  for (const p of packages) {
    if (p.startsWith('-') || p.trim() === '')
      throw new UsageError(`not a package name: ${p}`, 'package names cannot start with "-"');
  }
  return packages;
}

export function buildProgram(
  outcome: Outcome,
  writeErr: (text: string) => void,
  connect: (options: TargetOptions) => HostPort,
): Command {
  const program = speakThroughBoundary(new Command('host-update'), writeErr);
  program
    .description("drive the host's transactional updates (openSUSE MicroOS) from inside a rootful toolbox")
    .helpOption('-h, --help', 'show help')
    .option('--host-pid <pid>', 'enter the namespaces of this process instead of host PID 1 (env TOOLBOX_HOST_PID)')
    .option('--host-root <dir>', 'use a host root mounted at <dir> (as kubectl debug node mounts /host)')
    .addHelpText(
      'after',
      `
Every run passes -n --no-selfupdate to transactional-update, and --drop-if-no-change unless
--keep-unchanged is given. The outcome is checked against the host's snapshots afterwards.

Examples:
  host-update status
  host-update pkg install strace
  host-update up --json
  host-update rollback last && host-update reboot`,
    );

  const host = (self: Command) => {
    const o = self.optsWithGlobals<{ hostPid?: string; hostRoot?: string }>();
    return connect({ hostPid: o.hostPid, hostRoot: o.hostRoot });
  };
  const done = (p: Promise<number>) => p.then((code) => void (outcome.exitCode = code));
  const actions = () => import('./actions.js');
  const json = new Option('--json', 'print the outcome as a JSON object');
  const keep = new Option(
    '--keep-unchanged',
    'keep the new snapshot even when nothing changed (no --drop-if-no-change)',
  );
  const actionOptions = (o: { json?: boolean; keepUnchanged?: boolean }) => ({
    json: o.json === true,
    dropIfNoChange: o.keepUnchanged !== true,
  });

  program
    .command('status')
    .description('the booted, current and default snapshots, the snapshot list, and whether a reboot is needed')
    .addOption(json)
    .action((o: { json?: boolean }, self: Command) =>
      done(import('./status.js').then((m) => m.statusCommand(host(self), o.json === true))),
    );

  for (const [name, tu, what] of [
    ['up', 'up', 'update all packages'],
    ['dup', 'dup', 'upgrade the distribution'],
    ['patch', 'patch', 'apply patches'],
  ] as const) {
    program
      .command(name)
      .description(`${what} in a new snapshot`)
      .addOption(json)
      .addOption(keep)
      .action((o: { json?: boolean; keepUnchanged?: boolean }, self: Command) =>
        done(actions().then((m) => m.updateCommand(host(self), [tu], actionOptions(o)))),
      );
  }

  program
    .command('pkg')
    .description('install, remove or update packages in a new snapshot')
    .argument('<action>', 'install, remove or update')
    .argument('[PKG...]', 'package names')
    .addOption(json)
    .addOption(keep)
    .action((action: string, packages: string[], o: { json?: boolean; keepUnchanged?: boolean }, self: Command) => {
      const verb = PKG_ACTIONS[action];
      if (!verb) throw new UsageError(`unknown pkg action: ${action}`, 'use pkg install, pkg remove or pkg update');
      if (verb !== 'update' && packages.length === 0)
        throw new UsageError(`pkg ${verb} needs at least one package name`, `host-update pkg ${verb} PKG...`);
      return done(
        actions().then((m) => m.updateCommand(host(self), ['pkg', verb, ...checkPackages(packages)], actionOptions(o))),
      );
    });

  program
    .command('rollback')
    .description('make snapshot N (or the last working one) the default for the next boot')
    .argument('[N|last]', 'a snapshot number, or last (the default)')
    .addOption(json)
    .action((n: string | undefined, o: { json?: boolean }, self: Command) =>
      done(actions().then((m) => m.rollbackCommand(host(self), n, actionOptions(o)))),
    );

  program
    .command('cleanup')
    .description('remove snapshots that are no longer needed')
    .addOption(json)
    .action((o: { json?: boolean }, self: Command) =>
      done(actions().then((m) => m.cleanupCommand(host(self), actionOptions(o)))),
    );

  program
    .command('reboot')
    .description('reboot the host (systemd hosts), to activate the default snapshot')
    .addOption(json)
    .action((o: { json?: boolean }, self: Command) =>
      done(import('./host-commands.js').then((m) => m.rebootCommand(host(self), o.json === true))),
    );

  program
    .command('log')
    .description("print transactional-update's log (the journal on systemd hosts)")
    .option('-f, --follow', 'keep printing new lines')
    .option('-n, --lines <n>', 'how many lines', '50')
    .action((o: { follow?: boolean; lines: string }, self: Command) => {
      if (!/^[0-9]+$/.test(o.lines)) throw new UsageError(`not a number of lines: ${o.lines}`, 'give --lines a number');
      return done(
        import('./host-commands.js').then((m) => m.logCommand(host(self), o.follow === true, Number(o.lines))),
      );
    });

  program
    .command('attach')
    .description('follow a transaction that host-update started as a systemd unit, and report its outcome')
    .addOption(json)
    .action((o: { json?: boolean }, self: Command) =>
      done(import('./host-commands.js').then((m) => m.attachCommand(host(self), o.json === true))),
    );

  return program;
}
