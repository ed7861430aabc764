// log, reboot and attach: the commands around a transaction rather than the transaction itself.
import { ToolboxError } from '../core/errors.js';
import type { HostPort } from './host-access.js';
import { outcomeLine } from './outcome.js';
import { err, out } from './output.js';
import { attachToUnit, runningUnits } from './systemd-unit.js';
import { checkedHost } from './transaction.js';
import { parseTuOutput } from './tu-output.js';
import { verifyRollback, verifyUpdate } from './verify-outcome.js';

const LOG_FILE = '/var/log/transactional-update.log';

export async function logCommand(host: HostPort, follow: boolean, lines: number): Promise<number> {
  const state = await checkedHost(host);
  // Under systemd the lines are in the journal; without it, in transactional-update's log file.
  const command = state.systemd
    ? [
        'journalctl',
        '--no-pager',
        '--identifier=transactional-update',
        `--lines=${lines}`,
        ...(follow ? ['--follow'] : []),
      ]
    : ['tail', `--lines=${lines}`, ...(follow ? ['--follow=name', '--retry'] : []), LOG_FILE];
  if (follow) return host.interactive(command);
  const r = await host.capture(command);
  if (r.exitCode !== 0) {
    throw new ToolboxError(
      `cannot read transactional-update's log: ${r.stderr.trim().split('\n').pop() ?? `exit code ${r.exitCode}`}`,
      {
        hint: 'no transaction may have run on this host yet',
      },
    );
  }
  out.write(r.stdout);
  return 0;
}

export async function rebootCommand(host: HostPort, json: boolean): Promise<number> {
  const state = await checkedHost(host);
  if (state.lock) {
    throw new ToolboxError(
      `a transaction is running (PID ${state.lock.pid}: ${state.lock.command}); not rebooting in the middle of it`,
      {
        hint: "wait for it to finish ('host-update status'), then reboot",
      },
    );
  }
  if (!state.systemd) {
    throw new ToolboxError("the host's init is not systemd, so host-update cannot reboot it", {
      hint: 'reboot the host from its console or hypervisor',
    });
  }
  out.write(json ? `${JSON.stringify({ ok: true, result: 'reboot' })}\n` : 'rebooting the host\n');
  // --no-block: the reboot is queued; waiting would only wait for our own end.
  const r = await host.capture(['systemctl', '--no-block', 'reboot']);
  if (r.exitCode !== 0) {
    throw new ToolboxError(
      `systemctl reboot failed: ${r.stderr.trim().split('\n').pop() ?? `exit code ${r.exitCode}`}`,
      { hint: 'reboot the host from its console' },
    );
  }
  return 0;
}

export async function attachCommand(host: HostPort, json: boolean): Promise<number> {
  const state = await checkedHost(host);
  if (!state.systemd) {
    const running = state.lock
      ? `a transaction is running (PID ${state.lock.pid}), but not as a systemd unit`
      : 'no transaction is running';
    throw new ToolboxError(`nothing to attach to: ${running}`, {
      hint: "follow transactional-update's log with 'host-update log -f'",
    });
  }
  const [unit] = await runningUnits(host);
  if (!unit) {
    throw new ToolboxError('nothing to attach to: no host-update transaction is running', {
      hint: "'host-update status' shows the snapshots; 'host-update log' the last run",
    });
  }
  err.write(`attached to ${unit}\n`);
  const run = await attachToUnit(
    host,
    unit,
    (chunk) => {
      err.write(chunk);
    },
    () => new Promise((r) => setTimeout(r, 1000)),
  );
  const after = await checkedHost(host);
  const report = parseTuOutput(run.output);
  const outcome = report.rollbackDone
    ? verifyRollback('last', after, report, run.exitCode)
    : verifyUpdate(undefined, after, report, run.exitCode);
  out.write(json ? `${JSON.stringify(outcome)}\n` : `${outcomeLine(outcome)}\n`);
  return 0;
}
