// User mode (-u) end to end on rootless podman, as real unprivileged users that these tests
// create and remove: their own subuid ranges, runtime directories, podman storage with the test
// image loaded, and the built CLI run by a login shell (`runuser -l`, as `su -` does) or by a
// bare `runuser -u` with the environment a logind session gives, never root's.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createHash, randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FORM, isolatedEnv, podman, TEST_IMAGE, toolbox, waitFor, runPrefix, removeContainers } from './helpers.js';
import { SignedRepoServer } from './signed-repo.js';
import { RootlessUser, SharedFiles } from './support/rootless-user.js';

let shared: SharedFiles;
const users: RootlessUser[] = [];
let alice: RootlessUser;
let BOX: string;

function newUser(options: { runtimeDir?: boolean; image?: boolean } = {}): RootlessUser {
  return RootlessUser.create(shared, (user) => users.push(user), options);
}

/** The user's toolboxes as its own podman sees them: name -> state. */
function states(user: RootlessUser): Record<string, string> {
  const out = JSON.parse(
    user.podman(['ps', '--all', '--filter', 'label=io.toolbox.managed=true', '--format', 'json']),
  ) as { Names: string[]; State: string }[];
  return Object.fromEntries(out.map((c) => [c.Names[0]!, c.State]));
}

beforeAll(() => {
  shared = new SharedFiles();
  alice = newUser();
  BOX = `toolbox-${alice.name}-user`;
});

afterAll(async () => {
  for (const user of users) await user.destroy();
  // unset when beforeAll failed before it made them
  (shared as SharedFiles | undefined)?.cleanup();
});

describe('a user-mode toolbox, rootless', () => {
  it('toolbox -u run id -u from a login shell creates toolbox-$USER-user and prints the uid', () => {
    const r = alice.login('toolbox -u run id -u');
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${alice.uid}\n`);
    expect(r.code).toBe(0);
    // The last session ended: auto-stop.
    expect(states(alice)).toEqual({ [BOX]: 'exited' });
    // Rootless: root's podman has no such container.
    expect(podman(['container', 'exists', BOX]).code).toBe(1);
  });

  it('list --json shows it in mode user', () => {
    const r = alice.toolbox(['list', '--json']);
    expect(r.stderr).toBe('');
    const boxes = JSON.parse(r.stdout) as { name: string; mode: string; status: string; image: string }[];
    expect(boxes.map(({ name, mode, status, image }) => ({ name, mode, status, image }))).toEqual([
      { name: BOX, mode: 'user', status: 'exited', image: TEST_IMAGE },
    ]);
    expect(r.code).toBe(0);
  });

  it('a stopped toolbox it has run before is started once: one engine start, one status line', () => {
    const r = alice.toolbox(['-u', '-v', 'run', 'true']);
    const lines = r.stderr.split('\n').filter((l) => l !== '');
    expect(lines.filter((l) => !l.startsWith('+ '))).toEqual([
      `starting toolbox ${BOX}`,
      `stopping toolbox ${BOX} (last session ended; -n keeps it running)`,
    ]);
    expect(lines.filter((l) => /^\+ podman start /.test(l))).toHaveLength(1);
    expect(r.code).toBe(0);
  });

  it("$HOME, /tmp and the working directory are the user's", () => {
    alice.as(['mkdir', '-p', `${alice.home}/proj/sub`]);
    const hostFile = `/tmp/tbrl-from-host-${alice.name}`;
    const boxFile = `/tmp/tbrl-from-box-${alice.name}`;
    writeFileSync(hostFile, 'from the host\n', { mode: 0o644 });
    try {
      const r = alice.toolbox(
        ['-u', 'run', '-n', '--', 'sh', '-c', `echo "$HOME"; pwd; id -un; cat ${hostFile}; echo from-box > ${boxFile}`],
        { cwd: `${alice.home}/proj/sub` },
      );
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`${alice.home}\n${alice.home}/proj/sub\n${alice.name}\nfrom the host\n`);
      expect(r.code).toBe(0);
      expect(readFileSync(boxFile, 'utf8')).toBe('from-box\n');
      expect(statSync(boxFile).uid).toBe(alice.uid);
    } finally {
      rmSync(hostFile, { force: true });
      rmSync(boxFile, { force: true });
    }
  });

  it('export -u writes a wrapper in ~/.local/bin that runs the tool as the user, in the same directory', () => {
    const name = `${alice.name}-pwd`;
    const r = alice.toolbox(['-u', 'export', '--as', name, '/bin/pwd']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const wrapper = `${alice.home}/.local/bin/${name}`;
    expect(statSync(wrapper).uid).toBe(alice.uid);
    alice.as(['mkdir', '-p', `${alice.home}/w d`]);
    const ran = alice.as([name], { cwd: `${alice.home}/w d` });
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toBe(`${alice.home}/w d\n`);
    expect(ran.code).toBe(0);
    const sh = alice.toolbox(['-u', 'export', '--as', `${alice.name}-sh`, '/bin/sh']);
    expect(sh.code).toBe(0);
    const args = alice.as([`${alice.name}-sh`, '-c', 'id -u; printf "<%s>" "$@"; exit 5', 'sh', 'a b', '']);
    expect(args.stderr).toBe('');
    expect(args.stdout).toBe(`${alice.uid}\n<a b><>`);
    expect(args.code).toBe(5);
    const gone = alice.toolbox(['-u', 'unexport', name, `${alice.name}-sh`]);
    expect(gone.code).toBe(0);
    expect(existsSync(wrapper)).toBe(false);
  });

  it("sudo works inside; the user's files are the user's on the host, and root inside is not root outside", () => {
    const r = alice.toolbox([
      '-u',
      'run',
      '-n',
      '--',
      'sh',
      '-c',
      'sudo -n true && echo sudo-ok; sudo -n id -u; echo mine > ~/mine.txt; sudo -n touch ~/roots.txt',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('sudo-ok\n0\n');
    expect(r.code).toBe(0);
    expect(statSync(`${alice.home}/mine.txt`).uid).toBe(alice.uid);
    expect(readFileSync(`${alice.home}/mine.txt`, 'utf8')).toBe('mine\n');
    // Root in a rootless toolbox is the first uid of the user's subordinate range on the host.
    expect(statSync(`${alice.home}/roots.txt`).uid).toBe(Number(alice.subids().uid.split('-')[0]));
  });

  // The npm form mounts nothing (npm-form.test.ts).
  it.skipIf(CLI_FORM === 'npm')(
    'has host-update, mounted as in every toolbox, and it refuses there in one line',
    () => {
      const HINT = "Hint: use a rootful toolbox: 'toolbox -r' (or run toolbox as root), without --sandbox";
      const asUser = alice.toolbox(['-u', 'run', '-n', '--', 'host-update', 'status']);
      expect({ code: asUser.code, stdout: asUser.stdout, stderr: asUser.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: `Error: host-update must run as root inside the toolbox. ${HINT}\n`,
      });
      const asRoot = alice.toolbox(['-u', 'run', '-n', '--', 'sudo', '-n', 'host-update', 'status']);
      expect({ code: asRoot.code, stdout: asRoot.stdout, stderr: asRoot.stderr }).toEqual({
        code: 1,
        stdout: '',
        stderr: `Error: this toolbox is rootless (it runs in a user namespace), so it cannot change the host. ${HINT}\n`,
      });
    },
  );

  it('enters through podman exec, never directly (only root enters directly)', () => {
    const r = alice.toolbox(['-u', '-v', 'run', '-n', 'true']);
    expect(r.stderr).toMatch(
      new RegExp(`^\\+ podman exec --interactive --user ${alice.uid}:${alice.gid} --workdir ${alice.home} .* true\\n$`),
    );
    expect(r.stderr).not.toContain('nsenter');
    expect(r.code).toBe(0);
    const forced = alice.toolbox(['-u', 'run', '-n', '--exec', 'direct', 'true']);
    expect(forced.stderr).toBe(
      `Error: cannot enter toolbox ${BOX} directly: the engine runs as another user, or this is not root. Hint: use --exec podman (or auto)\n`,
    );
    expect(forced.code).toBe(1);
  });
});

describe('exit codes, streams and signals pass through as in system mode', () => {
  it.each([0, 1, 42])('exit %i', (n) => {
    const r = alice.toolbox(['-u', 'run', '-n', '--', 'sh', '-c', `exit ${n}`]);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(n);
  });

  it('126 for a file that is not executable, 127 for a missing command', () => {
    const notExec = alice.toolbox(['-u', 'run', '-n', '/etc/hostname']);
    expect(notExec.stdout).toBe('');
    expect(notExec.code).toBe(126);
    const missing = alice.toolbox(['-u', 'run', '-n', 'tbrl-no-such-command']);
    expect(missing.stdout).toBe('');
    expect(missing.stderr).toContain('tbrl-no-such-command');
    expect(missing.code).toBe(127);
  });

  it('round-trips 2 MB of binary stdin, stderr kept apart', () => {
    const data = randomBytes(2 * 1024 * 1024);
    const r = alice.toolbox(['-u', 'run', '-n', '--', 'sh', '-c', 'cat; echo err >&2'], { input: data });
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('err\n');
    expect(r.stdoutBuffer.length).toBe(data.length);
    expect(createHash('sha256').update(r.stdoutBuffer).digest('hex')).toBe(
      createHash('sha256').update(data).digest('hex'),
    );
  });

  it.each([
    ['SIGTERM', 'TERM', 7],
    ['SIGINT', 'INT', 9],
  ] as const)('%s reaches the command', async (signal, name, code) => {
    const script = `trap 'echo got-${name}; exit ${code}' ${name}; echo ready; while :; do sleep 0.1; done`;
    const run = alice.toolboxAsync(['-u', 'run', '-n', '--', 'bash', '-c', script]);
    await waitFor(() => run.output().includes('ready'), 'the command to start');
    const pid = run.pid();
    expect(pid).toBeGreaterThan(0);
    process.kill(pid!, signal);
    const r = await run.done;
    expect(r.stdout).toBe(`ready\ngot-${name}\n`);
    expect(r.code).toBe(code);
  });
});

describe('stop, auto-stop and rm', () => {
  it('stop stops it, rm removes it', () => {
    expect(states(alice)[BOX]).toBe('running');
    const stop = alice.toolbox(['-u', 'stop']);
    expect(stop.stderr).toBe('');
    expect(stop.code).toBe(0);
    expect(states(alice)[BOX]).toBe('exited');
    const rm = alice.toolbox(['-u', 'rm']);
    expect(rm.stderr).toBe('');
    expect(rm.code).toBe(0);
    expect(states(alice)).toEqual({});
  });

  it('a session from a login shell and one from a logind session count alike: the first to end does not stop the toolbox', async () => {
    // The login shell has no XDG_RUNTIME_DIR on a host without logind; the other session has one.
    const long = spawn(
      'runuser',
      ['-l', alice.name, '-c', 'toolbox -u run -- sh -c "echo ready; read line; echo done"'],
      { cwd: '/', stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let out = '';
    long.stdout.on('data', (d: Buffer) => {
      out += d.toString();
    });
    const longDone = new Promise<number | null>((res) =>
      long.on('close', (c) => {
        res(c);
      }),
    );
    await waitFor(() => out.includes('ready'), 'the long session to start', 60_000);
    const short = alice.toolbox(['-u', 'run', 'true']);
    expect(short.code).toBe(0);
    expect(states(alice)[BOX]).toBe('running');
    long.stdin.end('\n');
    expect(await longDone).toBe(0);
    expect(out).toBe('ready\ndone\n');
    expect(states(alice)[BOX]).toBe('exited');
  });
});

describe('enter in a real terminal', () => {
  it('toolbox -u creates the toolbox and opens a login shell as the user, in a tmux pane owned by the user', async () => {
    expect(alice.toolbox(['-u', 'rm', '--force']).code).toBe(0);
    const sock = `tbrl-${alice.name}`;
    const tmux = (...args: string[]) => alice.as(['tmux', '-L', sock, ...args], { env: { TERM: 'xterm-256color' } });
    const pane = () => tmux('capture-pane', '-p').stdout;
    expect(tmux('new-session', '-d', '-x', '110', '-y', '30', 'bash', '-l').code).toBe(0);
    try {
      tmux('send-keys', 'cd ~ && clear && toolbox -u', 'Enter');
      await waitFor(() => pane().includes(`[${alice.name}@${BOX} ~]$`), 'the toolbox prompt', 60_000);
      tmux('send-keys', 'echo "uid=$(id -u) home=$HOME tty=$(tty)"; sudo -n true && echo sudo-ok', 'Enter');
      // A line of its own: the typed command line holds "sudo-ok" too, before anything ran.
      await waitFor(() => pane().split('\n').includes('sudo-ok'), 'the commands to run');
      const text = pane();
      expect(text).toContain(
        `creating toolbox ${BOX} from ${TEST_IMAGE}\nstarting toolbox ${BOX}\nsetting up user ${alice.name} (with sudo) in ${BOX}\nentering toolbox ${BOX}; type 'exit' to leave\n`,
      );
      expect(text).toMatch(new RegExp(`\\nuid=${alice.uid} home=${alice.home} tty=/dev/pts/\\d+\\nsudo-ok\\n`));
      tmux('send-keys', 'exit', 'Enter');
      await waitFor(() => pane().includes(`stopping toolbox ${BOX}`), 'the session to end');
      await waitFor(() => states(alice)[BOX] === 'exited', 'the toolbox to stop');
    } finally {
      tmux('kill-server');
    }
  });
});

describe('tools with zypper in user mode', () => {
  const repo = new SignedRepoServer();
  beforeAll(async () => {
    repo.build([{ name: 'tbrl-hello', script: '#!/bin/sh\necho "hello from tbrl-hello $*"' }]);
    await repo.start();
    repo.publish('rl', ['tbrl-hello']);
    // The key file is the user's own: the user names it.
    copyFileSync(repo.keyFile, `${alice.home}/repo-key.asc`);
    chmodSync(`${alice.home}/repo-key.asc`, 0o644);
  });
  afterAll(() => repo.cleanup());

  it('repo add, install, run, remove', () => {
    const add = alice.toolbox(['-u', '-q', 'repo', 'add', 'rl', repo.url('rl'), '--key', `${alice.home}/repo-key.asc`]);
    expect(add.stderr).toBe('');
    expect(add.code).toBe(0);
    const install = alice.toolbox(['-u', '-q', 'install', 'tbrl-hello', '--json']);
    expect(install.stderr).toBe('');
    expect(install.stdout).toBe(
      JSON.stringify({ installed: ['tbrl-hello'], alreadyPresent: [], failed: [] }, null, 2) + '\n',
    );
    expect(install.code).toBe(0);
    const run = alice.toolbox(['-u', 'run', 'tbrl-hello', 'x']);
    expect(run.stdout).toBe('hello from tbrl-hello x\n');
    expect(run.code).toBe(0);
    const remove = alice.toolbox(['-u', '-q', 'remove', 'tbrl-hello']);
    expect(remove.stderr).toBe('');
    expect(remove.code).toBe(0);
    const gone = alice.toolbox(['-u', 'run', '--', 'rpm', '-q', 'tbrl-hello']);
    expect(gone.stdout).toBe('package tbrl-hello is not installed\n');
    expect(gone.code).toBe(1);
  });
});

describe('two users and root, one toolbox name', () => {
  const P = runPrefix('tbrl-');
  const SAME = `${P}same`;
  const rootEnv = isolatedEnv();
  let bob: RootlessUser;
  beforeAll(() => {
    bob = newUser();
  });
  afterAll(() => {
    removeContainers(P);
  });

  it('each gets its own toolbox and sees only its own', () => {
    for (const user of [alice, bob]) {
      const r = user.toolbox(['-u', '-c', SAME, 'run', '-n', '--', 'sh', '-c', 'id -un; echo "$HOME"']);
      expect(r.stdout).toBe(`${user.name}\n${user.home}\n`);
      expect(r.code).toBe(0);
    }
    const root = toolbox(['-c', SAME, 'run', '-n', 'id', '-un'], { env: rootEnv });
    expect(root.stdout).toBe('root\n');
    expect(root.code).toBe(0);

    const ids = (user: RootlessUser) =>
      (JSON.parse(user.toolbox(['list', '--json']).stdout) as { name: string; id: string }[])
        .filter((b) => b.name === SAME)
        .map((b) => b.id);
    const [a, b] = [ids(alice), ids(bob)];
    const r = podman(['container', 'inspect', '--format', '{{.Id}}', SAME]).stdout.trim();
    expect(a).toHaveLength(1);
    expect(b).toHaveLength(1);
    expect(new Set([a[0], b[0], r]).size).toBe(3);
    // Removing alice's leaves bob's and root's.
    expect(alice.toolbox(['-u', '-c', SAME, 'rm', '--force']).code).toBe(0);
    expect(ids(alice)).toEqual([]);
    expect(ids(bob)).toEqual(b);
    expect(podman(['container', 'inspect', '--format', '{{.Id}}', SAME]).stdout.trim()).toBe(r);
    expect(bob.toolbox(['-u', '-c', SAME, 'run', '-n', 'id', '-un']).stdout).toBe(`${bob.name}\n`);
  });

  it('a user without a subuid range gets one line naming the fix, for a toolbox it has and for a new one', async () => {
    const ranges = bob.subids();
    // As after a reboot: no podman process of bob's keeps the namespace it had.
    await bob.endProcesses();
    bob.dropSubids(ranges);
    try {
      const expected = `Error: rootless podman needs subordinate uid and gid ranges for ${bob.name}, and /etc/subuid or /etc/subgid has none. Hint: as root: usermod --add-subuids 100000-165535 --add-subgids 100000-165535 ${bob.name} (a range no other user has), then run 'podman system migrate' as ${bob.name}\n`;
      for (const args of [
        ['-u', '-c', SAME, 'run', 'true'],
        ['-u', 'run', 'true'],
      ]) {
        const r = bob.toolbox(args);
        expect(r.stderr).toBe(expected);
        expect(r.stdout).toBe('');
        expect(r.code).toBe(125);
      }
    } finally {
      bob.restoreSubids(ranges);
    }
  });
});

describe('a host not set up for rootless podman: one line naming the cause and the fix', () => {
  let carol: RootlessUser;
  beforeAll(async () => {
    // A user who had it all, on a host that then lost the runtime directory (no logind).
    carol = newUser();
    await carol.endProcesses();
    rmSync(carol.runtimeDir, { recursive: true });
  });

  it('no runtime directory, from a login shell (no XDG_RUNTIME_DIR)', () => {
    const r = carol.login('toolbox -u run true');
    expect(r.stderr).toBe(
      `Error: rootless podman needs the runtime directory /run/user/${carol.uid}, which does not exist (systemd-logind makes it at login). Hint: log in as ${carol.name} through logind (ssh, machinectl shell ${carol.name}@), or as root: install -d -m 0700 -o ${carol.name} -g $(id -g ${carol.name}) /run/user/${carol.uid}\n`,
    );
    expect(r.code).toBe(125);
  });

  it('XDG_RUNTIME_DIR names a directory that does not exist', () => {
    const r = carol.toolbox(['-u', 'run', 'true']);
    expect(r.stderr).toBe(
      `Error: XDG_RUNTIME_DIR=/run/user/${carol.uid} does not exist (systemd-logind makes it at login). Hint: log in as ${carol.name} through logind (ssh, machinectl shell ${carol.name}@), or as root: install -d -m 0700 -o ${carol.name} -g $(id -g ${carol.name}) /run/user/${carol.uid}\n`,
    );
    expect(r.code).toBe(1);
  });

  it('XDG_RUNTIME_DIR inherited from root (sudo -u, su without -)', () => {
    const rootsDir = mkdtempSync(join(tmpdir(), runPrefix('tbrl-roots-runtime-')));
    try {
      const r = carol.toolbox(['-u', 'run', 'true'], { env: { XDG_RUNTIME_DIR: rootsDir } });
      expect(r.stderr).toBe(
        `Error: XDG_RUNTIME_DIR=${rootsDir} is not owned by ${carol.name} (uid ${carol.uid}): it was inherited from another user's session. Hint: start a login session as ${carol.name} (su - ${carol.name}, machinectl shell ${carol.name}@), or set XDG_RUNTIME_DIR=/run/user/${carol.uid}\n`,
      );
      expect(r.code).toBe(1);
      expect(existsSync(join(rootsDir, 'toolbox'))).toBe(false);
    } finally {
      rmSync(rootsDir, { recursive: true, force: true });
    }
  });

  it('no /dev/mqueue (a host booted without systemd)', async () => {
    // A private mount namespace whose /dev is a fresh tmpfs with the usual devices but no
    // mqueue; alice's podman starts anew in it. The host's /dev is untouched.
    await alice.endProcesses();
    const old = mkdtempSync(join(tmpdir(), runPrefix('tbrl-dev-')));
    const script = [
      'set -e; mount --rbind /dev "$1"; mount -t tmpfs -o mode=755 none /dev',
      'for n in null zero full random urandom tty ptmx fuse; do if [ -e "$1/$n" ]; then touch "/dev/$n"; mount --bind "$1/$n" "/dev/$n"; fi; done',
      'mkdir /dev/pts /dev/shm /dev/net; mount --rbind "$1/pts" /dev/pts; mount -t tmpfs none /dev/shm',
      'if [ -e "$1/net/tun" ]; then touch /dev/net/tun; mount --bind "$1/net/tun" /dev/net/tun; fi',
      'shift; exec "$@"',
    ].join('\n');
    try {
      const r = spawnSync(
        'unshare',
        [
          '--mount',
          '--propagation',
          'private',
          'sh',
          '-c',
          script,
          'sh',
          old,
          'runuser',
          '-u',
          alice.name,
          '--',
          'env',
          '-i',
          ...alice.loginEnv(),
          ...shared.argv,
          '-u',
          '-c',
          'tbrl-mqueue',
          'run',
          'true',
        ],
        { cwd: alice.home, encoding: 'utf8', input: '' },
      );
      expect(r.stderr).toBe(
        'Error: rootless podman cannot share the host IPC namespace: the host has no /dev/mqueue (systemd mounts it at boot). Hint: as root: mkdir -p /dev/mqueue && mount -t mqueue mqueue /dev/mqueue\n',
      );
      expect(r.status).toBe(125);
    } finally {
      // alice's podman of that namespace must not outlive the test.
      await alice.endProcesses();
      rmSync(old, { recursive: true, force: true });
    }
  });

  it('a ulimit above the hard limit', () => {
    const hard = Number(alice.as(['sh', '-c', 'ulimit -Hn']).stdout.trim());
    const r = alice.toolbox([
      '-u',
      '-c',
      'tbrl-rlimit',
      '--podman-args',
      `--ulimit nofile=${hard + 1}:${hard + 1}`,
      'run',
      'true',
    ]);
    expect(r.stderr).toBe(
      "Error: rootless podman cannot set the nofile limit in the toolbox: it is above your hard limit ('ulimit -H -a' shows it). Hint: lower nofile in default_ulimits of containers.conf (or in --podman-args --ulimit) to at most your hard limit, or raise the hard limit in /etc/security/limits.conf\n",
    );
    expect(r.code).toBe(125);
  });
});
