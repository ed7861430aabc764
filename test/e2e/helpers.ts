// Runs the built CLI the way a user or a script would, against real podman.
import { spawn, spawnSync, type ChildProcessByStdio, type SpawnSyncReturns } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import { inject } from 'vitest';

export const ROOT = resolve(import.meta.dirname, '../..');
/** The single executable that ships (`npm run build` makes it); host-update is a symlink to it. */
export const SEA = join(ROOT, 'dist/sea/toolbox');
/**
 * Which form of the CLI the tests run: the single executable by default, because that is what
 * ships; TOOLBOX_E2E_CLI=npm runs the npm form, `node bin/toolbox.js`, on the Node that runs the
 * tests (the system's: see scripts/system-node.mjs).
 */
export const CLI_FORM: 'sea' | 'npm' = process.env.TOOLBOX_E2E_CLI === 'npm' ? 'npm' : 'sea';
/** The command line that starts toolbox; spawn CLI_ARGV[0] with CLI_ARGV.slice(1) + arguments. */
export const CLI_ARGV: readonly string[] =
  CLI_FORM === 'npm' ? [process.execPath, join(ROOT, 'bin/toolbox.js')] : [SEA];
/** The same for host-update. */
export const HOST_UPDATE_ARGV: readonly string[] =
  CLI_FORM === 'npm' ? [process.execPath, join(ROOT, 'bin/host-update.js')] : [join(ROOT, 'dist/sea/host-update')];
/**
 * host-update inside a toolbox: the executable mounts itself into every toolbox it makes, as
 * host-update on PATH, so it needs no mount of its own. The npm form has no one file to mount:
 * this checkout is mounted at `at`, with the machine's node at /usr/bin/node (same glibc).
 */
export function hostUpdateInBox(at: string): { mounts: string[]; argv: string[] } {
  if (CLI_FORM === 'npm')
    return {
      mounts: ['/usr/bin/node:/usr/bin/node:ro', `${ROOT}:${at}:ro`],
      argv: ['node', `${at}/bin/host-update.js`],
    };
  return { mounts: [], argv: ['host-update'] };
}
/** `--podman-args` for the mounts of hostUpdateInBox, or nothing when there are none. */
export function mountArgs(mounts: readonly string[]): string[] {
  return mounts.length ? ['--podman-args', mounts.map((m) => `--volume ${m}`).join(' ')] : [];
}
/**
 * JSON a test reads (a command's stdout, a file); `what` names it when the text is not JSON at
 * all. The caller casts the result to the shape it expects: its assertions check that shape.
 */
export function parseJson(text: string, what: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${what} is not JSON (${String(error)}): ${JSON.stringify(text.slice(0, 400))}`, {
      cause: error,
    });
  }
}
/** The version in package.json, the one the build gives the CLI and its labels. */
export const PACKAGE_VERSION = (
  parseJson(readFileSync(join(ROOT, 'package.json'), 'utf8'), 'package.json') as { version: string }
).version;
/** Spawn arguments for toolbox with `args`: `spawnSync(...cli(args), options)`. */
export function cli(args: readonly string[]): [string, string[]] {
  return [CLI_ARGV[0] as string, [...CLI_ARGV.slice(1), ...args]];
}
/** CLI_ARGV as words for a shell command line (test paths hold no characters a shell treats specially). */
export const CLI_SHELL = CLI_ARGV.join(' ');
export const TEST_IMAGE = 'localhost/toolbox-test:latest';
/**
 * The engine under test: podman, or docker when TOOLBOX_TEST_ENGINE=docker (the e2e-docker
 * project in vitest.config.ts runs the files that matter to a docker user that way). One switch:
 * every toolbox call gets TOOLBOX_ENGINE and DOCKER_HOST through isolatedEnv, and podman() below
 * calls this engine.
 */
export const ENGINE: 'podman' | 'docker' = process.env.TOOLBOX_TEST_ENGINE === 'docker' ? 'docker' : 'podman';
/** CI's own dockerd (.ci/start-dockerd), unless DOCKER_HOST names another. */
export const DOCKER_HOST = process.env.DOCKER_HOST ?? 'unix:///run/toolbox-ci-docker.sock';
/** What a toolbox call needs in its environment to use the engine under test (nothing for podman). */
export const ENGINE_ENV: Record<string, string> = ENGINE === 'docker' ? { TOOLBOX_ENGINE: 'docker', DOCKER_HOST } : {};
export const MINIMAL_IMAGE = 'localhost/toolbox-test-minimal:latest';

export interface Result {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  stdoutBuffer: Buffer;
}

const homes: string[] = [];
// Also when a file is only collected (vitest list): then no hook runs. The run's global teardown
// removes the directory the homes are in (test/e2e/setup.ts) in any case.
process.once('exit', () => {
  removeIsolatedHomes();
});

/**
 * A sealed environment: a private HOME and XDG directories, so the user's own files never leak
 * into a test and the test writes none of theirs. Removed after the file (test/e2e/cleanup.ts),
 * and in any case with the run's directory they live in (test/e2e/setup.ts).
 */
export function isolatedEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const home = mkdtempSync(join(inject('homesDir'), 'home-'));
  homes.push(home);
  mkdirSync(join(home, '.config'), { recursive: true });
  const base: NodeJS.ProcessEnv = {
    PATH: process.env.PATH,
    HOME: home,
    USER: 'root',
    XDG_CONFIG_HOME: join(home, '.config'),
    XDG_DATA_HOME: join(home, '.local/share'),
    XDG_STATE_HOME: join(home, '.local/state'),
    XDG_CACHE_HOME: join(home, '.cache'),
    TOOLBOX_IMAGE: TEST_IMAGE,
    LANG: 'C.UTF-8',
    ...ENGINE_ENV,
  };
  // An undefined value removes the variable rather than setting it.
  return Object.fromEntries(Object.entries({ ...base, ...extra }).filter(([, v]) => v !== undefined));
}

/** Removes the homes isolatedEnv made in this test file (a mount left on one keeps it). */
export function removeIsolatedHomes(): void {
  for (const home of homes.splice(0)) {
    try {
      rmSync(home, { recursive: true, force: true });
    } catch {
      // still mounted or busy: leave it rather than fail the file
    }
  }
}

/**
 * How every synchronous test call runs: output up to 64 MiB, and killed after 4 minutes, because
 * a call that hangs would block the whole run past every vitest timeout.
 */
export const SYNC_LIMITS = { maxBuffer: 64 * 1024 * 1024, timeout: 240_000, killSignal: 'SIGKILL' } as const;

/** A finished spawnSync as a Result. */
export function resultOf(r: SpawnSyncReturns<Buffer>): Result {
  return {
    code: r.status,
    signal: r.signal,
    stdout: r.stdout.toString(),
    stderr: r.stderr.toString(),
    stdoutBuffer: r.stdout,
  };
}

export function toolbox(
  args: string[],
  options: { env?: NodeJS.ProcessEnv; input?: string | Buffer; cwd?: string } = {},
): Result {
  return resultOf(
    spawnSync(...cli(args), {
      env: options.env ?? isolatedEnv(),
      input: options.input ?? '',
      cwd: options.cwd ?? ROOT,
      ...SYNC_LIMITS,
    }),
  );
}

export function toolboxAsync(args: string[], options: { env?: NodeJS.ProcessEnv } = {}) {
  const child = spawn(...cli(args), { env: options.env ?? isolatedEnv(), cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, ...gather(child) };
}

/** A running child's output as it comes (`output()`), and its Result when it closes. */
export function gather(child: ChildProcessByStdio<Writable, Readable, Readable>): {
  done: Promise<Result>;
  output: () => string;
} {
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => {
    stdout += d.toString();
  });
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<Result>((res) =>
    child.on('close', (code, signal) => {
      res({ code, signal, stdout, stderr, stdoutBuffer: Buffer.from(stdout) });
    }),
  );
  return { done, output: () => stdout };
}

/** The engine under test (ENGINE: podman, or docker) with `args`, the way a test checks on it. */
export function podman(args: string[]): { code: number | null; stdout: string; stderr: string } {
  const r = spawnSync(ENGINE, args, { encoding: 'utf8', env: { ...process.env, ...ENGINE_ENV } });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

export function containerState(name: string): string {
  const r = podman(['container', 'inspect', '--format', '{{.State.Status}}', name]);
  return r.code === 0 ? r.stdout.trim() : 'missing';
}

export function containerId(name: string): string {
  return podman(['container', 'inspect', '--format', '{{.Id}}', name]).stdout.trim();
}

export function containersNamed(prefix: string): string[] {
  return podman(['ps', '-a', '--format', '{{.Names}}'])
    .stdout.split('\n')
    .filter((n) => n.startsWith(prefix));
}

/**
 * Removes what this run made: the containers whose name starts with `prefix`, which must be one
 * of this run's (runPrefix), and those a test made itself with RUN_LABEL. Never by a prefix
 * that a user's container, or another run's, could carry: such a prefix is refused.
 */
export function removeContainers(prefix: string): void {
  if (!prefix.includes(`${RUN_TAG}-`))
    throw new Error(`removeContainers(${JSON.stringify(prefix)}): not this run's prefix; name it with runPrefix()`);
  // One listing for both (each podman call costs on a busy machine): name, then the run label.
  // docker's ps gives the labels as one string, with .Label to read one.
  const label = ENGINE === 'docker' ? `{{.Label "${RUN_LABEL_KEY}"}}` : `{{index .Labels "${RUN_LABEL_KEY}"}}`;
  const names = podman(['ps', '-a', '--format', `{{.Names}}\t${label}`])
    .stdout.split('\n')
    .map((line) => line.split('\t'))
    .filter(([name, run]) => name && (name.startsWith(prefix) || run === RUN_TAG))
    .map(([name]) => name!);
  // --ignore: podman 4.3 removes none of the names when one of them is gone meanwhile.
  if (!names.length) return;
  // docker rm has neither --ignore nor -t, and removes the others when one is gone.
  podman(ENGINE === 'docker' ? ['rm', '--force', ...names] : ['rm', '--force', '--ignore', '-t', '0', ...names]);
}

/** Polls until fn is true; for waiting on background processes, never for asserting time. */
export async function waitFor(fn: () => boolean, what: string, limitMs = 30_000): Promise<void> {
  const end = Date.now() + limitMs;
  while (!fn()) {
    if (Date.now() > end) throw new Error(`gave up waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * A user name no account on this machine has, for a test that creates its own user: never one
 * that may be somebody's (or a leftover of a run that was killed), so the test removes exactly
 * what it made and never acts as someone else.
 */
export function freshUserName(prefix: string): string {
  for (;;) {
    const name = `${prefix}-${process.pid.toString(36)}-${randomBytes(3).toString('hex')}`;
    if (spawnSync('id', [name]).status !== 0) return name;
  }
}

/**
 * A tag unique to this run of this test file: every container, image, user, directory and label
 * a test makes carries it, so two runs on one machine never meet, and cleanup touches only what
 * this run made (never a user's container that happens to be named like a test's).
 */
export const RUN_TAG = randomBytes(3).toString('hex');

/** A name prefix unique to this run: `runPrefix('e2e-life-')` is `e2e-life-1a2b3c-`. */
export function runPrefix(base: string): string {
  return `${base}${RUN_TAG}-`;
}

/**
 * The label a container that a test makes itself (`podman create/run`, not toolbox) carries:
 * `podman(['create', ...RUN_LABEL_ARGS, ...])`; removeContainers removes it by this label.
 */
export const RUN_LABEL_KEY = 'io.toolbox.e2e.run';
export const RUN_LABEL = `${RUN_LABEL_KEY}=${RUN_TAG}`;
export const RUN_LABEL_ARGS: readonly string[] = ['--label', RUN_LABEL];

/** Whether the engine under test has image `ref` (docker has no `image exists`). */
export function imageExists(ref: string): boolean {
  return podman(ENGINE === 'docker' ? ['image', 'inspect', ref] : ['image', 'exists', ref]).code === 0;
}

/**
 * Builds an image on the engine under test from a Containerfile's text, tagged `tag` (none:
 * an untagged image); returns its id without docker's `sha256:`. docker reads
 * a Dockerfile unless told the file's name.
 */
export function buildImage(containerfile: string, tag: string | undefined): string {
  const dir = mkdtempSync(join(inject('homesDir'), 'build-'));
  try {
    writeFileSync(join(dir, 'Containerfile'), containerfile);
    const r = podman([
      'build',
      '-q',
      '--network',
      'host',
      '-f',
      join(dir, 'Containerfile'),
      ...(tag ? ['-t', tag] : []),
      dir,
    ]);
    if (r.code !== 0) throw new Error(`${ENGINE} build failed: ${r.stderr}`);
    return r.stdout
      .trim()
      .split('\n')
      .at(-1)!
      .replace(/^sha256:/, '');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `commit` of a container to an image on the engine under test (docker's commit has no -q). */
export function commitContainer(name: string, image: string): number | null {
  return podman(ENGINE === 'docker' ? ['commit', name, image] : ['commit', '-q', name, image]).code;
}

/** Where toolbox keeps the runtime state of the engine under test, as root. */
export const RUNTIME_STATE = `/run/toolbox/${ENGINE}`;
