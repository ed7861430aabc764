// The readers of what the host says: snapper's CSV, the probe, transactional-update's lines.
import { describe, expect, it } from 'vitest';
import { currentSnapshot, parseProbe, parseRootMount, requireTransactional } from '../../../src/host/probe.js';
import { ToolboxError } from '../../../src/core/errors.js';
import { parseCsv, parseSnapshots, unreadableSnapshots } from '../../../src/host/snapper-csv.js';
import { parseTuOutput } from '../../../src/host/tu-output.js';
import { probeOutput } from './probe-output.js';

describe('snapper CSV', () => {
  it('splits quoted fields holding commas and quotes', () => {
    expect(parseCsv('a,"b, c","d ""e"""\n')).toEqual([['a', 'b, c', 'd "e"']]);
  });

  it('reads snapshots by column name and leaves out snapshot 0', () => {
    expect(parseSnapshots('description,number,active,default\nx,0,no,no\nfirst,1,yes,no\nnext,2,no,yes\n')).toEqual([
      { number: 1, date: '', description: 'first', default: false, active: true },
      { number: 2, date: '', description: 'next', default: true, active: false },
    ]);
  });

  // What snapper 0.10.4 prints (2>&1) while a snapshot is being created: its number directory
  // exists, its info.xml not yet. It exits 0. host-update once failed here with an internal error.
  const LIST =
    'number,default,active,date,description\n0,no,no,,current\n1,yes,yes,2026-11-29 23:24:49,first root filesystem\n';
  it('skips the "loading N failed" line snapper prints before the list while a snapshot is being created', () => {
    expect(parseSnapshots(`loading 3 failed\n${LIST}`)).toEqual([
      { number: 1, date: '2026-11-29 23:24:49', description: 'first root filesystem', default: true, active: true },
    ]);
  });

  it("skips libxml2's lines for an empty info.xml, and reads which snapshots snapper could not load", () => {
    const stderr = ':1: parser error : Document is empty\n\n^\nloading 3 failed\nloading 4 failed\n';
    expect(parseSnapshots(`${stderr}${LIST}`).map((s) => s.number)).toEqual([1]);
    expect(unreadableSnapshots(stderr)).toEqual([3, 4]);
    expect(unreadableSnapshots('')).toEqual([]);
  });

  it("skips snapper's other diagnostics (a clock that went back), which are not unreadable snapshots", () => {
    const stderr = 'snapshot num 2 in future\ntime shift detected at snapshot num 3\n';
    expect(parseSnapshots(`${stderr}${LIST}`).map((s) => s.number)).toEqual([1]);
    expect(unreadableSnapshots(stderr)).toEqual([]);
  });

  it('a list without a header is an expected failure, not a crash', () => {
    const read = () => parseSnapshots('loading 3 failed\n');
    expect(read).toThrow(ToolboxError);
    expect(read).toThrow('snapper\'s list has no header line (it printed "loading 3 failed")');
  });
});

describe('the probe', () => {
  it('reads every fact', () => {
    const s = parseProbe(
      probeOutput({ rebootFile: true, lock: '4242 /bin/bash /usr/sbin/transactional-update -n up' }),
    );
    expect(s.transactionalUpdate).toBe('/usr/sbin/transactional-update');
    expect(s.root).toEqual({ fstype: 'btrfs', readOnly: true, subvol: '/@/.snapshots/2/snapshot' });
    expect(s.systemd).toBe(false);
    expect(s.rebootNeededFile).toBe(true);
    expect(s.lock).toEqual({ pid: 4242, command: '/bin/bash /usr/sbin/transactional-update -n up' });
    expect(s.snapshots.map((x) => [x.number, x.default, x.active])).toEqual([
      [1, false, false],
      [2, false, true],
      [3, true, false],
    ]);
    expect(s.snapshots[1]!.description).toBe('Snapshot Update of #1, with "quotes"');
    expect(currentSnapshot(s)).toBe(2);
  });

  it('ignores a lock file whose PID now belongs to another program', () => {
    expect(parseProbe(probeOutput({ lock: '4242 sleep 100' })).lock).toBeUndefined();
  });

  it('keeps the reason when snapper fails', () => {
    const s = parseProbe(probeOutput({ csv: 'IO error (.snapshots is not a btrfs subvolume).', snapperExit: 1 }));
    expect(s.snapperError).toBe('IO error (.snapshots is not a btrfs subvolume).');
    expect(() => {
      requireTransactional(s);
    }).toThrow("cannot list the host's snapshots: IO error (.snapshots is not a btrfs subvolume).");
  });

  it("lists a snapshot being created as unreadable, from snapper's stderr kept apart from the list", () => {
    const s = parseProbe(probeOutput({ snapperStderr: 'loading 4 failed' }));
    expect(s.snapperError).toBeUndefined();
    expect(s.snapshots.map((x) => x.number)).toEqual([1, 2, 3]);
    expect(s.unreadableSnapshots).toEqual([4]);
    expect(() => {
      requireTransactional(s);
    }).not.toThrow();
  });

  it("keeps snapper's reason from its stderr", () => {
    const s = parseProbe(probeOutput({ csv: '', snapperExit: 1, snapperStderr: "Config 'root' not found." }));
    expect(s.snapperError).toBe("Config 'root' not found.");
  });

  it('a probe cut short in the middle of the list says so, rather than quoting a row as the reason', () => {
    const cut = probeOutput().split('\n@snapperexit')[0]!;
    expect(parseProbe(cut).snapperError).toBe('snapper was stopped before it finished listing');
  });

  it('a list it cannot read: one error line with a hint', () => {
    const s = parseProbe(probeOutput({ csv: 'something else' }));
    expect(s.snapperError).toBe('snapper\'s list has no header line (it printed "something else")');
    const error = (() => {
      try {
        requireTransactional(s);
      } catch (e) {
        return e as ToolboxError;
      }
    })();
    expect(error).toBeInstanceOf(ToolboxError);
    expect([error?.message, error?.hint]).toEqual([
      `cannot list the host's snapshots: snapper's list has no header line (it printed "something else")`,
      "check 'snapper list' on the host",
    ]);
  });

  it('reads a mountinfo line', () => {
    expect(parseRootMount('29 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw')).toEqual({
      fstype: 'ext4',
      readOnly: false,
      subvol: undefined,
    });
  });

  it.each([
    [{ tu: '' }, 'this host is not transactional (it has no transactional-update)'],
    [{ fs: 'ext2/ext3' }, 'this host is not transactional (its root file system is ext2/ext3, not btrfs)'],
    [{ writable: true }, 'this host is not transactional (its root file system is mounted read-write)'],
  ])('refuses a host that is not transactional: %j', (o, message) => {
    expect(() => {
      requireTransactional(parseProbe(probeOutput(o)));
    }).toThrow(message);
  });
});

describe("transactional-update's lines", () => {
  it('a new snapshot', () => {
    const r = parseTuOutput(
      'Using snapshot 2 as base for new snapshot 5.\nfoo\nNew default snapshot is #5 (/.snapshots/5/snapshot).\nPlease reboot your machine to activate the changes and avoid data loss.\n',
    );
    expect(r).toMatchObject({ base: 2, opened: 5, newDefault: 5, discarded: false, errors: [] });
  });

  it('nothing to do, both wordings, also with log timestamps', () => {
    expect(
      parseTuOutput(
        '2026-01-01 10:00:00 Using snapshot 1 as base for new snapshot 2.\n2026-01-01 10:00:01 zypper: nothing to update\n2026-01-01 10:00:01 Removing snapshot #2...\n',
      ),
    ).toMatchObject({
      opened: 2,
      nothingToDo: true,
      discarded: true,
    });
    expect(parseTuOutput('No changes to the root file system - discarding snapshot.\n')).toMatchObject({
      nothingToDo: true,
      discarded: true,
    });
  });

  it('a zypper failure with its problems', () => {
    const r = parseTuOutput(
      'Problem: nothing provides a needed by b\n Solution 1: x\nProblem: c conflicts with d\nERROR: zypper install b on /.snapshots/4/snapshot failed with exit code 4!\nRemoving snapshot #4...\n',
    );
    expect(r.problems).toEqual(['nothing provides a needed by b', 'c conflicts with d']);
    expect(r.zypperExitCode).toBe(4);
    expect(r.errors).toEqual(['zypper install b on /.snapshots/4/snapshot failed with exit code 4!']);
    expect(r.discarded).toBe(true);
  });

  it('the lock and a rollback', () => {
    expect(parseTuOutput("Couldn't get lock, is another instance already running?\n").lockBusy).toBe(true);
    expect(parseTuOutput('Please reboot to finish rollback!\n').rollbackDone).toBe(true);
  });
});
