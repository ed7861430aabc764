// A tmux server of a test's own: its socket is the test's, and it runs with the test's sealed
// environment, so never the caller's server, environment or ~/.tmux.conf.
import { spawnSync, type SpawnSyncReturns } from 'node:child_process';

export class Tmux {
  constructor(
    readonly socket: string,
    private readonly env: NodeJS.ProcessEnv,
  ) {}

  run(...args: string[]): SpawnSyncReturns<string> {
    return spawnSync('tmux', ['-S', this.socket, ...args], { encoding: 'utf8', env: this.env });
  }

  /**
   * A detached 120x30 xterm session running `command` through sh, with the sealed environment
   * given to the session too (a server already running keeps the environment it started with).
   */
  start(session: string, command: string): SpawnSyncReturns<string> {
    const envArgs = Object.entries(this.env).flatMap(([k, v]) => ['-e', `${k}=${v ?? ''}`]);
    return this.run(
      'new-session',
      '-d',
      '-s',
      session,
      '-x',
      '120',
      '-y',
      '30',
      ...envArgs,
      '-e',
      'TERM=xterm',
      'sh',
      '-c',
      command,
    );
  }

  screen(session: string): string {
    return this.run('capture-pane', '-p', '-t', session).stdout;
  }
}
