// ContainerEngine over podman or docker. What one engine does differently lives in its quirks
// object (engines/), nowhere else.
import { isatty } from 'node:tty';
import { existsSync } from 'node:fs';
import { EngineError, NameInUseError, type ToolboxError } from '../core/errors.js';
import type {
  BoxInfo,
  BoxSpec,
  CaptureOptions,
  CaptureResult,
  ContainerEngine,
  EngineName,
  ExecRequest,
  ImageFacts,
} from '../core/ports.js';
import { createArgs } from './create-args.js';
import { skopeoInspectArgs } from './skopeo-args.js';
import { registryCause, registryFailure, type RegistryCause } from './registry-errors.js';
import { cannotRunAtAll, engineFailure, isImageMissing, isNameInUse, isNoSuchContainer } from './errors.js';
import { LABEL_MANAGED } from '../core/box/labels.js';
import { parseInspect, parseInspectAll, parsePs } from './parse.js';
import { capture, CommandNotFound, interactive, type Captured } from '../os/runner.js';
import { newestRoot, processesInCgroup, processesWithEnv, topProcess } from '../os/processes.js';
import { isKeepAlive } from './keep-alive.js';
import { localRootlessHost, type RootlessHost } from './rootless.js';
import { installAdvice, quirksOf } from './engines/registry.js';
import { onPath } from '../os/path.js';
import type { EngineQuirks } from './engines/quirks.js';

/** An engine call's options: the port's, and a signal that ends the call as its deadline would. */
type CallOptions = CaptureOptions & { cancel?: AbortSignal };

/** The environment entry that marks every process of one exec session (see execInteractive). */
const sessionMark = (marker: string) => `TOOLBOX_SESSION=${marker}`;

export interface EngineOptions {
  name: EngineName;
  sudo: boolean;
  version: string;
  trace?: ((argv: readonly string[]) => void) | undefined;
  /** the user podman runs as when rootless: its failures are diagnosed against this host */
  rootlessHost?: (() => RootlessHost) | undefined;
  /**
   * The engine to use instead when `name` was detected, not chosen, and its first call shows it
   * cannot run at all (see fallBack): docker where podman is installed but broken.
   */
  fallback?: EngineName | undefined;
}

export class CliEngine implements ContainerEngine {
  // Set once, or once more when the detected engine cannot run and its fallback takes over.
  name!: EngineName;
  command!: readonly string[];
  readonly rootful: boolean;
  private quirks!: EngineQuirks;
  /** what runs: the engine, or sudo */
  private file!: string;
  /** the arguments before the engine's own (sudo's: the engine) */
  private prefix!: readonly string[];
  private readonly sudo: boolean;
  private readonly trace: ((argv: readonly string[]) => void) | undefined;
  private rootlessHost: (() => RootlessHost) | undefined;
  private readonly givenRootlessHost: (() => RootlessHost) | undefined;
  /** until the first call has answered: the engine to try when this one cannot run at all */
  private fallback: EngineName | undefined;
  private fallingBack: Promise<boolean> | undefined;

  constructor(options: EngineOptions) {
    this.sudo = options.sudo;
    this.rootful = options.sudo || process.getuid?.() === 0;
    this.trace = options.trace;
    this.givenRootlessHost = options.rootlessHost;
    this.fallback = options.fallback;
    this.use(options.name);
  }

  private use(name: EngineName): void {
    const quirks = quirksOf(name);
    if (!this.rootful) {
      const refusal = quirks.rootlessUnsupported;
      const denied = refusal?.denied?.();
      if (denied) throw denied;
      if (refusal) throw new EngineError(refusal.message, refusal.hint);
    }
    this.name = name;
    this.quirks = quirks;
    this.file = this.sudo ? 'sudo' : quirks.binary;
    this.prefix = this.sudo ? [quirks.binary] : [];
    this.command = [this.file, ...this.prefix];
    const uid = process.getuid?.() ?? 0;
    this.rootlessHost =
      this.rootful || !quirks.rootlessFailure
        ? undefined
        : (this.givenRootlessHost ?? (() => localRootlessHost(uid, String(uid))));
  }

  /**
   * The detected engine's first call failed as an engine that cannot run at all fails: when the
   * fallback is installed and its daemon answers, it becomes the engine of this process. Costs
   * nothing while the first engine works: one probe, only after a failure of the first call.
   */
  private fallBack(): Promise<boolean> {
    this.fallingBack ??= (async () => {
      const next = this.fallback;
      this.fallback = undefined;
      if (!next) return false;
      const quirks = quirksOf(next);
      if (!onPath(quirks.binary) || (!this.rootful && quirks.rootlessUnsupported)) return false;
      const file = this.sudo ? 'sudo' : quirks.binary;
      const argv = [...(this.sudo ? [quirks.binary] : []), ...quirks.probeArgs];
      this.trace?.([file, ...argv]);
      const r = await capture(file, argv).catch(() => undefined);
      if (r?.exitCode !== 0) return false;
      this.use(next);
      return true;
    })();
    return this.fallingBack;
  }

  /** One line for a failed engine call: a rootless host problem first, then the engine's text. */
  private failure(action: string, target: string, r: { stderr: string; exitCode: number }): ToolboxError {
    const unusable = this.quirks.diagnose?.(r.stderr);
    if (unusable) return unusable;
    const diagnose = this.quirks.rootlessFailure;
    if (this.rootlessHost && diagnose && !isNoSuchContainer(r.stderr)) {
      const cause = diagnose(r.stderr, this.rootlessHost());
      if (cause) return cause;
    }
    return engineFailure(this.name, action, target, r.stderr, r.exitCode);
  }

  /** `args` as a function when they depend on the engine's quirks: a fallback builds them again. */
  private async call(
    args: readonly string[] | (() => readonly string[]),
    input?: string,
    options: CallOptions = {},
  ): Promise<Captured> {
    const argsNow = () => (typeof args === 'function' ? args() : args);
    if (!this.fallback) return this.callOnce(argsNow(), input, options);
    let r: Captured | undefined;
    try {
      r = await this.callOnce(argsNow(), input, options);
    } catch (error) {
      if (!(error instanceof EngineError) || !(await this.fallBack())) throw error;
      return this.callOnce(argsNow(), input, options);
    }
    if (r.exitCode === 0 || !cannotRunAtAll(r.stderr, r.exitCode)) {
      this.fallback = undefined;
      return r;
    }
    return (await this.fallBack()) ? this.callOnce(argsNow(), input, options) : r;
  }

  private async callOnce(args: readonly string[], input?: string, options: CallOptions = {}): Promise<Captured> {
    const argv = [...this.prefix, ...args];
    this.trace?.([this.file, ...argv]);
    try {
      return await capture(this.file, argv, {
        ...(input !== undefined ? { input } : {}),
        ...(options.onLine ? { onLine: options.onLine } : {}),
        ...(options.timeoutMs ? { timeoutMs: options.timeoutMs } : {}),
        ...(options.sinks ? { sinks: options.sinks } : {}),
        ...(options.cancel ? { cancel: options.cancel } : {}),
      });
    } catch (error) {
      throw this.notInstalled(error);
    }
  }

  private notInstalled(error: unknown): unknown {
    if (error instanceof CommandNotFound) {
      return new EngineError(`${error.file} is not installed`, `${installAdvice()}, or choose one with --engine`);
    }
    return error;
  }

  async inspectBox(nameOrId: string): Promise<BoxInfo | undefined> {
    const r = await this.call(['container', 'inspect', nameOrId]);
    if (r.exitCode !== 0) {
      if (isNoSuchContainer(r.stderr) || r.stdout.trim() === '[]') return undefined;
      throw this.failure('inspect', nameOrId, r);
    }
    return parseInspect(r.stdout, this.quirks.binary);
  }

  async listBoxes(): Promise<BoxInfo[]> {
    const r = await this.call(() => [
      'ps',
      '--all',
      '--filter',
      `label=${LABEL_MANAGED}=true`,
      ...this.quirks.psFormat,
    ]);
    if (r.exitCode !== 0) throw this.failure('ps', '', r);
    const boxes = parsePs(r.stdout, this.quirks.binary).filter((b) => b.isToolbox);
    // docker's ps is partial (docker.ts): no image id, beside which alone a toolbox's lineage
    // labels count (generations.ts hasOwnLineage), and its labels as one "k=v,k=v" string that
    // cannot carry the spec label's JSON. Those it lists are read again with one inspect.
    const lacking = boxes.filter((b) => !b.imageId).map((b) => b.id);
    if (!lacking.length) return boxes;
    // A container removed meanwhile is missing from inspect's list (and its exit code is 1).
    const full = await this.call(['container', 'inspect', ...lacking]);
    const read = new Map(parseInspectAll(full.stdout.trim() || '[]', this.quirks.binary).map((b) => [b.id, b]));
    return boxes.flatMap((b) => {
      if (b.imageId) return [b];
      const again = read.get(b.id);
      return again?.isToolbox ? [again] : [];
    });
  }

  async imageExists(image: string): Promise<boolean> {
    const r = await this.call(['image', 'inspect', '--format', '{{.Id}}', image]);
    if (r.exitCode === 0) return true;
    // Only "no such image" means absent: an engine that cannot run at all must say why, not
    // send the user off to build an image that is there.
    if (isImageMissing(r.stderr)) return false;
    throw this.failure('image inspect', image, r);
  }

  async imageFacts(image: string): Promise<ImageFacts | undefined> {
    const r = await this.call([
      'image',
      'inspect',
      '--format',
      '{{.Id}}|{{json .RepoTags}}|{{json .RepoDigests}}',
      image,
    ]);
    if (r.exitCode !== 0) return undefined;
    const [id = '', tags, digests] = r.stdout.trim().split('|');
    const list = (text: string | undefined) => {
      try {
        const v = JSON.parse(text ?? '') as unknown;
        return Array.isArray(v) ? v.map(String) : [];
      } catch {
        return [];
      }
    };
    return { id: id.replace(/^sha256:/, ''), tags: list(tags), digests: list(digests) };
  }

  async removeImage(id: string): Promise<boolean> {
    // Never --force: the engine itself refuses an image that a container still uses.
    const r = await this.call(['image', 'rm', id]);
    return r.exitCode === 0;
  }

  async remoteDigest(image: string): Promise<string> {
    // podman has no way to ask a registry for a digest without pulling; skopeo (same libraries,
    // same signature policy and credentials) does.
    let r: Captured;
    try {
      r = await capture('skopeo', skopeoInspectArgs(image), {});
    } catch (error) {
      if (error instanceof CommandNotFound)
        throw new EngineError(
          'skopeo is not installed, so the registry cannot be asked without pulling',
          'install skopeo, or run toolbox upgrade to pull and rebuild',
        );
      throw error;
    }
    if (r.exitCode !== 0) {
      const cause = registryCause(r.stderr, image);
      if (cause) throw await this.registryFailure(cause, 'check', image);
      // The message names the tool that really ran.
      throw engineFailure('skopeo', 'inspect', image, r.stderr);
    }
    return r.stdout.trim();
  }

  async pullImage(image: string): Promise<void> {
    const r = await this.call(() => ['pull', ...this.quirks.pullArgs, image]);
    if (r.exitCode === 0) return;
    const cause = registryCause(r.stderr, image);
    if (cause) throw await this.registryFailure(cause, 'pull', image);
    throw this.failure('pull', image, r);
  }

  /** A registry's refusal as one line; a refused login says whether there was one to refuse. */
  private async registryFailure(cause: RegistryCause, verb: 'pull' | 'check', image: string): Promise<ToolboxError> {
    let login: string | null | undefined;
    const args = this.quirks.loginUserArgs?.(cause.host);
    if (cause.kind === 'unauthorized' && args) {
      const r = await this.call(args);
      login = r.exitCode === 0 && r.stdout.trim() ? r.stdout.trim() : null;
    }
    return registryFailure(cause, { verb, image, engine: this.command, login });
  }

  async createBox(spec: BoxSpec, labels: Record<string, string>, containerName?: string): Promise<string> {
    const r = await this.call(() => createArgs(this.quirks, spec, labels, this.rootful, existsSync, containerName));
    if (r.exitCode !== 0) {
      if (isNameInUse(r.stderr)) throw new NameInUseError(containerName ?? spec.name);
      throw this.failure('create', spec.name, r);
    }
    return r.stdout.trim();
  }

  /**
   * From /proc, no engine call: both engines put a container's processes in a cgroup named after
   * its full id, and its first process's parent (conmon, or containerd's shim) outside it.
   * Called right after the engine started the container, under the toolbox's lock: the init is
   * the newest root that is the toolbox's keep-alive (see isKeepAlive). Older roots are processes
   * of an earlier run that outlived its stop (a container in the host pid namespace keeps them),
   * and must never be taken for the toolbox. Nor may a newer root that is not the keep-alive: the
   * runtime's own init, which the engine's start can return before it has exec'd the keep-alive
   * (runc's does), or the host-side shell of another session entered directly, which joined the
   * container's cgroups but sits in the host's namespaces.
   */
  runningPid(id: string): number | undefined {
    return newestRoot(processesInCgroup(id), isKeepAlive);
  }

  async renameBox(nameOrId: string, newName: string): Promise<void> {
    const r = await this.call(['rename', nameOrId, newName]);
    if (r.exitCode === 0) return;
    if (isNameInUse(r.stderr)) throw new NameInUseError(newName);
    throw engineFailure(this.name, 'rename', nameOrId, r.stderr, r.exitCode);
  }

  async startBox(nameOrId: string): Promise<void> {
    await this.simple(['start', nameOrId], 'start', nameOrId);
  }

  async unpauseBox(nameOrId: string): Promise<void> {
    await this.simple(['unpause', nameOrId], 'unpause', nameOrId);
  }

  async stopBox(nameOrId: string): Promise<void> {
    await this.simple(() => ['stop', ...this.quirks.stopArgs, nameOrId], 'stop', nameOrId);
  }

  async removeBox(nameOrId: string, force: boolean): Promise<void> {
    await this.simple(['rm', ...(force ? ['--force'] : []), nameOrId], 'rm', nameOrId);
  }

  private async simple(args: string[] | (() => string[]), action: string, target: string): Promise<void> {
    const r = await this.call(args);
    if (r.exitCode !== 0) throw this.failure(action, target, r);
  }

  private execArgs(request: ExecRequest, command = this.quirks.execCommand(request.command)): string[] {
    const args = ['exec', '--interactive'];
    if (request.tty) args.push('--tty');
    if (request.user) args.push('--user', request.user);
    if (request.workdir) args.push('--workdir', request.workdir);
    for (const [k, v] of Object.entries(request.env)) args.push('--env', `${k}=${v}`);
    args.push(request.target, ...command);
    return args;
  }

  async execInteractive(request: ExecRequest): Promise<number> {
    // podman exec does not forward signals; the session marker lets us find the command.
    const marker = request.env.TOOLBOX_SESSION;
    const argv = [...this.prefix, ...this.execArgs(request)];
    this.trace?.([this.file, ...argv]);
    const watchArgs = this.quirks.execWatchArgs?.(request.target);
    try {
      return await interactive(this.file, argv, {
        // An engine whose exec outlives its container is watched, from a moment on: a command
        // that ends sooner (most) costs no second engine call. The watcher is not traced: it
        // starts while the session runs, where a line on stderr would land in its output.
        ...(watchArgs
          ? { watch: { file: this.file, args: [...this.prefix, ...watchArgs], afterMs: EXEC_WATCH_AFTER_MS } }
          : {}),
        onSignal: (signal) => {
          // A terminal's Ctrl-C already reached the whole foreground group; do not send it twice.
          if (signal === 'SIGINT' && isatty(0)) return;
          const pid = marker ? topProcess(processesWithEnv(sessionMark(marker))) : undefined;
          if (pid) {
            try {
              process.kill(pid, signal);
            } catch {
              /* already gone */
            }
          }
        },
      });
    } catch (error) {
      throw this.notInstalled(error);
    }
  }

  async execCapture(request: ExecRequest, input?: string, options: CaptureOptions = {}): Promise<CaptureResult> {
    const result = options.timeoutMs
      ? await this.execUnderDeadline(request, input, options, options.timeoutMs)
      : await this.call(() => this.execArgs({ ...request, tty: false }), input, options);
    if (!result.timedOut) return result;
    // The engine's client is gone, but the command it started lives on in the toolbox (podman
    // exec does not pass the kill on): end every process of the session, found by its marker.
    const marker = request.env.TOOLBOX_SESSION;
    for (const pid of marker ? processesWithEnv(sessionMark(marker)) : []) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* already gone */
      }
    }
    return result;
  }

  /**
   * A command's deadline counts from the moment it runs in the toolbox, never from the start of
   * the engine's client: starting an exec costs podman ~0.1 s but docker (client, daemon,
   * containerd's shim, runc) 0.5-3 s each on a loaded 2-core machine, 12 s for four at once, and
   * that cost is not the command's. A constant sh prints a mark on stderr and execs the command
   * (same PID); the mark is cut from the output and arms the deadline. Until it comes, and once
   * the command's processes are gone, only ENGINE_ALLOWANCE_MS more bounds the engine.
   */
  private async execUnderDeadline(
    request: ExecRequest,
    input: string | undefined,
    options: CaptureOptions,
    timeoutMs: number,
  ): Promise<Captured> {
    const deadline = new AbortController();
    let timer = setTimeout(() => {
      deadline.abort();
    }, timeoutMs + ENGINE_ALLOWANCE_MS);
    let armed = false;
    const expire = () => {
      // The command has ended and only the engine is still finishing (podman's exec teardown
      // takes seconds under load): that is not the command's time either. One /proc scan, made
      // only when a deadline passes.
      const marker = request.env.TOOLBOX_SESSION;
      if (marker && processesWithEnv(sessionMark(marker)).length === 0) {
        timer = setTimeout(() => {
          deadline.abort();
        }, ENGINE_ALLOWANCE_MS);
        return;
      }
      deadline.abort();
    };
    const arm = () => {
      if (armed) return;
      armed = true;
      clearTimeout(timer);
      timer = setTimeout(expire, timeoutMs);
    };
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    const sinks = options.sinks ?? { stdout: (c: Buffer) => out.push(c), stderr: (c: Buffer) => err.push(c) };
    // stderr's first bytes, until they are known to be the mark or not
    const pending: { head: Buffer | undefined } = { head: Buffer.alloc(0) };
    const stderr = (chunk: Buffer) => {
      if (pending.head === undefined) {
        sinks.stderr(chunk);
        return;
      }
      const head = Buffer.concat([pending.head, chunk]);
      pending.head = head;
      if (head.length < STARTED.length && STARTED.subarray(0, head.length).equals(head)) return;
      arm();
      const rest = head.subarray(0, STARTED.length).equals(STARTED) ? head.subarray(STARTED.length) : head;
      pending.head = undefined;
      if (rest.length > 0) sinks.stderr(rest);
    };
    const command = () => ['/bin/sh', '-c', MARK_THEN_EXEC, 'toolbox', ...this.quirks.execCommand(request.command)];
    try {
      const r = await this.call(() => this.execArgs({ ...request, tty: false }, command()), input, {
        ...(options.onLine ? { onLine: options.onLine } : {}),
        cancel: deadline.signal,
        sinks: {
          stdout: (c) => {
            arm();
            sinks.stdout(c);
          },
          stderr,
        },
      });
      // a short stderr that began like the mark but was not it
      if (pending.head?.length) sinks.stderr(pending.head);
      return { ...r, stdout: Buffer.concat(out).toString('utf8'), stderr: Buffer.concat(err).toString('utf8') };
    } finally {
      clearTimeout(timer);
    }
  }
}

/** What the constant sh of a command under a deadline prints first, on stderr (see execUnderDeadline). */
const STARTED = Buffer.from('\x1etoolbox: started\n');
const MARK_THEN_EXEC = `printf '\\036toolbox: started\\n' >&2; unset PWD OLDPWD; exec "$@"`;
/**
 * How long an interactive exec runs before its container is watched (docker: see
 * EngineQuirks.execWatchArgs). A container gone before then is found at once when the watch starts.
 */
const EXEC_WATCH_AFTER_MS = 1000;
/** How long an engine may take to start, or to finish, a command under a deadline, beyond the deadline itself. */
const ENGINE_ALLOWANCE_MS = 60_000;
