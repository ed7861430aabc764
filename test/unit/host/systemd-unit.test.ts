// On a systemd host the transaction runs as a transient unit whose journal is followed.
import { describe, expect, it } from 'vitest';
import { followArgv, systemdRunArgv, unitExitCode, unitName } from '../../../src/host/systemd-unit.js';
import { runTransaction, tuArgv } from '../../../src/host/transaction.js';
import { verifyUpdate } from '../../../src/host/verify-outcome.js';
import { FakeHost } from '../fakes/host.js';
import { probeOutput } from './probe-output.js';

const CSV_BEFORE =
  'number,default,active,date,description\n0,no,no,,current\n1,yes,yes,2026-01-01 10:00:00,first root filesystem';
const CSV_AFTER = `${CSV_BEFORE.replace('1,yes,yes', '1,no,yes')}\n2,yes,no,2026-01-02 10:00:00,Snapshot Update of #1`;

/** A systemd host that runs the unit and journals transactional-update's lines. */
function fakeSystemdHost(journal: string) {
  let ran = false;
  const port = new FakeHost((command) => {
    if (command[0] === 'sh')
      return { exitCode: 0, stdout: probeOutput({ systemd: true, csv: ran ? CSV_AFTER : CSV_BEFORE }), stderr: '' };
    if (command[0] === 'systemd-run') {
      ran = true;
      return {
        exitCode: 0,
        stdout: '',
        stderr:
          'Running as unit: x.service\nFinished with result: success\nMain processes terminated with: code=exited/status=0\n',
      };
    }
    if (command[0] === 'journalctl') return { exitCode: 0, stdout: command[1] === '--sync' ? '' : journal, stderr: '' };
    return { exitCode: 1, stdout: '', stderr: 'unexpected' };
  }, '(followed)\n');
  return { port, calls: port.calls };
}

describe('systemd unit', () => {
  it('names units host-update-<time>-<pid>.service', () => {
    expect(unitName(new Date('2026-11-25T21:30:05Z'), 99)).toBe('host-update-20261125213005-99.service');
  });

  it('runs transactional-update under systemd-run --wait --collect, options before the command', () => {
    expect(systemdRunArgv('u.service', tuArgv(['pkg', 'install', 'vim'], true))).toEqual([
      'systemd-run',
      '--unit=u.service',
      '--collect',
      '--wait',
      '--service-type=exec',
      '--description=host-update: transactional-update -n --no-selfupdate --drop-if-no-change pkg install vim',
      '--',
      'transactional-update',
      '-n',
      '--no-selfupdate',
      '--drop-if-no-change',
      'pkg',
      'install',
      'vim',
    ]);
    expect(followArgv('u.service')).toEqual([
      'journalctl',
      '--follow',
      '--lines=all',
      '--output=cat',
      '--unit=u.service',
    ]);
  });

  it("takes the unit's exit status from systemd-run's report", () => {
    expect(unitExitCode('Main processes terminated with: code=exited/status=1\n', 0)).toBe(1);
    expect(unitExitCode('', 3)).toBe(3);
  });

  it('follows the journal from before the start and judges the whole journal', async () => {
    const { port, calls } = fakeSystemdHost(
      'Using snapshot 1 as base for new snapshot 2.\nNew default snapshot is #2 (/.snapshots/2/snapshot).\n',
    );
    const t = await runTransaction(port, tuArgv(['up'], true));
    const order = calls.map((c) => c[0]);
    expect(order).toEqual(['sh', 'journalctl', 'systemd-run', 'journalctl', 'journalctl', 'sh']);
    expect(calls[1]).toContain('--follow');
    expect(calls[3]).toEqual(['journalctl', '--sync']);
    expect(calls[4]).toEqual(['journalctl', '--no-pager', '--output=cat', calls[2]![1]]);
    expect(verifyUpdate(t.before, t.after, t.report, t.exitCode)).toMatchObject({
      result: 'new-snapshot',
      snapshot: 2,
      base: 1,
    });
  });
});
