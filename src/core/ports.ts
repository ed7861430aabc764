// The interfaces the core talks to. Adapters implement them; unit tests fake them.
/** The engines an adapter can be, and the modes a toolbox can run in: the one list of each. */
export const ENGINES = ['podman', 'docker'] as const;
export const MODES = ['system', 'user'] as const;

export type Mode = (typeof MODES)[number];
/** One per file in src/engine/engines, listed in its registry (a unit test holds them equal). */
export type EngineName = (typeof ENGINES)[number];

/** Everything needed to create (or recreate) a toolbox; stored in its labels. */
export interface BoxSpec {
  name: string;
  image: string;
  mode: Mode;
  sandbox: boolean;
  runtime?: string | undefined;
  engineArgs: string[];
  /** user mode: who the toolbox is for */
  user?: HostUser | undefined;
}

export interface HostUser {
  uid: number;
  gid: number;
  name: string;
  group: string;
  home: string;
}

export type BoxStatus =
  'running' | 'created' | 'exited' | 'paused' | 'stopping' | 'removing' | 'configured' | 'unknown';

export interface BoxInfo {
  name: string;
  id: string;
  image: string;
  status: BoxStatus;
  created: string;
  isToolbox: boolean;
  mode: Mode | undefined;
  version: string | undefined;
  spec: BoxSpec | undefined;
  /** host pid of the container's keep-alive process, 0 when not running */
  pid: number;
  startedAt: string;
  /** the engine's container index that confirms this id and name without an engine call (podman) */
  storeIndex?: string | undefined;
  /** the id of the image it was created from, without "sha256:" ('' when the engine did not say) */
  imageId: string;
  labels: Record<string, string>;
}

export interface ImageFacts {
  id: string;
  /** the names that point at it; an image without any is used by nothing but containers */
  tags: string[];
  /** registry digests it was pulled as (repo@sha256:...) */
  digests: string[];
}

export interface ExecRequest {
  target: string;
  command: string[];
  tty: boolean;
  user?: string | undefined;
  workdir?: string | undefined;
  env: Record<string, string>;
}

export interface CaptureResult {
  exitCode: number;
  stdout: string;
  stderr: string;
  /** set when a deadline ended the command (it and everything it started were killed) */
  timedOut?: boolean;
}

export interface CaptureOptions {
  /**
   * kill the command (inside the toolbox too) when it runs longer than this, counted from its
   * start inside the toolbox: the engine's time to start an exec is not the command's
   */
  timeoutMs?: number | undefined;
  /** sees each line of stdout as it arrives (progress of a long command) */
  onLine?: ((line: string) => void) | undefined;
  /**
   * Takes the output as it arrives, chunk by chunk, instead of capturing it (then the result's
   * stdout and stderr are empty): output of any size in bounded memory. All of it is read, so
   * the command never sees a closed pipe. A sink that throws ends the command and the call.
   */
  sinks?: OutputSinks | undefined;
}

export interface OutputSinks {
  stdout(chunk: Buffer): void;
  stderr(chunk: Buffer): void;
}

export interface ContainerEngine {
  readonly name: EngineName;
  /** e.g. ["sudo", "podman"]: what the user would type */
  readonly command: readonly string[];
  readonly rootful: boolean;
  inspectBox(nameOrId: string): Promise<BoxInfo | undefined>;
  listBoxes(): Promise<BoxInfo[]>;
  imageExists(image: string): Promise<boolean>;
  /** The local image's id, tags and digests; undefined when there is no such image. */
  imageFacts(image: string): Promise<ImageFacts | undefined>;
  /** Removes an image only if no container uses it; false when the engine refused. */
  removeImage(id: string): Promise<boolean>;
  /** The digest the registry serves for a remote image now (without pulling it). */
  remoteDigest(image: string): Promise<string>;
  pullImage(image: string): Promise<void>;
  /** containerName: create under another name than spec.name (upgrade builds the new one aside) */
  createBox(spec: BoxSpec, labels: Record<string, string>, containerName?: string): Promise<string>;
  renameBox(nameOrId: string, newName: string): Promise<void>;
  startBox(nameOrId: string): Promise<void>;
  unpauseBox(nameOrId: string): Promise<void>;
  stopBox(nameOrId: string): Promise<void>;
  removeBox(nameOrId: string, force: boolean): Promise<void>;
  /**
   * The host PID of a container it has just started, found without calling the engine: in the
   * process table, where this engine puts a container's processes (undefined: not found there).
   */
  runningPid(id: string): number | undefined;
  /** Runs a command inside with the caller's stdio; resolves to its exit code. */
  execInteractive(request: ExecRequest): Promise<number>;
  /** Runs a command inside and captures its output (setup steps, package work, diagnostics). */
  execCapture(request: ExecRequest, input?: string, options?: CaptureOptions): Promise<CaptureResult>;
}

/**
 * Toolbox-owned runtime state. Everything about a container (its lock, sessions, cached record)
 * is keyed by its FULL id; a typed name or id prefix is resolved to the id first. The only state
 * keyed by a name is the name -> id cache and the lock that claims a name while it is created.
 */
export interface SessionStore {
  /**
   * The full id of the container named `name`, from the cache, when the engine's own container
   * index still confirms that id and name (no engine call); undefined means "ask the engine".
   */
  resolve(name: string): string | undefined;
  /** Caches that the container `id` is named `name`; index: the engine's file that confirms it. */
  remember(name: string, id: string, index?: string): void;
  /** Serialises claiming a name: parallel first calls create exactly one toolbox. */
  withNameLock<T>(name: string, fn: () => Promise<T>): Promise<T>;
  /** Serialises everything about one container; label names it in messages ("toolbox NAME"). */
  withLock<T>(id: string, fn: () => Promise<T>, label?: string): Promise<T>;
  /**
   * Serialises long work on one container that must not overlap (package changes), apart from
   * the session lock so sessions can come and go meanwhile. A waiter says what it waits for.
   */
  withWorkLock<T>(id: string, fn: () => Promise<T>, label?: string): Promise<T>;
  /** Registers the calling process as a session of the container; call under its lock. */
  addSession(id: string): void;
  removeSession(id: string): void;
  /** Live sessions other than the caller's, after pruning dead ones. */
  liveSessions(id: string): number;
  /** The last record of the container this store saw running (it may have stopped since). */
  readRecord(id: string): BoxRecord | undefined;
  /** Whether the record's process still runs: then the toolbox is up. */
  isLive(record: BoxRecord): boolean;
  /** The start time of a live process, to record with its PID. */
  processStart(pid: number): string | undefined;
  /** Stores the record under record.id. */
  writeRecord(record: BoxRecord): void;
  /** Drops all state of a container (it was removed or replaced). */
  forget(id: string): void;
  /**
   * The container was removed: all its state goes, its directory too once its lock is released.
   * Call holding its lock (withLock), after the engine removed it.
   */
  removed(id: string): void;
}

export interface BoxRecord {
  /** the container's full id */
  id: string;
  pid: number;
  /** /proc/PID/stat start time, guards against a recycled PID */
  pidStart: string;
  /** only privileged toolboxes sharing the host pid namespace are entered directly */
  privileged?: boolean;
  /** what the toolbox was created as (its labels), so a conflicting request is refused without the engine */
  created?:
    | {
        image: string;
        mode: Mode;
        sandbox: boolean;
        /** its io.toolbox.host-update label (host-update-in-box.ts); undefined: not known here */
        hostUpdate?: string | undefined;
        /** its lineage's identity, so an exported wrapper confirms its toolbox without the engine */
        identity?: string | undefined;
      }
    | undefined;
}

/** Enters a running toolbox's namespaces without the engine (rootful toolboxes, as root). */
export interface DirectEntry {
  /** Why the direct path cannot be taken for this toolbox now, or undefined when it can. */
  unavailable(record: BoxRecord): string | undefined;
  /** Runs the request inside; resolves to its exit code, or undefined when it could not enter. */
  exec(record: BoxRecord, request: ExecRequest): Promise<number | undefined>;
  /** The same, with captured output, for toolbox's own steps inside. */
  capture(record: BoxRecord, request: ExecRequest, input?: string): Promise<CaptureResult | undefined>;
}

export interface Reporter {
  /** status line: shown on a terminal or with --verbose */
  status(message: string): void;
  /** always shown unless --quiet */
  warn(message: string): void;
  /** a long step; returns a function that ends it */
  step(message: string): { done(message?: string): void; fail(message?: string): void };
}
