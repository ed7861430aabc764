// The result of a host-update command: one line for people, one object for --json.
import { errorJson, ToolboxError } from '../core/errors.js';

export type Outcome =
  | {
      ok: true;
      result: 'new-snapshot';
      snapshot: number;
      base: number | undefined;
      default: number;
      booted: number | undefined;
      rebootNeeded: true;
    }
  | { ok: true; result: 'unchanged'; discarded: number | undefined; default: number | undefined }
  | { ok: true; result: 'rollback'; default: number; booted: number | undefined; rebootNeeded: boolean }
  | { ok: true; result: 'cleanup'; removed: number[] };

export interface FailureDetails {
  /** the snapshot transactional-update opened, if any */
  snapshot?: number | undefined;
  /** whether that snapshot is gone afterwards (checked, not taken from the output) */
  discarded?: boolean | undefined;
  problems?: string[];
  exitCode?: number | undefined;
  lockPid?: number | undefined;
}

/** A transaction that failed or whose result could not be confirmed: exit 1, with details for --json. */
export class TransactionFailed extends ToolboxError {
  constructor(
    message: string,
    hint: string,
    readonly details: FailureDetails = {},
  ) {
    super(message, { hint });
    this.name = 'TransactionFailed';
  }
}

export function outcomeLine(outcome: Outcome): string {
  switch (outcome.result) {
    case 'new-snapshot':
      return `new snapshot #${outcome.snapshot}${outcome.base !== undefined ? ` (from #${outcome.base})` : ''}; reboot to activate`;
    case 'unchanged':
      return 'nothing changed; snapshot discarded';
    case 'rollback':
      return outcome.rebootNeeded
        ? `default snapshot is now #${outcome.default} (booted #${outcome.booted ?? '?'}); reboot to activate`
        : `default snapshot is now #${outcome.default}, the booted one; no reboot needed`;
    case 'cleanup':
      return outcome.removed.length === 0
        ? 'nothing to clean up'
        : `removed ${outcome.removed.length} snapshot${outcome.removed.length === 1 ? '' : 's'}: ${outcome.removed.map((n) => `#${n}`).join(', ')}`;
  }
}

export function failureJson(error: ToolboxError): Record<string, unknown> {
  const details = error instanceof TransactionFailed ? error.details : {};
  return errorJson(error, { ...details });
}
