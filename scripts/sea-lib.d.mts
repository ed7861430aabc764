// Types for scripts/sea-lib.mjs, for the tests that build control executables with it.
export declare const EXEC_ARGV: string[];
export declare const VENDOR: string[];
export declare function nodeX64(): string;
export declare function makeExecutable(options: {
  node: string;
  runner: string[];
  bundle: string;
  /** Scripts loaded later (asset name -> file), each with its code cache: see scripts/sea-vendor.ts. */
  scripts?: Record<string, string>;
  target: string;
  workDir: string;
  strip?: string;
  codeCache: boolean;
  execArgv?: string[];
  execArgvExtension?: 'none' | 'env' | 'cli';
}): void;
