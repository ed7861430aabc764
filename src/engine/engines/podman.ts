// podman: the engine MicroOS ships, and the one detection prefers.
import { rootlessFailure } from '../rootless.js';
import { optionWords, type EngineQuirks } from './quirks.js';

export const podman: EngineQuirks = {
  name: 'podman',
  binary: 'podman',
  psFormat: ['--format', 'json'],
  stopArgs: ['--time', '1'],
  // podman prints only the image id, not its progress.
  pullArgs: ['--quiet'],
  probeArgs: ['info', '--format', '{{.Host.OCIRuntime.Name}}'],
  loginUserArgs: (host) => ['login', '--get-login', host],
  privilegedCreateArgs: ['--mount', 'type=devpts,destination=/dev/pts'],
  execCommand: (command) => [...command],
  install: 'zypper install podman (or transactional-update pkg install podman)',
  // podman 4.3 to 5.x: `podman create --help`.
  createOptions: {
    switches: optionWords(`
      --disable-content-trust --env-host --help --http-proxy --init --interactive -i --no-healthcheck
      --no-hostname --no-hosts --oom-kill-disable --passwd --privileged --publish-all -P --quiet -q
      --read-only --read-only-tmpfs --replace --rm --rootfs --tls-verify --tty -t --unsetenv-all
    `),
    values: optionWords(`
      --add-host --annotation --arch --attach -a --authfile --blkio-weight --blkio-weight-device --cap-add
      --cap-drop --cert-dir --cgroup-conf --cgroup-parent --cgroupns --cgroups --chrootdirs --cidfile
      --conmon-pidfile --cpu-period --cpu-quota --cpu-rt-period --cpu-rt-runtime --cpu-shares -c --cpus
      --cpuset-cpus --cpuset-mems --creds --decryption-key --device --device-cgroup-rule --device-read-bps
      --device-read-iops --device-write-bps --device-write-iops --dns --dns-option --dns-search
      --entrypoint --env -e --env-file --env-merge --expose --gidmap --gpus --group-add --group-entry
      --health-cmd --health-interval --health-log-destination --health-max-log-count --health-max-log-size
      --health-on-failure --health-retries --health-start-period --health-startup-cmd
      --health-startup-interval --health-startup-retries --health-startup-success --health-startup-timeout
      --health-timeout --hostname -h --hosts-file --hostuser --image-volume --init-ctr --init-path --ip
      --ip6 --ipc --label -l --label-file --log-driver --log-opt --mac-address --memory -m
      --memory-reservation --memory-swap --memory-swappiness --mount --name --network --net
      --network-alias --oom-score-adj --os --passwd-entry --personality --pid --pidfile --pids-limit
      --platform --pod --pod-id-file --preserve-fd --preserve-fds --publish -p --pull --rdt-class
      --requires --restart --retry --retry-delay --runtime --sdnotify --seccomp-policy --secret
      --security-opt --shm-size --shm-size-systemd --stop-signal --stop-timeout --subgidname --subuidname
      --sysctl --systemd --timeout --tmpfs --tz --uidmap --ulimit --umask --unsetenv --user -u --userns
      --uts --variant --volume -v --volumes-from --workdir -w
    `),
  },
  userCreateArgs: (rootful) => [
    '--annotation',
    'run.oci.keep_original_groups=1',
    // Rootless, the user is the same uid inside as outside, so their home's files stay theirs.
    ...(rootful ? [] : ['--userns', 'keep-id']),
  ],
  rootlessFailure,
};
