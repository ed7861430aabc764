// The commands that change the host: each runs transactional-update once and reports the
// checked outcome as one line (or one JSON object).
import { UsageError } from '../core/errors.js';
import type { HostPort } from './host-access.js';
import { outcomeLine, type Outcome } from './outcome.js';
import { out } from './output.js';
import { runTransaction, tuArgv } from './transaction.js';
import { TransactionFailed } from './outcome.js';
import { verifyCleanup, verifyRollback, verifyUpdate } from './verify-outcome.js';

export interface ActionOptions {
  json: boolean;
  dropIfNoChange: boolean;
}

function report(outcome: Outcome, json: boolean): number {
  out.write(json ? `${JSON.stringify(outcome)}\n` : `${outcomeLine(outcome)}\n`);
  return 0;
}

/** up, dup, patch, pkg install|remove|update */
export async function updateCommand(host: HostPort, command: string[], options: ActionOptions): Promise<number> {
  const t = await runTransaction(host, tuArgv(command, options.dropIfNoChange));
  return report(verifyUpdate(t.before, t.after, t.report, t.exitCode), options.json);
}

export function parseRollbackTarget(value: string | undefined): number | 'last' | undefined {
  if (value === undefined) return undefined;
  if (value === 'last') return 'last';
  if (/^[1-9][0-9]*$/.test(value)) return Number(value);
  throw new UsageError(
    `not a snapshot number: ${value}`,
    "give a snapshot number from 'host-update status', or 'last'",
  );
}

export async function rollbackCommand(
  host: HostPort,
  value: string | undefined,
  options: ActionOptions,
): Promise<number> {
  const target = parseRollbackTarget(value) ?? 'last';
  const t = await runTransaction(host, tuArgv(['rollback', String(target)], false), (state) => {
    if (target !== 'last' && !state.snapshots.some((s) => s.number === target)) {
      throw new TransactionFailed(`the host has no snapshot #${target}`, "pick one from 'host-update status'");
    }
  });
  return report(verifyRollback(target, t.after, t.report, t.exitCode), options.json);
}

export async function cleanupCommand(host: HostPort, options: ActionOptions): Promise<number> {
  const t = await runTransaction(host, tuArgv(['cleanup'], false));
  return report(verifyCleanup(t.before, t.after, t.report, t.exitCode), options.json);
}
