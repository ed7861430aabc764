// The built-in diagnostics, as data. Every command is read-only and runs inside the toolbox with
// the toolbox's tools; it reaches the host through the host root (/media/root) or, for what only
// the host's own processes know (systemd, snapper), through the namespaces of the host's PID 1.
// "{root}" and "{pid}" in an argument stand for the host root and that PID.

import { PROFILES, type BuiltinProfile, type ProfileName } from './profile-names.js';

export interface Collector {
  profile: ProfileName;
  /** unique within its profile; the output file is PROFILE/NAME.txt */
  name: string;
  /** argv run inside the toolbox (never through a shell of ours; see the constant scripts) */
  command: string[];
  /** its own deadline; the run's --timeout when absent */
  timeoutSeconds?: number | undefined;
}

export interface HostTarget {
  /** where the host's root file system is inside the toolbox */
  root: string;
  /** a process of the host whose namespaces are the host's (PID 1 on a real host) */
  pid: number;
}

// Constant scripts; their inputs are positional arguments, never spliced into the text.
// Reads a host file; an absolute symlink (resolv.conf -> /run/netconfig/...) points into the
// host, not into the toolbox, so it is followed under the host root.
const READ_HOST_FILE = `r=$1; p=$2; n=0
while [ -L "$r$p" ] && [ $n -lt 20 ]; do
  t=$(readlink "$r$p"); case $t in /*) p=$t ;; *) p=\${p%/*}/$t ;; esac; n=$((n+1))
done
exec cat -- "$r$p"`;
const REBOOT_NEEDED = `if [ -e "$1/run/reboot-needed" ]; then echo present; cat -- "$1/run/reboot-needed"; else echo absent; fi`;
const ZYPPER_REPOS = `found=0
for f in "$1"/etc/zypp/repos.d/*.repo; do
  [ -e "$f" ] || continue; found=1
  echo "# \${f#"$1"}"; cat -- "$f"; echo
done
[ $found = 1 ] || { echo "no repository files in /etc/zypp/repos.d" >&2; exit 1; }`;

const file = (path: string) => ['sh', '-c', READ_HOST_FILE, 'read-host-file', '{root}', path];
// A program of the HOST (in its mount namespace, or under its root) runs as root, so it gets a
// fixed environment, never the toolbox's: an image's LD_PRELOAD or GCONV_PATH would make the
// host's loader run a file the image names, one any user may have planted on the host. The env
// that clears it is the toolbox's, before nsenter or chroot.
const HOST_ENV = ['env', '-i', 'PATH=/usr/sbin:/usr/bin:/sbin:/bin', 'LC_ALL=C.UTF-8'];
const inHostMounts = (...command: string[]) => [...HOST_ENV, 'nsenter', '--target={pid}', '--mount', '--', ...command];
const underHostRoot = (...command: string[]) => [...HOST_ENV, 'chroot', '{root}', ...command];
const inHostNet = (...command: string[]) => ['nsenter', '--target={pid}', '--net', '--', ...command];

const BUILTIN: Record<BuiltinProfile, [name: string, command: string[]][]> = {
  basic: [
    ['os-release', file('/etc/os-release')],
    ['hostname', file('/etc/hostname')],
    ['kernel', ['uname', '-a']],
    ['uptime', ['uptime']],
    ['processes', ['ps', 'auxww']],
    ['disk-free', inHostMounts('df', '-hT')],
    ['mounts', ['findmnt', '--list', '--task', '{pid}']],
    ['journal', ['journalctl', '--root', '{root}', '--boot', '--no-pager', '--output', 'short-iso']],
    ['failed-units', inHostMounts('systemctl', 'list-units', '--failed', '--no-pager')],
    // The host's own rpm reads its database: the toolbox's rpm may be another version with another
    // database location or backend (and, on a read-only root, missed rows that the host's saw).
    ['rpms', underHostRoot('rpm', '-qa')],
  ],
  network: [
    ['ip-addr', inHostNet('ip', 'address', 'show')],
    ['ip-route', inHostNet('ip', 'route', 'show', 'table', 'all')],
    ['ip-rule', inHostNet('ip', 'rule', 'show')],
    ['sockets', inHostNet('ss', '-tulpn')],
    ['resolv-conf', file('/etc/resolv.conf')],
    ['nftables', inHostNet('nft', 'list', 'ruleset')],
    ['iptables', inHostNet('iptables-save')],
  ],
  storage: [
    ['block-devices', ['lsblk', '--fs']],
    ['btrfs-usage', ['btrfs', 'filesystem', 'usage', '{root}']],
    ['snapper-list', inHostMounts('snapper', '--no-dbus', 'list')],
  ],
  updates: [
    ['transactional-update-log', file('/var/log/transactional-update.log')],
    ['transactional-update-state', file('/var/lib/misc/transactional-update.state')],
    [
      'snapshots',
      inHostMounts(
        'snapper',
        '--no-dbus',
        '--csvout',
        'list',
        '--columns',
        'number,type,pre-number,date,default,active,cleanup,description,userdata',
      ),
    ],
    ['reboot-needed', ['sh', '-c', REBOOT_NEEDED, 'reboot-needed', '{root}']],
    ['zypper-repos', ['sh', '-c', ZYPPER_REPOS, 'zypper-repos', '{root}']],
  ],
};

export function builtinCollectors(profiles: readonly ProfileName[]): Collector[] {
  return PROFILES.filter((p) => profiles.includes(p)).flatMap((profile) =>
    BUILTIN[profile].map(([name, command]) => ({ profile, name, command })),
  );
}

/** The argv for this host: placeholders filled in, nothing else touched. */
export function commandFor(collector: Collector, target: HostTarget): string[] {
  return collector.command.map((arg) => arg.replaceAll('{root}', target.root).replaceAll('{pid}', String(target.pid)));
}
