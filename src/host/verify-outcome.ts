// Never trust transactional-update's exit code alone (it exits 0 even when closing the snapshot
// failed): every claim it makes is checked against the host's snapshots afterwards.
import { TransactionFailed, type Outcome } from './outcome.js';
import { bootedSnapshot, defaultSnapshot, type HostState } from './probe.js';
import type { TuReport } from './tu-output.js';

const LOG_HINT = "see 'host-update log' for transactional-update's full output";

/** Throws the refusal for a transaction that another process is running. */
export function lockRefusal(state: HostState | undefined): TransactionFailed {
  const lock = state?.lock;
  const who = lock ? ` (PID ${lock.pid}: ${lock.command})` : '';
  const follow = state?.systemd ? "follow it with 'host-update attach'" : "follow its log with 'host-update log -f'";
  return new TransactionFailed(
    `another transaction is running${who}`,
    `wait for it to finish ('host-update status' shows when it has), or ${follow}`,
    {
      lockPid: lock?.pid,
    },
  );
}

/** The outcome of up, dup, patch and pkg: a new default snapshot, nothing changed, or a failure. */
export function verifyUpdate(
  before: HostState | undefined,
  after: HostState,
  report: TuReport,
  exitCode: number,
): Outcome {
  const afterDefault = defaultSnapshot(after);
  const beforeDefault = before ? defaultSnapshot(before) : undefined;
  const exists = (n: number) => after.snapshots.some((s) => s.number === n);

  if (report.lockBusy) throw lockRefusal(after.lock ? after : before);

  if (report.errors.length > 0 || exitCode !== 0) {
    const opened = report.opened;
    const left = opened !== undefined && exists(opened) && opened !== beforeDefault;
    const snapshotText =
      opened === undefined
        ? 'no snapshot was made'
        : left
          ? `snapshot #${opened} was left behind`
          : `snapshot #${opened} was discarded`;
    const what =
      report.zypperExitCode !== undefined
        ? `zypper failed (exit code ${report.zypperExitCode})${report.problems.length ? `: ${report.problems.join('; ')}` : ''}`
        : `transactional-update failed (exit code ${exitCode})${report.errors[0] ? `: ${report.errors[0]}` : ''}`;
    const hint = left
      ? "remove the leftover snapshot with 'host-update cleanup'"
      : report.problems.length
        ? 'resolve the problem (a missing package, dependency or repository), then retry; the host is unchanged'
        : `${LOG_HINT}; the host is unchanged`;
    throw new TransactionFailed(`${what}; ${snapshotText}`, hint, {
      snapshot: opened,
      discarded: opened === undefined ? undefined : !left,
      problems: report.problems,
      exitCode: exitCode || 1,
    });
  }

  if (report.newDefault !== undefined) {
    if (afterDefault !== report.newDefault || !exists(report.newDefault)) {
      throw new TransactionFailed(
        `transactional-update reported new default snapshot #${report.newDefault}, but the default snapshot is #${afterDefault ?? '?'}`,
        `the snapshot was not activated, so a reboot would not apply it; ${LOG_HINT}, then retry`,
        { snapshot: report.newDefault, exitCode },
      );
    }
    return {
      ok: true,
      result: 'new-snapshot',
      snapshot: report.newDefault,
      base: report.base,
      default: afterDefault,
      booted: bootedSnapshot(after),
      rebootNeeded: true,
    };
  }

  if (report.discarded || report.nothingToDo) {
    if (before && afterDefault !== beforeDefault) {
      throw new TransactionFailed(
        `transactional-update reported no change, but the default snapshot moved from #${beforeDefault ?? '?'} to #${afterDefault ?? '?'}`,
        LOG_HINT,
        { exitCode },
      );
    }
    if (report.opened !== undefined && exists(report.opened)) {
      throw new TransactionFailed(
        `transactional-update reported no change, but snapshot #${report.opened} was not discarded`,
        "remove it with 'host-update cleanup'",
        {
          snapshot: report.opened,
          discarded: false,
          exitCode,
        },
      );
    }
    return { ok: true, result: 'unchanged', discarded: report.opened, default: afterDefault };
  }

  const moved =
    before && afterDefault !== beforeDefault ? `, yet the default snapshot moved to #${afterDefault ?? '?'}` : '';
  throw new TransactionFailed(`transactional-update reported no result (exit code ${exitCode})${moved}`, LOG_HINT, {
    exitCode,
  });
}

/** The outcome of rollback: the default snapshot must be the one asked for. */
export function verifyRollback(target: number | 'last', after: HostState, report: TuReport, exitCode: number): Outcome {
  if (report.lockBusy) throw lockRefusal(after);
  const afterDefault = defaultSnapshot(after);
  if (exitCode !== 0 || report.errors.length > 0) {
    throw new TransactionFailed(
      `rollback failed (exit code ${exitCode})${report.errors[0] ? `: ${report.errors[0]}` : ''}`,
      `${LOG_HINT}; the default snapshot is #${afterDefault ?? '?'}`,
      { exitCode: exitCode || 1 },
    );
  }
  if (afterDefault === undefined || (target !== 'last' && afterDefault !== target)) {
    throw new TransactionFailed(
      `rollback to #${target} reported success, but the default snapshot is #${afterDefault ?? '?'}`,
      LOG_HINT,
      { exitCode },
    );
  }
  const booted = bootedSnapshot(after);
  return { ok: true, result: 'rollback', default: afterDefault, booted, rebootNeeded: afterDefault !== booted };
}

/** The outcome of cleanup: which snapshots are gone. */
export function verifyCleanup(before: HostState, after: HostState, report: TuReport, exitCode: number): Outcome {
  if (report.lockBusy) throw lockRefusal(after);
  if (exitCode !== 0 || report.errors.length > 0) {
    throw new TransactionFailed(
      `cleanup failed (exit code ${exitCode})${report.errors[0] ? `: ${report.errors[0]}` : ''}`,
      LOG_HINT,
      { exitCode: exitCode || 1 },
    );
  }
  const kept = new Set(after.snapshots.map((s) => s.number));
  return { ok: true, result: 'cleanup', removed: before.snapshots.map((s) => s.number).filter((n) => !kept.has(n)) };
}
