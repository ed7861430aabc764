// A throwaway unprivileged user for the rootless tests, set up as a real host sets one up:
// useradd -m (which gives it its own subuid/subgid range), a runtime directory as logind would
// make it, its own podman configuration and storage, the test image loaded into that storage,
// and `toolbox` on its PATH. destroy() removes all of it: its processes (found by uid, killed by
// pid), its containers and storage, its home, and what podman and tmux left in /tmp.
import { spawn, spawnSync, type ChildProcess, type SpawnSyncOptions } from 'node:child_process';
import { chmodSync, cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CLI_FORM,
  freshUserName,
  gather,
  resultOf,
  ROOT,
  runPrefix,
  SEA,
  SYNC_LIMITS,
  TEST_IMAGE,
  type Result,
} from '../helpers.js';

/** What a call as the user gives: the same as the suite's own calls. */
export type UserResult = Result;

function must(cmd: string, args: string[], options: SpawnSyncOptions = {}): string {
  const r = spawnSync(cmd, args, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024, ...options });
  if (r.status !== 0)
    throw new Error(`${cmd} ${args.join(' ')} exited ${r.status}: ${String(r.stderr)}${String(r.stdout)}`);
  return String(r.stdout);
}

/**
 * Files every throwaway user shares, readable by anyone: the built CLI (copied, so that a
 * checkout under /root works too) and the test image saved once by root's podman.
 */
export class SharedFiles {
  readonly dir = mkdtempSync(join(tmpdir(), runPrefix('tbrl-shared-')));
  /** the CLI as the e2e suite runs it: the single executable, or the npm form */
  readonly cli = CLI_FORM === 'sea' ? join(this.dir, 'toolbox/toolbox') : join(this.dir, 'toolbox/bin/toolbox.js');
  /** what a user runs to call it */
  readonly argv: readonly string[] = CLI_FORM === 'sea' ? [this.cli] : [process.execPath, this.cli];
  readonly imageTar = join(this.dir, 'image.tar');

  constructor() {
    chmodSync(this.dir, 0o755);
    if (CLI_FORM === 'sea') cpSync(SEA, this.cli);
    else {
      const notSea = (src: string) => !src.startsWith(join(ROOT, 'dist/sea'));
      for (const part of ['bin', 'dist', 'package.json'])
        cpSync(join(ROOT, part), join(this.dir, 'toolbox', part), { recursive: true, filter: notSea });
    }
    must('podman', ['save', '--quiet', '-o', this.imageTar, TEST_IMAGE]);
    must('chmod', ['-R', 'a+rX', this.dir]);
  }

  cleanup(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RootlessUser {
  readonly name: string;
  readonly uid: number;
  readonly gid: number;
  readonly home: string;
  readonly runtimeDir: string;

  private constructor(
    name: string,
    private readonly shared: SharedFiles,
  ) {
    this.name = name;
    this.uid = Number(must('id', ['-u', name]).trim());
    this.gid = Number(must('id', ['-g', name]).trim());
    this.home = `/home/${name}`;
    this.runtimeDir = `/run/user/${this.uid}`;
  }

  /**
   * A new user with a unique name; `runtimeDir: false` leaves out what logind would make.
   * `track` gets the user as soon as it exists, so a setup that fails halfway is still removed.
   */
  static create(
    shared: SharedFiles,
    track: (user: RootlessUser) => void,
    options: { runtimeDir?: boolean; image?: boolean } = {},
  ): RootlessUser {
    const name = freshUserName('tbrl');
    must('useradd', ['-m', '-s', '/bin/bash', name]);
    const user = new RootlessUser(name, shared);
    track(user);
    if (options.runtimeDir !== false) user.makeRuntimeDir();
    user.writeFile('.config/containers/storage.conf', '[storage]\ndriver = "overlay"\n');
    // This VM's rootless podman: runc (crun cannot do its cgroup layout), no systemd.
    user.writeFile(
      '.config/containers/containers.conf',
      '[engine]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\nruntime = "runc"\n',
    );
    // What a login shell reads: the image (a real user would leave the default), and PATH.
    user.writeFile('.toolboxrc', `IMAGE=${TEST_IMAGE}\n`);
    user.as(['mkdir', '-p', `${user.home}/.local/bin`]);
    user.as(['ln', '-s', shared.cli, `${user.home}/.local/bin/toolbox`]);
    if (options.image !== false) user.podman(['load', '--quiet', '-i', shared.imageTar]);
    return user;
  }

  makeRuntimeDir(): void {
    must('install', ['-d', '-o', this.name, '-g', String(this.gid), '-m', '700', this.runtimeDir]);
  }

  /** Writes a file in the user's home as the user. */
  writeFile(path: string, content: string): void {
    const full = join(this.home, path);
    this.as(['mkdir', '-p', full.slice(0, full.lastIndexOf('/'))]);
    must('runuser', ['-u', this.name, '--', 'tee', full], { input: content, cwd: '/' });
  }

  /** The environment a login through logind gives; nothing inherited from root. */
  loginEnv(extra: Record<string, string> = {}): string[] {
    const env: Record<string, string> = {
      HOME: this.home,
      USER: this.name,
      LOGNAME: this.name,
      SHELL: '/bin/bash',
      PATH: `${this.home}/.local/bin:/usr/local/bin:/usr/bin:/bin`,
      LANG: 'C.UTF-8',
      XDG_RUNTIME_DIR: this.runtimeDir,
      TOOLBOX_IMAGE: TEST_IMAGE,
      ...extra,
    };
    return Object.entries(env)
      .filter(([, v]) => v !== '')
      .map(([k, v]) => `${k}=${v}`);
  }

  /** Runs argv as the user with `runuser -u` and an explicit environment (env -i). */
  as(
    argv: string[],
    options: { env?: Record<string, string>; cwd?: string; input?: string | Buffer } = {},
  ): UserResult {
    return resultOf(
      spawnSync('runuser', ['-u', this.name, '--', 'env', '-i', ...this.loginEnv(options.env), ...argv], {
        cwd: options.cwd ?? '/',
        input: options.input ?? '',
        ...SYNC_LIMITS,
      }),
    );
  }

  /** The built CLI as the user, from a bare `runuser -u` (cwd: the user's home unless given). */
  toolbox(
    args: string[],
    options: { env?: Record<string, string>; cwd?: string; input?: string | Buffer } = {},
  ): UserResult {
    return this.as([...this.shared.argv, ...args], { cwd: this.home, ...options });
  }

  /** A login shell (`runuser -l`, as `su -` gives): PATH, HOME and the rest from the login. */
  login(script: string, input = ''): UserResult {
    return resultOf(spawnSync('runuser', ['-l', this.name, '-c', script], { cwd: '/', input, ...SYNC_LIMITS }));
  }

  /** The built CLI in the background; `pid()` is the CLI's own process (runuser's child). */
  toolboxAsync(args: string[]): {
    child: ChildProcess;
    done: Promise<UserResult>;
    output: () => string;
    pid: () => number | undefined;
  } {
    const child = spawn(
      'runuser',
      ['-u', this.name, '--', 'env', '-i', ...this.loginEnv(), ...this.shared.argv, ...args],
      {
        cwd: this.home,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    const pid = () => {
      try {
        const kids = readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim();
        return kids ? Number(kids.split(' ')[0]) : undefined;
      } catch {
        return undefined;
      }
    };
    return { child, ...gather(child), pid };
  }

  podman(args: string[]): string {
    const r = this.as(['podman', ...args]);
    if (r.code !== 0) throw new Error(`podman ${args.join(' ')} as ${this.name} exited ${r.code}: ${r.stderr}`);
    return r.stdout;
  }

  /** podman's answer as the user, failing or not. */
  tryPodman(args: string[]): UserResult {
    return this.as(['podman', ...args]);
  }

  /** The user's subordinate uid range from /etc/subuid, and the gid one from /etc/subgid. */
  subids(): { uid: string; gid: string } {
    const find = (file: string) => {
      const line = readFileSync(file, 'utf8')
        .split('\n')
        .find((l) => l.startsWith(`${this.name}:`));
      if (!line) throw new Error(`${this.name} has no line in ${file}`);
      const [, start, count] = line.split(':');
      return `${start}-${Number(start) + Number(count) - 1}`;
    };
    return { uid: find('/etc/subuid'), gid: find('/etc/subgid') };
  }

  /** Removes this user's ranges with usermod (which locks the files), never anyone else's. */
  dropSubids(ranges: { uid: string; gid: string }): void {
    must('usermod', ['--del-subuids', ranges.uid, '--del-subgids', ranges.gid, this.name]);
  }

  restoreSubids(ranges: { uid: string; gid: string }): void {
    must('usermod', ['--add-subuids', ranges.uid, '--add-subgids', ranges.gid, this.name]);
  }

  /** Processes of this user: its own uid, or one of its container's (its subuid range). */
  processes(ranges?: { uid: string }): number[] {
    const [lo, hi] = (ranges?.uid ?? '1-0').split('-').map(Number) as [number, number];
    const pids: number[] = [];
    for (const entry of readdirSync('/proc')) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const uid = statSync(`/proc/${entry}`).uid;
        if (uid === this.uid || (uid >= lo && uid <= hi)) pids.push(Number(entry));
      } catch {
        /* gone */
      }
    }
    return pids;
  }

  /** Kills every process of the user's (by pid), as a reboot would, and waits until they are gone. */
  async endProcesses(ranges = this.subidsOrNone()): Promise<void> {
    for (let round = 0; round < 100; round++) {
      const pids = this.processes(ranges);
      if (pids.length === 0) return;
      for (const pid of pids) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          /* gone */
        }
      }
      await new Promise((r) => setTimeout(r, 100));
    }
  }

  private subidsOrNone(): { uid: string; gid: string } | undefined {
    try {
      return this.subids();
    } catch {
      return undefined;
    }
  }

  /** Everything this user was and made, gone. Safe to call twice. */
  async destroy(): Promise<void> {
    if (!existsSync(this.home) && spawnSync('id', [this.name]).status !== 0) return;
    // Its containers first, by podman itself (its own storage only), so nothing is left mounted.
    if (existsSync(this.runtimeDir)) this.as(['podman', 'rm', '--all', '--force', '--time', '0']);
    await this.endProcesses();
    spawnSync('userdel', ['-r', '-f', this.name], { encoding: 'utf8' });
    for (const dir of [
      this.home,
      this.runtimeDir,
      `/tmp/podman-run-${this.uid}`,
      `/tmp/containers-user-${this.uid}`,
      `/tmp/toolbox-${this.uid}`,
      `/tmp/tmux-${this.uid}`,
    ]) {
      rmSync(dir, { recursive: true, force: true });
    }
  }
}
