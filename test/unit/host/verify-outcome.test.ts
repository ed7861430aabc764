// Every claim of transactional-update is checked against the snapshots afterwards.
import { describe, expect, it } from 'vitest';
import { outcomeLine, TransactionFailed } from '../../../src/host/outcome.js';
import type { HostState } from '../../../src/host/probe.js';
import { parseTuOutput } from '../../../src/host/tu-output.js';
import { verifyCleanup, verifyRollback, verifyUpdate } from '../../../src/host/verify-outcome.js';

function state(numbers: number[], def: number, booted = 1, lock?: HostState['lock']): HostState {
  return {
    transactionalUpdate: '/usr/sbin/transactional-update',
    root: { fstype: 'btrfs', readOnly: true, subvol: undefined },
    systemd: false,
    rebootNeededFile: false,
    lock,
    snapshots: numbers.map((n) => ({ number: n, date: '', description: '', default: n === def, active: n === booted })),
    unreadableSnapshots: [],
    snapperError: undefined,
  };
}

const NEW = 'Using snapshot 1 as base for new snapshot 2.\nNew default snapshot is #2 (/.snapshots/2/snapshot).\n';

function failure(fn: () => unknown): TransactionFailed {
  try {
    fn();
  } catch (error) {
    if (error instanceof TransactionFailed) return error;
    throw error;
  }
  throw new Error('no failure');
}

describe('verifyUpdate', () => {
  it('confirms a new default snapshot', () => {
    const o = verifyUpdate(state([1], 1), state([1, 2], 2), parseTuOutput(NEW), 0);
    expect(outcomeLine(o)).toBe('new snapshot #2 (from #1); reboot to activate');
  });

  it('exit 0 and the line, but the default did not move: a failure', () => {
    const f = failure(() => verifyUpdate(state([1], 1), state([1, 2], 1), parseTuOutput(NEW), 0));
    expect(f.message).toBe('transactional-update reported new default snapshot #2, but the default snapshot is #1');
    expect(f.exitCode).toBe(1);
  });

  it('the line, but the snapshot is gone: a failure', () => {
    expect(() => verifyUpdate(state([1], 1), state([1], 1), parseTuOutput(NEW), 0)).toThrow(TransactionFailed);
  });

  it('nothing changed, confirmed', () => {
    const o = verifyUpdate(
      state([1], 1),
      state([1], 1),
      parseTuOutput(
        'Using snapshot 1 as base for new snapshot 2.\nzypper: nothing to update\nRemoving snapshot #2...\n',
      ),
      0,
    );
    expect(outcomeLine(o)).toBe('nothing changed; snapshot discarded');
  });

  it('"discarded" while the snapshot is still there: a failure that says so', () => {
    const f = failure(() =>
      verifyUpdate(
        state([1], 1),
        state([1, 2], 1),
        parseTuOutput('Using snapshot 1 as base for new snapshot 2.\nRemoving snapshot #2...\n'),
        0,
      ),
    );
    expect(f.message).toBe('transactional-update reported no change, but snapshot #2 was not discarded');
    expect(f.details).toMatchObject({ snapshot: 2, discarded: false });
  });

  it('"nothing changed" while the default moved: a failure', () => {
    expect(() =>
      verifyUpdate(state([1], 1), state([1, 3], 3), parseTuOutput('zypper: nothing to update\n'), 0),
    ).toThrow('transactional-update reported no change, but the default snapshot moved from #1 to #3');
  });

  it('no result line at all: a failure even with exit 0', () => {
    expect(() => verifyUpdate(state([1], 1), state([1], 1), parseTuOutput('something else\n'), 0)).toThrow(
      'transactional-update reported no result (exit code 0)',
    );
  });

  it('a failed zypper whose snapshot was left behind: says so and points to cleanup', () => {
    const f = failure(() =>
      verifyUpdate(
        state([1], 1),
        state([1, 2], 1),
        parseTuOutput(
          'Using snapshot 1 as base for new snapshot 2.\nERROR: zypper up on /.snapshots/2/snapshot failed with exit code 8!\n',
        ),
        1,
      ),
    );
    expect(f.message).toBe('zypper failed (exit code 8); snapshot #2 was left behind');
    expect(f.hint).toBe("remove the leftover snapshot with 'host-update cleanup'");
  });

  it('a lost race for the lock names the holder', () => {
    const holder = { pid: 77, command: 'transactional-update dup' };
    expect(() =>
      verifyUpdate(
        state([1], 1),
        state([1], 1, 1, holder),
        parseTuOutput("Couldn't get lock, is another instance already running?\n"),
        1,
      ),
    ).toThrow('another transaction is running (PID 77: transactional-update dup)');
  });
});

describe('verifyRollback and verifyCleanup', () => {
  it('rollback N must leave N as the default', () => {
    expect(
      outcomeLine(verifyRollback(3, state([1, 3], 3), parseTuOutput('Please reboot to finish rollback!\n'), 0)),
    ).toBe('default snapshot is now #3 (booted #1); reboot to activate');
    expect(() => verifyRollback(3, state([1, 3], 1), parseTuOutput(''), 0)).toThrow(
      'rollback to #3 reported success, but the default snapshot is #1',
    );
  });

  it('cleanup lists what is gone', () => {
    expect(outcomeLine(verifyCleanup(state([1, 2, 3], 3), state([1, 3], 3), parseTuOutput(''), 0))).toBe(
      'removed 1 snapshot: #2',
    );
    expect(outcomeLine(verifyCleanup(state([1], 1), state([1], 1), parseTuOutput(''), 0))).toBe('nothing to clean up');
  });
});
