// What transactional-update said, read from its output lines (6.1's wording). Only a claim:
// verify-outcome.ts checks every claim against the snapshots afterwards.

export interface TuReport {
  base: number | undefined;
  /** the snapshot it opened */
  opened: number | undefined;
  /** "New default snapshot is #N" */
  newDefault: number | undefined;
  /** it said it removed the snapshot (nothing to do, no change, or after an error) */
  discarded: boolean;
  nothingToDo: boolean;
  lockBusy: boolean;
  /** "ERROR: ..." lines, without the prefix */
  errors: string[];
  /** zypper's "Problem: ..." lines */
  problems: string[];
  zypperExitCode: number | undefined;
  rollbackDone: boolean;
}

export function parseTuOutput(text: string): TuReport {
  const report: TuReport = {
    base: undefined,
    opened: undefined,
    newDefault: undefined,
    discarded: false,
    nothingToDo: false,
    lockBusy: false,
    errors: [],
    problems: [],
    zypperExitCode: undefined,
    rollbackDone: false,
  };
  for (const raw of text.split('\n')) {
    // Lines from the log file or the journal may carry a timestamp before the message.
    const line = raw.replace(/\r$/, '').replace(/^\d{4}-\d\d-\d\d[ T][\d:.]+\S*\s+/, '');
    let m: RegExpExecArray | null;
    if ((m = /^Using snapshot (\d+) as base for new snapshot (\d+)\./.exec(line))) {
      report.base = Number(m[1]);
      report.opened = Number(m[2]);
    } else if ((m = /^New default snapshot is #(\d+) /.exec(line))) {
      report.newDefault = Number(m[1]);
    } else if (/^zypper: nothing to update/.test(line)) {
      report.nothingToDo = true;
    } else if (/^No changes to the root file system - discarding snapshot\./.test(line)) {
      report.nothingToDo = true;
      report.discarded = true;
    } else if (/^Removing snapshot #\d+/.test(line)) {
      report.discarded = true;
    } else if (/^Couldn't get lock, is another instance already running\?/.test(line)) {
      report.lockBusy = true;
    } else if ((m = /^ERROR: (.*)$/.exec(line))) {
      const message = (m[1] ?? '').trim();
      report.errors.push(message);
      const code = /^zypper .* failed with exit code (\d+)!?$/.exec(message);
      if (code) report.zypperExitCode = Number(code[1]);
    } else if ((m = /^Problem: (.*)$/.exec(line.trim()))) {
      report.problems.push((m[1] ?? '').trim());
    } else if (/^Please reboot to finish rollback!/.test(line)) {
      report.rollbackDone = true;
    }
  }
  return report;
}
