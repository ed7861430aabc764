// On a systemd host, transactional-update runs as a transient unit: it then survives the
// toolbox stopping and the terminal closing, and its lines go to the journal, which we follow.
import type { HostPort } from './host-access.js';

export const UNIT_PREFIX = 'host-update-';

export interface RunResult {
  exitCode: number;
  output: string;
}

export function unitName(now: Date = new Date(), pid: number = process.pid): string {
  const stamp = now.toISOString().replace(/[-:T]/g, '').slice(0, 14);
  return `${UNIT_PREFIX}${stamp}-${pid}.service`;
}

export function systemdRunArgv(unit: string, argv: readonly string[]): string[] {
  return [
    'systemd-run',
    `--unit=${unit}`,
    '--collect',
    '--wait',
    '--service-type=exec',
    `--description=host-update: ${argv.join(' ')}`,
    '--',
    ...argv,
  ];
}

export function followArgv(unit: string): string[] {
  return ['journalctl', '--follow', '--lines=all', '--output=cat', `--unit=${unit}`];
}

/** systemd-run --wait ends with "Main processes terminated with: code=exited/status=N". */
export function unitExitCode(systemdRunStderr: string, fallback: number): number {
  const m = /status=(\d+)/.exec(systemdRunStderr);
  return m ? Number(m[1]) : fallback;
}

export async function runAsUnit(
  host: HostPort,
  argv: readonly string[],
  relay: (chunk: string) => void,
): Promise<RunResult> {
  const unit = unitName();
  const shown = tracking(relay);
  // Following starts before the unit does, so no line is missed.
  const follow = host.stream(followArgv(unit), shown.relay, { stoppable: true });
  const run = await host.capture(systemdRunArgv(unit, argv));
  return finish(host, unit, follow, shown, unitExitCode(run.stderr, run.exitCode));
}

/** Follows a running host-update unit until it ends. */
export async function attachToUnit(
  host: HostPort,
  unit: string,
  relay: (chunk: string) => void,
  pause: () => Promise<void>,
): Promise<RunResult> {
  const shown = tracking(relay);
  const follow = host.stream(followArgv(unit), shown.relay, { stoppable: true });
  for (;;) {
    const state = (await host.capture(['systemctl', 'is-active', unit])).stdout.trim();
    if (state !== 'active' && state !== 'activating' && state !== 'reloading') break;
    await pause();
  }
  // The unit is collected when it ends, so its exit code is gone: the journal and the snapshots tell.
  return finish(host, unit, follow, shown, 0);
}

/** Remembers what was relayed, so the lines the follower had not shown yet can be shown at the end. */
function tracking(relay: (chunk: string) => void) {
  let text = '';
  return {
    relay: (chunk: string) => {
      text += chunk;
      relay(chunk);
    },
    rest(full: string): string {
      return full.startsWith(text) ? full.slice(text.length) : '';
    },
  };
}

async function finish(
  host: HostPort,
  unit: string,
  follow: { kill(): void; done: Promise<number> },
  shown: ReturnType<typeof tracking>,
  exitCode: number,
): Promise<RunResult> {
  follow.kill();
  await follow.done.catch(() => 0);
  // journald may still hold the last lines it received; have it write them before reading.
  await host.capture(['journalctl', '--sync']);
  // The whole journal of the unit, not what the follower happened to print, is what we judge.
  const journal = await host.capture(['journalctl', '--no-pager', '--output=cat', `--unit=${unit}`]);
  const rest = shown.rest(journal.stdout);
  if (rest) shown.relay(rest);
  return { exitCode, output: journal.stdout };
}

export async function runningUnits(host: HostPort): Promise<string[]> {
  const r = await host.capture([
    'systemctl',
    'list-units',
    '--plain',
    '--no-legend',
    '--state=active,activating',
    `${UNIT_PREFIX}*.service`,
  ]);
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/)[0] ?? '')
    .filter((u) => u.startsWith(UNIT_PREFIX));
}
