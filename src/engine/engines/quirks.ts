// What one container engine does differently from the others. Each engine has its own file
// in this folder with its quirks object, and registry.ts lists them: adding an engine is one
// new file plus its line there. Nothing outside this folder branches on an engine's name.
import type { EngineError } from '../../core/errors.js';
import type { EngineName } from '../../core/ports.js';
import type { RootlessHost } from '../rootless.js';

export interface EngineQuirks {
  name: EngineName;
  /** the executable that detection looks for on PATH, and that toolbox runs */
  binary: string;
  /** how `ps` prints one JSON document the parser reads (parse.ts takes either shape) */
  psFormat: readonly string[];
  /** `stop` options: the keep-alive process dies at once, so a long grace period only waits */
  stopArgs: readonly string[];
  /** `pull` options, before the image */
  pullArgs: readonly string[];
  /**
   * Who is logged in to a registry, in the credentials this engine uses (exit 0 and the user on
   * stdout); absent when the engine cannot say.
   */
  loginUserArgs?: ((host: string) => string[]) | undefined;
  /** how to install it on openSUSE, said when no engine is found */
  install: string;
  /**
   * `create`'s options, by whether they take a value (`--env A=1`) or not (`--tty`), as its
   * --help lists them; --podman-args is read with them (see create-args.ts). Long ones as
   * `--name`, short ones as `-n`.
   */
  createOptions: { switches: readonly string[]; values: readonly string[] };
  /** what `exec` runs for a command: the command itself, or a constant wrapper around it */
  execCommand(command: readonly string[]): string[];
  /**
   * A call that ends when the container `target` stops or is gone, run beside an interactive
   * exec whose client would not end by itself then (see InteractiveOptions.watch). Absent: the
   * engine's exec ends with its container.
   */
  execWatchArgs?: ((target: string) => string[]) | undefined;
  /** `create` options of a privileged toolbox: a /dev/pts of its own (podman's mount type alone) */
  privilegedCreateArgs: readonly string[];
  /** `create` options for a user-mode toolbox that only this engine has */
  userCreateArgs(rootful: boolean): string[];
  /**
   * This engine's own words for "it cannot work at all" (no daemon, no access, too old), as one
   * line naming the engine; undefined: not one of those, the generic failure is shown.
   */
  diagnose?: ((stderr: string) => EngineError | undefined) | undefined;
  /**
   * Set when toolbox does not drive this engine without root: why, said in one line; `denied`
   * first says so when the caller could not reach the engine anyway.
   */
  rootlessUnsupported?: { message: string; hint: string; denied?: () => EngineError | undefined } | undefined;
  /**
   * A cheap call that succeeds only when the engine can run (its daemon answers): asked only
   * when the engine detection preferred has failed its first call.
   */
  probeArgs: readonly string[];
  /**
   * The cause of a failure of this engine run rootless, as a host problem with its fix
   * (undefined: nothing known, the engine's own text is shown). Absent: the engine is never
   * diagnosed as rootless.
   */
  rootlessFailure?: ((stderr: string, host: RootlessHost) => EngineError | undefined) | undefined;
}

/** A list of options written as words, as an engine's --help shows them. */
export function optionWords(text: string): readonly string[] {
  return text.split(/\s+/).filter(Boolean);
}
