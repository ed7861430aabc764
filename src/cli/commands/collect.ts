// `toolbox collect`: a support bundle of the host's state, gathered from inside the toolbox.
// stdout gets the bundle's path (or the JSON summary); progress and warnings go to stderr.
import { accessSync, constants, lstatSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { configFile } from '../../config/paths.js';
import { readConfigFile } from '../../config/read-config.js';
import { collect } from '../../core/collect/collect.js';
import { customCollectors } from '../../core/collect/custom-collectors.js';
import { ALL_PROFILES, type ProfileName } from '../../core/collect/profile-names.js';
import type { HostTarget } from '../../core/collect/profiles.js';
import { ToolboxError, UsageError } from '../../core/errors.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { counterProgress } from '../../ui/counter-progress.js';
import { buildContext } from '../context.js';
import { StagedBundle } from '../staged-bundle.js';
import { print, printJson } from '../../ui/print.js';

export interface CollectFlags {
  out?: string | undefined;
  profile?: string[] | undefined;
  timeout?: string | undefined;
  json?: boolean | undefined;
  hostPid?: string | undefined;
  maxOutput?: string | undefined;
}

const DEFAULT_TIMEOUT_SECONDS = 30;
/** Per output file: a boot's journal on a busy host fits; a runaway command does not fill the disk. */
const DEFAULT_MAX_OUTPUT = '64M';

export async function collectCommand(
  flags: GlobalFlags,
  options: CollectFlags,
  env: NodeJS.ProcessEnv = process.env,
): Promise<number> {
  const profiles = pickProfiles(options.profile);
  const timeoutSeconds = pickTimeout(options.timeout);
  const maxOutputBytes = pickSize(options.maxOutput ?? DEFAULT_MAX_OUTPUT);
  const target = pickTarget(options.hostPid ?? (env.TOOLBOX_HOST_PID || undefined));
  const path = configFile(env);
  const custom = customCollectors(readConfigFile(path), path);
  const { deps, settings, reporter } = buildContext(flags, undefined, env);
  const dir = checkWritable(options.out);

  const staged = StagedBundle.open(dir);
  const progress = counterProgress('collecting', { quiet: settings.quiet });
  let result;
  let file;
  try {
    result = await collect(deps, settings, {
      profiles,
      custom,
      target,
      timeoutSeconds,
      maxOutputBytes,
      bundle: staged,
      onStart: (total) => {
        progress.start(total);
      },
      onDone: (done, total, record) => {
        progress.tick(done, total, record.id);
        // Cleared before the session ends, whose own status line would land inside the spinner.
        if (done === total) progress.stop();
      },
    });
    file = bundlePath(options.out, result.name);
    staged.commit(file);
  } finally {
    progress.stop();
    staged.discard();
  }
  const { manifest } = result;

  const failed = manifest.commands.filter((c) => c.status !== 'ok');
  if (failed.length) {
    const list = failed.map(
      (c) =>
        `${c.id} (${c.status === 'timeout' ? `killed after ${c.timeoutSeconds}s` : c.exitCode === null ? 'not run' : `exit ${c.exitCode}`})`,
    );
    reporter.warn(`${failed.length} of ${manifest.commands.length} commands did not succeed: ${list.join(', ')}`);
  }
  if (manifest.truncated.length) {
    const cut = manifest.commands
      .filter((c) => c.truncated)
      .map((c) => `${c.id} (${c.output.producedBytes + (c.stderr?.producedBytes ?? 0)} bytes)`);
    reporter.warn(
      `${cut.length} of ${manifest.commands.length} commands printed more than --max-output ${options.maxOutput ?? DEFAULT_MAX_OUTPUT}, and their output was cut: ${cut.join(', ')}`,
    );
  }
  const unlisted = manifest.commands.reduce(
    (n, c) => n + (c.output.unlistedRedactions ?? 0) + (c.stderr?.unlistedRedactions ?? 0),
    0,
  );
  if (manifest.redacted.length)
    reporter.status(`redacted ${manifest.redacted.length + unlisted} secret(s); manifest.json lists where`);

  if (options.json) {
    const summary = {
      bundle: file,
      bytes: result.bytes,
      sha256: result.sha256,
      createdAt: manifest.createdAt,
      toolbox: manifest.toolbox,
      host: manifest.host,
      profiles: manifest.profiles,
      commands: manifest.commands.length,
      ok: manifest.commands.length - failed.length,
      failed: failed.map((c) => ({ id: c.id, status: c.status, exitCode: c.exitCode })),
      redacted: manifest.redacted,
      truncated: manifest.truncated,
    };
    printJson(summary);
  } else {
    print(`${file}\n`);
  }
  return 0;
}

function pickProfiles(given: string[] | undefined): ProfileName[] {
  if (!given || given.length === 0) return [...ALL_PROFILES];
  const names = given.flatMap((g) => g.split(',')).filter(Boolean);
  for (const n of names) {
    if (!(ALL_PROFILES as readonly string[]).includes(n))
      throw new UsageError(`unknown profile ${JSON.stringify(n)}`, `choose from ${ALL_PROFILES.join(', ')}`);
  }
  // In the fixed order, once each, whatever the order given.
  return ALL_PROFILES.filter((p) => names.includes(p));
}

function pickTimeout(given: string | undefined): number {
  if (given === undefined) return DEFAULT_TIMEOUT_SECONDS;
  const n = Number(given);
  if (!/^\d+(\.\d+)?$/.test(given) || !(n > 0))
    throw new UsageError(
      `invalid timeout ${JSON.stringify(given)}`,
      'give the seconds each command may run, e.g. --timeout 60',
    );
  return n;
}

/** 64M, 512K, 1G (powers of 1024), or plain bytes. */
function pickSize(given: string): number {
  const m = /^(\d+)([KMG])?$/i.exec(given);
  const bytes = m ? Number(m[1]) * 1024 ** ' KMG'.indexOf((m[2] ?? ' ').toUpperCase()) : NaN;
  if (!(bytes > 0) || !Number.isSafeInteger(bytes)) {
    throw new UsageError(
      `invalid output size ${JSON.stringify(given)}`,
      'give the most to keep of each output, e.g. --max-output 64M (K, M, G: powers of 1024)',
    );
  }
  return bytes;
}

/** The host: PID 1 and /media/root, or another process's namespaces and root (nested hosts, tests). */
function pickTarget(pidText: string | undefined): HostTarget {
  if (pidText === undefined) return { root: '/media/root', pid: 1 };
  if (!/^[1-9][0-9]*$/.test(pidText))
    throw new UsageError(`not a process ID: ${pidText}`, 'give --host-pid a positive number');
  return { root: `/proc/${pidText}/root`, pid: Number(pidText) };
}

/**
 * --out names the file, or a directory to put it in; by default, the current directory. Only a
 * real directory is one (lstat): a symlink at the name, even to a directory, is a file name, and
 * the bundle replaces the link (rename) rather than going wherever whoever planted it chose.
 */
function bundlePath(out: string | undefined, name: string): string {
  if (out === undefined) return resolve(`${name}.tar.gz`);
  const path = resolve(out);
  return isRealDirectory(path) ? join(path, `${name}.tar.gz`) : path;
}

function isRealDirectory(path: string): boolean {
  return lstatSync(path, { throwIfNoEntry: false })?.isDirectory() === true;
}

/** Fails before collecting, not after, when the bundle has nowhere to go; returns where it goes. */
function checkWritable(out: string | undefined): string {
  const path = resolve(out ?? '.');
  const dir = isRealDirectory(path) ? path : dirname(path);
  try {
    accessSync(dir, constants.W_OK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ToolboxError(`cannot write the bundle to ${path}: ${code}`, {
      hint: 'choose a writable place with --out FILE or --out DIR',
    });
  }
  return dir;
}
