// Expected failures carry an exit code and a hint; anything else is an internal error.

export const ExitCode = {
  failure: 1,
  usage: 2,
  engine: 125,
} as const;

export class ToolboxError extends Error {
  readonly exitCode: number;
  readonly hint: string | undefined;

  constructor(message: string, options: { hint?: string; exitCode?: number } = {}) {
    super(message);
    this.name = 'ToolboxError';
    this.exitCode = options.exitCode ?? ExitCode.failure;
    this.hint = options.hint;
  }
}

/** The hint of a usage error that has none of its own; the CLI points it to the command's help. */
export const USAGE_HINT = "run 'toolbox --help' for usage";

export class UsageError extends ToolboxError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint: hint ?? USAGE_HINT });
    this.name = 'UsageError';
  }
}

/** The container engine itself failed (not the command inside the toolbox). */
export class EngineError extends ToolboxError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.engine, ...(hint ? { hint } : {}) });
    this.name = 'EngineError';
  }
}

export class NoSuchToolboxError extends ToolboxError {
  constructor(name: string, hint = `create it with 'toolbox create ${name}'`) {
    super(`no such toolbox: ${name}`, { hint });
    this.name = 'NoSuchToolboxError';
  }
}

export class NotAToolboxError extends ToolboxError {
  constructor(name: string, engine: string) {
    super(`container ${name} is not a toolbox (it has no toolbox label); refusing to touch it`, {
      hint: `choose another name with -c NAME, or manage it with '${engine}' directly`,
    });
    this.name = 'NotAToolboxError';
  }
}

/** What a failure knows beyond its message, for --json (an install's installed/failed lists). */
export interface JsonDetails {
  jsonDetails(): Record<string, unknown>;
}

/**
 * A failure as --json prints it on stdout, the same shape for toolbox and host-update:
 * {"ok": false, "result": "failed", "error": ..., "hint": ..., ...what else is known}.
 */
export function errorJson(error: ToolboxError, details: Record<string, unknown> = {}): Record<string, unknown> {
  const known =
    typeof (error as Partial<JsonDetails>).jsonDetails === 'function'
      ? (error as unknown as JsonDetails).jsonDetails()
      : {};
  return { ok: false, result: 'failed', error: error.message, hint: error.hint ?? null, ...known, ...details };
}

/** Create or rename found the name taken by another container (any container, ours or not). */
export class NameInUseError extends ToolboxError {
  constructor(name: string) {
    super(`the name ${name} is already in use by another container`);
    this.name = 'NameInUseError';
  }
}

export function isToolboxError(error: unknown): error is ToolboxError {
  return error instanceof ToolboxError;
}

/** Why a registry would not give an image; each has its own line and fix (src/engine/registry-errors.ts). */
export type RegistryFailure = 'signature' | 'certificate' | 'unauthorized' | 'unknown' | 'unreachable';

/** A pull, or a look at a registry, failed for a known reason. */
export class RegistryError extends ToolboxError {
  readonly failure: RegistryFailure;

  constructor(failure: RegistryFailure, message: string, options: { hint?: string } = {}) {
    super(message, options);
    this.name = 'RegistryError';
    this.failure = failure;
  }
}
