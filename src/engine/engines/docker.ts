// docker: supported where podman is not installed, or when chosen with --engine docker.
import { accessSync, constants, existsSync } from 'node:fs';
import { EngineError } from '../../core/errors.js';
import { optionWords, type EngineQuirks } from './quirks.js';

/** docker's client prints these when the daemon behind it cannot be used at all. */
export function dockerFailure(stderr: string): EngineError | undefined {
  const down = /Cannot connect to the Docker daemon at (\S+?)\.? Is the docker daemon running\?/.exec(stderr);
  if (down)
    return new EngineError(
      `the docker daemon is not running (nothing answers at ${down[1] ?? ''})`,
      'start it (systemctl start docker), or point DOCKER_HOST at the daemon',
    );
  const denied = /permission denied while trying to connect to the Docker daemon socket at ([^\s:]+:\/\/[^\s:]+)/.exec(
    stderr,
  );
  if (denied)
    return new EngineError(
      `permission denied on the docker socket ${denied[1] ?? ''}`,
      'run toolbox as root (sudo toolbox ...): a toolbox is a privileged container',
    );
  const api = /client version (\S+) is too new\. Maximum supported API version is (\S+)/.exec(stderr);
  if (api)
    return new EngineError(
      `the docker engine is too old: it speaks API ${api[2] ?? ''}, the docker client ${api[1] ?? ''}`,
      `update docker (toolbox needs 20.10 or newer), or use a client of the daemon's version`,
    );
  if (/unknown flag: --pull\b/.test(stderr))
    return new EngineError(
      'docker is too old: its create has no --pull',
      'update docker: toolbox needs 20.10 or newer',
    );
  return undefined;
}

/** The daemon's socket as DOCKER_HOST names it (unix:// only), or docker's default. */
function socketOf(env: NodeJS.ProcessEnv): string | undefined {
  const host = env.DOCKER_HOST;
  if (!host) return '/var/run/docker.sock';
  return host.startsWith('unix://') ? host.slice('unix://'.length) : undefined;
}

/**
 * A user who may not open the root daemon's socket gets the error docker itself would give,
 * from the socket's mode alone (no call): that is what stands between them and any toolbox.
 */
function socketDenied(env: NodeJS.ProcessEnv = process.env): EngineError | undefined {
  const socket = socketOf(env);
  if (!socket || !existsSync(socket)) return undefined;
  try {
    accessSync(socket, constants.R_OK | constants.W_OK);
    return undefined;
  } catch {
    return new EngineError(
      `permission denied on the docker socket unix://${socket}`,
      'run toolbox as root (sudo toolbox ...): a toolbox is a privileged container',
    );
  }
}

export const docker: EngineQuirks = {
  name: 'docker',
  binary: 'docker',
  // docker prints one JSON object a line, and cuts ids short unless told not to. Its ps is
  // partial: no image id, no pid, and the labels as one "k=v,k=v" string, in which the spec
  // label's JSON (commas inside) cannot be read back; and its Image is the image's id once the
  // tag moved to a newer image. The engine reads each toolbox it lists again with inspect.
  psFormat: ['--no-trunc', '--format', '{{json .}}'],
  stopArgs: ['--time', '1'],
  pullArgs: [],
  // docker has no devpts mount type ('invalid mount config for type "devpts"'); a privileged
  // docker container already gets a devpts instance of its own at /dev/pts.
  privilegedCreateArgs: [],
  // docker exec exits 126 for a command that is not found (podman and a shell: 127): a constant
  // sh script execs it (the same PID), so 126 is "not executable" and 127 "not found" again;
  // it drops the PWD the shell exports, which no exec sets.
  execCommand: (command) => ['/bin/sh', '-c', 'unset PWD OLDPWD; exec "$@"', 'toolbox', ...command],
  // docker exec --interactive never ends when its toolbox (--pid host) is removed or stopped
  // under it while stdin is open: the command and containerd's shim are gone, but the daemon
  // never closes the exec's stream. `wait` ends when the container stops or is not there.
  execWatchArgs: (target) => ['wait', target],
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
  diagnose: dockerFailure,
  // The daemon's version: exit 0 only when the daemon answers (the client alone prints its own).
  probeArgs: ['version', '--format', '{{.Server.Version}}'],
  // A toolbox is a privileged container of the root daemon; rootless docker is out of scope.
  rootlessUnsupported: {
    message: 'rootless docker is not supported',
    hint: 'run toolbox as root (sudo toolbox ...), or choose podman for a rootless toolbox: --engine podman',
    denied: socketDenied,
  },
};
