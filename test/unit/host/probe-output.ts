// What the host probe prints, for tests: a MicroOS-like host unless told otherwise (the layout
// of the probe's real output, checked against snapper 0.10.4).
export function probeOutput(
  o: {
    tu?: string;
    fs?: string;
    writable?: boolean;
    systemd?: boolean;
    rebootFile?: boolean;
    lock?: string;
    csv?: string;
    snapperExit?: number;
    snapperStderr?: string;
  } = {},
): string {
  return [
    `@tu ${o.tu ?? '/usr/sbin/transactional-update'}`,
    `@rootfs ${o.fs ?? 'btrfs'}`,
    `@rootwritable ${o.writable ? 'yes' : 'no'}`,
    '@rootmount 1098 1097 0:45 /@/.snapshots/2/snapshot / ro,relatime shared:1 - btrfs /dev/vda3 rw,subvolid=268,subvol=/@/.snapshots/2/snapshot',
    `@systemd ${o.systemd ? 'yes' : 'no'}`,
    `@rebootfile ${o.rebootFile ? 'yes' : 'no'}`,
    ...(o.lock ? [`@lock ${o.lock}`] : []),
    '@snapper',
    o.csv ??
      'number,default,active,date,description\n0,no,no,,current\n1,no,no,2026-01-01 10:00:00,first root filesystem\n2,no,yes,2026-01-02 10:00:00,"Snapshot Update of #1, with ""quotes"""\n3,yes,no,2026-01-03 10:00:00,Snapshot Update of #2',
    // The probe ends the list with an empty line, then snapper's exit code and its stderr.
    '',
    `@snapperexit ${o.snapperExit ?? 0}`,
    ...(o.snapperStderr !== undefined ? [o.snapperStderr] : []),
    '',
  ].join('\n');
}
