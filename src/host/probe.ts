// One round trip to the host that gathers everything host-update decides on: is it
// transactional, does systemd run it, is a transaction running, and its snapshots.
import { ToolboxError } from '../core/errors.js';
import type { HostPort } from './host-access.js';
import { parseSnapshots, unreadableSnapshots, type Snapshot } from './snapper-csv.js';

const LOCK_FILE = '/var/run/transactional-update.pid';

// A constant script run by the host's sh; it takes no input. Each fact is one "@key value" line;
// snapper's list comes last because its descriptions may hold anything. snapper's stderr is kept
// apart from its CSV and comes after its exit code: it says "loading N failed" (and exits 0) while
// a snapshot is being created, and such lines are not part of the list.
const PROBE = `
echo "@tu $(command -v transactional-update 2>/dev/null)"
echo "@rootfs $(stat -f -c %T /)"
if [ -w / ]; then echo "@rootwritable yes"; else echo "@rootwritable no"; fi
echo "@rootmount $(awk '$5 == "/"' /proc/self/mountinfo 2>/dev/null | tail -n 1)"
if [ -d /run/systemd/system ] && command -v systemd-run >/dev/null 2>&1; then echo "@systemd yes"; else echo "@systemd no"; fi
if [ -e /run/reboot-needed ]; then echo "@rebootfile yes"; else echo "@rebootfile no"; fi
pid=$(cat ${LOCK_FILE} 2>/dev/null | tr -cd 0-9)
if [ -n "$pid" ] && [ -r "/proc/$pid/cmdline" ]; then echo "@lock $pid $(tr '\\0' ' ' < /proc/$pid/cmdline)"; fi
if command -v snapper >/dev/null 2>&1; then
  echo "@snapper"
  { err=$(snapper --no-dbus --csvout list --columns number,default,active,date,description 2>&1 >&3 3>&-); code=$?; } 3>&1
  echo
  echo "@snapperexit $code"
  printf '%s\n' "$err"
fi
`;

export interface RootMount {
  fstype: string;
  readOnly: boolean;
  /** the btrfs subvolume mounted at /, e.g. /@/.snapshots/3/snapshot */
  subvol: string | undefined;
}

export interface HostState {
  transactionalUpdate: string | undefined;
  root: RootMount | undefined;
  systemd: boolean;
  rebootNeededFile: boolean;
  /** the process holding transactional-update's lock, if one runs */
  lock: { pid: number; command: string } | undefined;
  snapshots: Snapshot[];
  /** snapshots snapper could not load (being created, or a damaged info.xml): not in snapshots */
  unreadableSnapshots: number[];
  snapperError: string | undefined;
}

/** A line of /proc/self/mountinfo: fields, then " - ", fstype, source, super options. */
export function parseRootMount(line: string): RootMount | undefined {
  const [left, right] = line.split(' - ');
  if (!left || !right) return undefined;
  const fields = left.trim().split(' ');
  const [fstype, , superOptions = ''] = right.trim().split(' ');
  const options = (fields[5] ?? '').split(',');
  const subvol = /(?:^|,)subvol=([^,]+)/.exec(superOptions)?.[1];
  return { fstype: fstype ?? '', readOnly: options.includes('ro'), subvol };
}

export function parseProbe(output: string): HostState {
  const state: HostState = {
    transactionalUpdate: undefined,
    root: undefined,
    systemd: false,
    rebootNeededFile: false,
    lock: undefined,
    snapshots: [],
    unreadableSnapshots: [],
    snapperError: undefined,
  };
  // The file system type and writability come from / itself: in a chroot (a debug pod's /host)
  // the mount table may not list the root at all. The mount only adds the subvolume's name.
  let fstype: string | undefined;
  let writable: boolean | undefined;
  let mount: RootMount | undefined;
  const lines = output.split('\n');
  const snapperAt = lines.indexOf('@snapper');
  for (const line of snapperAt >= 0 ? lines.slice(0, snapperAt) : lines) {
    const [key, ...rest] = line.split(' ');
    const value = rest.join(' ').trim();
    if (key === '@tu') state.transactionalUpdate = value || undefined;
    else if (key === '@rootfs') fstype = value;
    else if (key === '@rootwritable') writable = value === 'yes';
    else if (key === '@rootmount') mount = parseRootMount(value);
    else if (key === '@systemd') state.systemd = value === 'yes';
    else if (key === '@rebootfile') state.rebootNeededFile = value === 'yes';
    else if (key === '@lock') {
      const [pid, ...command] = value.split(' ');
      state.lock = { pid: Number(pid), command: command.join(' ').trim() };
    }
  }
  if (fstype !== undefined || mount) {
    state.root = {
      fstype: fstype || mount?.fstype || '',
      readOnly: writable !== undefined ? !writable : mount?.readOnly === true,
      subvol: mount?.subvol,
    };
  }
  if (snapperAt >= 0) {
    const rest = lines.slice(snapperAt + 1);
    const exitAt = rest.findIndex((l) => l.startsWith('@snapperexit '));
    const csv = rest.slice(0, exitAt < 0 ? undefined : exitAt).join('\n');
    const stderr = exitAt < 0 ? '' : rest.slice(exitAt + 1).join('\n');
    const exitLine = exitAt < 0 ? undefined : rest[exitAt];
    const code = exitLine === undefined ? '1' : exitLine.slice('@snapperexit '.length).trim();
    if (code === '0') {
      try {
        state.snapshots = parseSnapshots(csv);
        state.unreadableSnapshots = unreadableSnapshots(stderr);
      } catch (error) {
        if (!(error instanceof ToolboxError)) throw error;
        state.snapperError = error.message;
      }
    } else if (exitAt < 0) {
      // The probe ended before snapper did (killed): what came is no reason, and maybe no list.
      state.snapperError = 'snapper was stopped before it finished listing';
    } else {
      state.snapperError = lastLine(stderr) || lastLine(csv) || `snapper exited with ${code}`;
    }
  }
  // A pid file whose process is not transactional-update is stale (the PID was reused).
  if (state.lock && !/transactional-update/.test(state.lock.command)) state.lock = undefined;
  return state;
}

function lastLine(text: string): string {
  return text.trim().split('\n').pop()?.trim() ?? '';
}

const RETRIES = 4;
const pauseBriefly = () => new Promise<void>((resolve) => setTimeout(resolve, 250));

/**
 * The host's state. A snapshot that snapper could not load is most often one being created, whose
 * info.xml follows a moment later: the probe is repeated a few times (a second at most) to list it,
 * and what stays unreadable is reported as such rather than failing the command.
 */
export async function probeHost(host: HostPort, pause: () => Promise<void> = pauseBriefly): Promise<HostState> {
  let state = await probeOnce(host);
  for (let i = 0; i < RETRIES && state.unreadableSnapshots.length > 0 && state.snapperError === undefined; i++) {
    await pause();
    state = await probeOnce(host);
  }
  return state;
}

async function probeOnce(host: HostPort): Promise<HostState> {
  const result = await host.capture(['sh', '-c', PROBE]);
  if (result.exitCode !== 0 && !result.stdout.includes('@systemd')) {
    const why = (result.stderr.trim().split('\n').pop() ?? '') || `exit code ${result.exitCode}`;
    throw new ToolboxError(`cannot run commands on the host: ${why}`, {
      hint: "use a rootful toolbox that shares the host's PID namespace ('toolbox -r' or as root), without --sandbox",
    });
  }
  return parseProbe(result.stdout);
}

/** Refuses hosts that are not transactional: no transactional-update, or / not a read-only btrfs. */
export function requireTransactional(state: HostState): void {
  const why = !state.transactionalUpdate
    ? 'it has no transactional-update'
    : state.root?.fstype !== 'btrfs'
      ? `its root file system is ${state.root?.fstype || 'unknown'}, not btrfs`
      : !state.root.readOnly
        ? 'its root file system is mounted read-write'
        : undefined;
  if (why) {
    throw new ToolboxError(`this host is not transactional (${why})`, {
      hint: 'host-update drives transactional-update on hosts like openSUSE MicroOS; update this host with its own package manager',
    });
  }
  if (state.snapperError !== undefined) {
    throw new ToolboxError(`cannot list the host's snapshots: ${state.snapperError}`, {
      hint: "check 'snapper list' on the host",
    });
  }
}

export function defaultSnapshot(state: HostState): number | undefined {
  return state.snapshots.find((s) => s.default)?.number;
}

export function bootedSnapshot(state: HostState): number | undefined {
  return state.snapshots.find((s) => s.active)?.number;
}

/** The snapshot mounted at / right now, read from the mount itself rather than from snapper. */
export function currentSnapshot(state: HostState): number | undefined {
  const m = /\/\.snapshots\/(\d+)\/snapshot$/.exec(state.root?.subvol ?? '');
  return m ? Number(m[1]) : undefined;
}
