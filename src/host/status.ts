// `host-update status`: the host's snapshots, which one runs, which one boots next.
import type { HostPort } from './host-access.js';
import { out } from './output.js';
import { bootedSnapshot, currentSnapshot, defaultSnapshot, type HostState } from './probe.js';
import { checkedHost } from './transaction.js';

export function statusJson(host: HostPort, state: HostState): Record<string, unknown> {
  const booted = bootedSnapshot(state);
  const def = defaultSnapshot(state);
  return {
    host: host.target.kind === 'nsenter' ? { pid: host.target.pid } : { root: host.target.root },
    booted: booted ?? null,
    current: currentSnapshot(state) ?? null,
    default: def ?? null,
    // /run/reboot-needed can be stale: the snapshots decide, the file is only reported.
    rebootNeeded: def !== undefined && booted !== undefined && def !== booted,
    rebootNeededFile: state.rebootNeededFile,
    transaction: state.lock ? { pid: state.lock.pid, command: state.lock.command } : null,
    systemd: state.systemd,
    snapshots: state.snapshots,
    unreadableSnapshots: state.unreadableSnapshots,
  };
}

export function statusText(state: HostState): string {
  const booted = bootedSnapshot(state);
  const def = defaultSnapshot(state);
  const n = (x: number | undefined) => (x === undefined ? 'unknown' : `#${x}`);
  const lines = [
    `booted snapshot:   ${n(booted)}`,
    `current snapshot:  ${n(currentSnapshot(state))}`,
    `default snapshot:  ${n(def)} (next boot)`,
    `reboot needed:     ${def !== undefined && def !== booted ? `yes (boot #${def} to activate it)` : 'no'}`,
    `transaction:       ${state.lock ? `running (PID ${state.lock.pid}: ${state.lock.command})` : 'none running'}`,
    'snapshots:',
  ];
  const width =
    Math.max(
      ...[...state.snapshots.map((s) => s.number), ...state.unreadableSnapshots].map((n) => String(n).length),
      1,
    ) + 1;
  for (const s of state.snapshots) {
    const marks = [s.active ? 'booted' : '', s.default ? 'default' : ''].filter(Boolean).join(', ');
    lines.push(`  ${`#${s.number}`.padEnd(width)}  ${s.date}  ${s.description}${marks ? `  [${marks}]` : ''}`);
  }
  for (const n of state.unreadableSnapshots) {
    lines.push(
      `  ${`#${n}`.padEnd(width)}  unreadable: snapper could not load it (being created, or its info.xml is damaged)`,
    );
  }
  return `${lines.join('\n')}\n`;
}

export async function statusCommand(host: HostPort, json: boolean): Promise<number> {
  const state = await checkedHost(host);
  out.write(json ? `${JSON.stringify(statusJson(host, state), null, 2)}\n` : statusText(state));
  return 0;
}
