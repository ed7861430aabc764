// The context of the package commands: the usual one plus declared state, progress output and
// the recommends default.
import { ConfigDeclaredStore } from '../config/declared-store.js';
import { configFile } from '../config/paths.js';
import { readConfigFile } from '../config/read-config.js';
import type { ToolsDeps } from '../core/tools/install-tools.js';
import { isToolboxError } from '../core/errors.js';
import { storedSetting } from '../core/settings/setting-rules.js';
import type { Settings, GlobalFlags } from '../core/settings/settings.js';
import { StderrProgress } from '../ui/progress.js';
import { buildContext } from './context.js';

export interface ToolsContext {
  settings: Settings;
  deps: ToolsDeps;
  progress: StderrProgress;
  /** `recommends` from config; --recommends / --no-recommends override it */
  recommends(flag: boolean | undefined): boolean;
}

export function buildToolsContext(
  flags: GlobalFlags,
  positionalName?: string,
  env: NodeJS.ProcessEnv = process.env,
): ToolsContext {
  const { settings, deps } = buildContext(flags, positionalName, env);
  const progress = new StderrProgress({ quiet: settings.quiet, verbose: settings.verbose, env });
  const file = configFile(env);
  return {
    settings,
    progress,
    deps: { ...deps, declared: new ConfigDeclaredStore(file), progress },
    recommends: (flag) => flag ?? storedSetting(readConfigFile(file), 'recommends', file) === true,
  };
}

/** Shows zypper's problem lines (which the one-line error cannot hold), then lets the error go on. */
export function showDetails(progress: StderrProgress, error: unknown): void {
  if (!isToolboxError(error)) return;
  const details = (error as { details?: unknown }).details;
  if (Array.isArray(details)) for (const line of details) progress.detail(String(line));
}
