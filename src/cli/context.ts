// Wires a command's flags to settings and adapters. Everything a command needs comes from here.
import { readFileSync } from 'node:fs';
import { userInfo } from 'node:os';
import { configFile, homeDir, rcFiles, runtimeDir, runtimeTop } from '../config/paths.js';
import { readConfigFile } from '../config/read-config.js';
import { parseToolboxrc, type RcValues } from '../config/toolboxrc.js';
import { readTrustedFile } from '../config/trusted-file.js';
import type { Deps } from '../core/deps.js';
import { ToolboxError } from '../core/errors.js';
import type { HostUser } from '../core/ports.js';
import { resolveSettings, type GlobalFlags, type Settings } from '../core/settings/settings.js';
import { detectEngine, fallbackEngine } from '../engine/detect.js';
import { ConfigGenerationStore } from '../config/generation-store.js';
import { NsenterDirectEntry } from '../engine/direct-entry.js';
import { CliEngine } from '../engine/engine.js';
import { checkRuntimeDirEnv, localRootlessHost } from '../engine/rootless.js';
import { untrustedPath } from '../os/trusted-path.js';
import { FileSessionStore } from '../state/session-store.js';
import { StderrReporter } from '../ui/reporter.js';
import { buildInfo } from './build-info.js';
import { VERSION } from './version.js';

export interface Context {
  settings: Settings;
  deps: Deps;
  reporter: StderrReporter;
}

/** The toolboxrc values, later files winning, and the file each value came from. */
function readRcFiles(env: NodeJS.ProcessEnv = process.env): {
  values: RcValues;
  sources: Partial<Record<keyof RcValues, string>>;
} {
  const values: RcValues = {};
  const sources: Partial<Record<keyof RcValues, string>> = {};
  for (const file of rcFiles(env)) {
    let text: string | undefined;
    try {
      // Only a file nobody but the caller and root could have written: it names the image.
      text = readTrustedFile(file);
    } catch (error) {
      if (error instanceof ToolboxError) throw error;
      const code = (error as NodeJS.ErrnoException).code;
      throw new ToolboxError(`cannot read ${file}: ${code ?? (error as Error).message}`, {
        hint: 'fix its permissions or remove it',
      });
    }
    if (text === undefined) continue;
    const parsed = parseToolboxrc(text, file);
    Object.assign(values, parsed);
    for (const key of Object.keys(parsed) as (keyof RcValues)[]) sources[key] = file;
  }
  return { values, sources };
}

function currentUserName(env: NodeJS.ProcessEnv = process.env): string {
  if (env.USER) return env.USER;
  try {
    return userInfo().username;
  } catch {
    return String(process.getuid?.() ?? 'root');
  }
}

/** The account's own name, for messages about the account (not $USER, which anyone can set). */
function accountName(uid: number): string {
  try {
    return userInfo().username;
  } catch {
    return String(uid);
  }
}

function hostUser(env: NodeJS.ProcessEnv): HostUser {
  const uid = process.getuid?.() ?? 0;
  const gid = process.getgid?.() ?? 0;
  let group = String(gid);
  try {
    const line = readFileSync('/etc/group', 'utf8')
      .split('\n')
      .find((l) => l.split(':')[2] === String(gid));
    const name = line?.split(':')[0];
    if (name !== undefined) group = name;
  } catch {
    /* keep the number */
  }
  return { uid, gid, name: currentUserName(env), group, home: homeDir(env) };
}

export function buildContext(
  flags: GlobalFlags,
  positionalName?: string,
  env: NodeJS.ProcessEnv = process.env,
): Context {
  const reporter = new StderrReporter({ quiet: flags.quiet === true, verbose: flags.verbose === true });
  const rc = readRcFiles(env);
  const file = configFile(env);
  const settings = resolveSettings(
    flags,
    {
      rc: rc.values,
      rcSources: rc.sources,
      config: readConfigFile(file),
      configFile: file,
      env,
      userName: currentUserName(env),
    },
    positionalName,
  );
  const uid = process.getuid?.() ?? 0;
  const rootlessHost = () => localRootlessHost(uid, accountName(uid));
  if (uid !== 0) {
    const problem = checkRuntimeDirEnv(env, rootlessHost());
    if (problem) throw problem;
  }
  const engineName = detectEngine(settings.engine);
  const engine = new CliEngine({
    name: engineName,
    fallback: settings.engine ? undefined : fallbackEngine(engineName),
    sudo: settings.sudo,
    version: VERSION,
    trace: (argv) => {
      reporter.trace(argv);
    },
    rootlessHost,
  });
  // The engine that answers the first call names the directory (a podman that cannot run hands over to docker).
  const sessions = new FileSessionStore(() => runtimeDir(engine.command.join('-'), env), {
    top: runtimeTop(env),
    warn: (m) => {
      reporter.warn(m);
    },
    status: (m) => {
      reporter.status(m);
    },
  });
  let user: HostUser | undefined;
  const deps: Deps = {
    engine,
    sessions,
    // Only root with a rootful engine of its own may enter namespaces itself.
    direct:
      engine.rootful && !settings.sudo && process.getuid?.() === 0
        ? new NsenterDirectEntry((argv) => {
            reporter.trace(argv);
          })
        : undefined,
    reporter,
    version: VERSION,
    // The single executable is host-update too: it is mounted into every toolbox created (the
    // npm form has no one file to mount). Resolved by the kernel: never a symlink.
    executable: () => (buildInfo().form === 'executable' ? trustedExecutable(process.execPath) : undefined),
    hostUser: () => (user ??= hostUser(env)),
    env,
    cwd: process.cwd(),
    generations: new ConfigGenerationStore(configFile(env)),
    onStep: stepHook(env),
  };
  return { settings, deps, reporter };
}

/**
 * For the crash-safety tests only: TOOLBOX_TEST_KILL_AT=upgrade:STEP makes toolbox SIGKILL itself
 * as that step begins, exactly what `kill -9` at that moment does. It gives nothing a user could
 * not do with kill; unset (always, in production) it does nothing.
 */
function stepHook(env: NodeJS.ProcessEnv): ((op: string, step: string) => void) | undefined {
  const at = env.TOOLBOX_TEST_KILL_AT;
  if (!at) return undefined;
  return (op, step) => {
    if (at === `${op}:${step}`) process.kill(process.pid, 'SIGKILL');
  };
}

/** The executable, or why it is not trusted: a path someone else could change is never mounted. */
function trustedExecutable(path: string): string | { untrusted: string } {
  const why = untrustedPath(path, { directory: false });
  return why === undefined ? path : { untrusted: `${path}: ${why}` };
}
