// Runs one transactional-update command on the host and judges it by the snapshots it left.
import type { HostPort } from './host-access.js';
import { TransactionFailed } from './outcome.js';
import { err } from './output.js';
import { probeHost, requireTransactional, type HostState } from './probe.js';
import { runAsUnit, type RunResult } from './systemd-unit.js';
import { parseTuOutput, type TuReport } from './tu-output.js';
import { lockRefusal } from './verify-outcome.js';

/** Options first, as transactional-update requires; -n and no self-update on every run. */
export function tuArgv(command: readonly string[], dropIfNoChange: boolean): string[] {
  return [
    'transactional-update',
    '-n',
    '--no-selfupdate',
    ...(dropIfNoChange ? ['--drop-if-no-change'] : []),
    ...command,
  ];
}

// A constant wrapper: SIGPIPE and SIGHUP ignored, so a reader or terminal that goes away makes
// writes fail with EPIPE instead of killing transactional-update mid-snapshot.
const SHIELD = ['sh', '-c', 'trap "" PIPE HUP; exec "$@"', 'transactional-update'];

async function runDirect(host: HostPort, argv: readonly string[], relay: (chunk: string) => void): Promise<RunResult> {
  let output = '';
  const run = host.stream([...SHIELD, ...argv], (chunk) => {
    output += chunk;
    relay(chunk);
  });
  return { exitCode: await run.done, output };
}

export interface Transaction {
  before: HostState;
  after: HostState;
  report: TuReport;
  exitCode: number;
}

export async function checkedHost(host: HostPort): Promise<HostState> {
  const state = await probeHost(host);
  requireTransactional(state);
  return state;
}

export async function runTransaction(
  host: HostPort,
  argv: readonly string[],
  precheck?: (state: HostState) => void,
): Promise<Transaction> {
  const before = await checkedHost(host);
  if (before.lock) throw lockRefusal(before);
  precheck?.(before);
  const relay = (chunk: string) => {
    err.write(chunk);
  };
  const run = before.systemd ? await runAsUnit(host, argv, relay) : await runDirect(host, argv, relay);
  const after = await probeHost(host);
  // Judged against no snapshots at all, every outcome would look wrong: say what is unknown instead.
  if (after.snapperError !== undefined) {
    throw new TransactionFailed(
      `transactional-update exited with code ${run.exitCode}, but its outcome cannot be checked: cannot list the host's snapshots: ${after.snapperError}`,
      "check 'snapper list' on the host, then 'host-update status'",
      { exitCode: run.exitCode || 1 },
    );
  }
  return { before, after, report: parseTuOutput(run.output), exitCode: run.exitCode };
}
