// Every subcommand name. The hot path must never mistake one for a command to run inside, so
// this list is checked against the commander program by a unit test: add new commands here too.
export const SUBCOMMANDS: ReadonlySet<string> = new Set([
  'run',
  'enter',
  'create',
  'list',
  'stop',
  'rm',
  'config',
  'collect',
  'completion',
  '__names',
  'help',
  'install',
  'remove',
  'search',
  'update',
  'repo',
  'tools',
  'upgrade',
  'rollback',
]);
