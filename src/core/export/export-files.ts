// The port through which `toolbox export` reads and writes wrappers on the host. The adapter
// (src/os/export-files.ts) never follows a symlink and writes only in a directory that root or
// the caller owns and nobody else may write to.
import type { ExportRecord } from './wrapper.js';

/** What a wrapper's file name holds now. */
export type WrapperSlot =
  | { kind: 'free' }
  | { kind: 'ours'; record: ExportRecord; text: string }
  /** a file toolbox did not write (or one edited since), a symlink, a directory... */
  | { kind: 'foreign' };

export interface ExportFiles {
  /**
   * Checks that wrappers may be written in dir: a real directory (no symlink), owned by root or
   * the caller, writable by no one else. `create` makes it (0755) when it is missing.
   */
  prepareDir(dir: string, create: boolean): void;
  slot(dir: string, name: string): WrapperSlot;
  /** Every wrapper of ours in dir ([] when dir is missing). */
  wrappers(dir: string): ExportRecord[];
  /** Writes dir/name atomically; it must be free, or still hold `replacing` exactly. */
  write(dir: string, name: string, text: string, replacing?: string): void;
  /** Removes dir/name if it still holds exactly text; false when it does not. */
  remove(dir: string, name: string, text: string): boolean;
  /** The first executable file called name in these directories, or undefined. */
  onPath(name: string, dirs: readonly string[]): string | undefined;
}

/** Where wrappers go, and the other directories wrappers were written to with --dir. */
export interface ExportPlaces {
  /** /usr/local/bin for root's toolboxes, ~/.local/bin in user mode */
  defaultDir: string;
  /** whether the default directory may be made when it is missing (~/.local/bin) */
  createDefault: boolean;
  /** directories that held wrappers given with --dir, so list, unexport and rm find them */
  recorded(): string[];
  record(dir: string): void;
  /** the host's command search path, for clashes */
  searchPath: readonly string[];
  /**
   * How a wrapper starts this toolbox: the executable, or node and the npm form's script. Asked
   * only when a wrapper is written; throws when those files are not ones to run as root.
   */
  toolbox(): readonly string[];
}
