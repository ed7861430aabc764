// docker: supported where podman is not installed, or when chosen with --engine docker.
import { optionWords, type EngineQuirks } from './quirks.js';

export const docker: EngineQuirks = {
  name: 'docker',
  binary: 'docker',
  // docker prints one JSON object a line, and cuts ids short unless told not to.
  psFormat: ['--no-trunc', '--format', '{{json .}}'],
  stopArgs: ['--time', '1'],
  pullArgs: [],
  install: 'zypper install docker (or transactional-update pkg install docker)',
  // docker 20.10 to 28: `docker create --help`.
  createOptions: {
    switches: optionWords(`
      --disable-content-trust --help --init --interactive -i --no-healthcheck --oom-kill-disable
      --privileged --publish-all -P --quiet -q --read-only --rm --tty -t --use-api-socket
    `),
    values: optionWords(`
      --add-host --annotation --attach -a --blkio-weight --blkio-weight-device --cap-add --cap-drop
      --cgroup-parent --cgroupns --cidfile --cpu-count --cpu-percent --cpu-period --cpu-quota
      --cpu-rt-period --cpu-rt-runtime --cpu-shares -c --cpus --cpuset-cpus --cpuset-mems --device
      --device-cgroup-rule --device-read-bps --device-read-iops --device-write-bps --device-write-iops
      --dns --dns-option --dns-search --domainname --entrypoint --env -e --env-file --expose --gpus
      --group-add --health-cmd --health-interval --health-retries --health-start-interval
      --health-start-period --health-timeout --hostname -h --io-maxbandwidth --io-maxiops --ip --ip6 --ipc
      --isolation --kernel-memory --label -l --label-file --link --link-local-ip --log-driver --log-opt
      --mac-address --memory -m --memory-reservation --memory-swap --memory-swappiness --mount --name
      --network --net --network-alias --oom-score-adj --pid --pids-limit --platform --publish -p --pull
      --restart --runtime --security-opt --shm-size --stop-signal --stop-timeout --storage-opt --sysctl
      --tmpfs --ulimit --user -u --userns --uts --volume -v --volume-driver --volumes-from --workdir -w
    `),
  },
  userCreateArgs: () => [],
};
