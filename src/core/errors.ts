// Expected failures carry an exit code and a hint; anything else is an internal error.

export const ExitCode = {
  ok: 0,
  failure: 1,
  usage: 2,
  engine: 125,
  notExecutable: 126,
  notFound: 127,
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

export class UsageError extends ToolboxError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint: hint ?? "run 'toolbox --help' for usage" });
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
  constructor(name: string) {
    super(`no such toolbox: ${name}`, { hint: `create it with 'toolbox create ${name}'` });
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
