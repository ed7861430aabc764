// host-update while snapper is creating a snapshot (snapper lists it as "loading N failed" on
// stderr), or when snapper's list cannot be read at all: never an internal error.
import { describe, expect, it } from 'vitest';
import { TransactionFailed } from '../../../src/host/outcome.js';
import { probeHost } from '../../../src/host/probe.js';
import { statusJson, statusText } from '../../../src/host/status.js';
import { runTransaction } from '../../../src/host/transaction.js';
import { FakeHost } from '../fakes/host.js';
import { probeOutput } from './probe-output.js';

/** A host whose probe answers the given outputs in turn (the last one from then on). */
function fakeHost(outputs: string[], tuOutput = ''): FakeHost & { readonly probes: number } {
  let probes = 0;
  const host = new FakeHost((command) => {
    if (command[0] !== 'sh') throw new Error(`unexpected command ${command.join(' ')}`);
    const stdout = outputs[Math.min(probes, outputs.length - 1)]!;
    probes++;
    return { exitCode: 0, stdout, stderr: '' };
  }, tuOutput);
  return Object.defineProperty(host, 'probes', { get: () => probes }) as FakeHost & { readonly probes: number };
}

const noPause = async () => {};
const CREATING = probeOutput({ snapperStderr: 'loading 4 failed' });
const CREATED = probeOutput({
  csv: 'number,default,active,date,description\n0,no,no,,current\n1,no,no,2026-01-01 10:00:00,first root filesystem\n2,no,yes,2026-01-02 10:00:00,x\n3,yes,no,2026-01-03 10:00:00,y\n4,no,no,2026-01-04 10:00:00,Snapshot Update of #2',
});

describe('a snapshot being created', () => {
  it('is waited for briefly: the probe is repeated until snapper can load it', async () => {
    const host = fakeHost([CREATING, CREATING, CREATED]);
    const state = await probeHost(host, noPause);
    expect(host.probes).toBe(3);
    expect(state.snapshots.map((s) => s.number)).toEqual([1, 2, 3, 4]);
    expect(state.unreadableSnapshots).toEqual([]);
  });

  it('still unreadable after the retries: status lists it as unreadable, as text and as JSON', async () => {
    const host = fakeHost([CREATING]);
    const state = await probeHost(host, noPause);
    expect(host.probes).toBe(5);
    expect(state.unreadableSnapshots).toEqual([4]);
    expect(statusText(state).split('\n').slice(5)).toEqual([
      'snapshots:',
      '  #1  2026-01-01 10:00:00  first root filesystem',
      '  #2  2026-01-02 10:00:00  Snapshot Update of #1, with "quotes"  [booted]',
      '  #3  2026-01-03 10:00:00  Snapshot Update of #2  [default]',
      '  #4  unreadable: snapper could not load it (being created, or its info.xml is damaged)',
      '',
    ]);
    expect(statusJson(host, state)).toMatchObject({ booted: 2, default: 3, unreadableSnapshots: [4] });
  });

  it('a host without that problem is probed once', async () => {
    const host = fakeHost([CREATED]);
    await probeHost(host, noPause);
    expect(host.probes).toBe(1);
  });
});

describe("snapper's list unreadable after a transaction", () => {
  it('is a failure that says the outcome cannot be checked, not a verdict on no snapshots', async () => {
    const broken = probeOutput({
      csv: '',
      snapperExit: 1,
      snapperStderr: 'IO error (.snapshots is not a btrfs subvolume).',
    });
    const host = fakeHost([probeOutput(), broken], 'New default snapshot is #4 (/.snapshots/4/snapshot).\n');
    const error = await runTransaction(host, ['transactional-update', '-n', 'up']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(TransactionFailed);
    expect((error as TransactionFailed).message).toBe(
      "transactional-update exited with code 0, but its outcome cannot be checked: cannot list the host's snapshots: IO error (.snapshots is not a btrfs subvolume).",
    );
    expect((error as TransactionFailed).hint).toBe("check 'snapper list' on the host, then 'host-update status'");
  });
});
