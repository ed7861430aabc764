// Where exported wrappers go, and the directories given with --dir, which config.json remembers
// under "exportDirs" so that list, unexport and rm find the wrappers there later.
import { join } from 'node:path';
import type { ExportPlaces } from '../core/export/export-files.js';
import type { Mode } from '../core/ports.js';
import { ConfigStore } from './store.js';

export const EXPORT_DIRS_KEY = 'exportDirs';
/** What cron and systemd give a command, besides the caller's own PATH. */
const STANDARD_PATH = ['/usr/local/sbin', '/usr/local/bin', '/usr/sbin', '/usr/bin', '/sbin', '/bin'];

export function exportPlaces(options: {
  mode: Mode;
  home: string;
  configFile: string;
  env: NodeJS.ProcessEnv;
  toolbox: () => readonly string[];
}): ExportPlaces {
  const store = new ConfigStore(options.configFile);
  const dirsIn = (data: Record<string, unknown>): string[] => {
    const value = data[EXPORT_DIRS_KEY];
    return Array.isArray(value) ? value.filter((d): d is string => typeof d === 'string' && d.startsWith('/')) : [];
  };
  const recorded = () => dirsIn(store.read());
  const user = options.mode === 'user';
  const searchPath = [...new Set([...(options.env.PATH ?? '').split(':').filter(Boolean), ...STANDARD_PATH])];
  return {
    defaultDir: user ? join(options.home, '.local/bin') : '/usr/local/bin',
    createDefault: user,
    recorded,
    record(dir) {
      if (recorded().includes(dir)) return;
      // From the file as it is under the write lock: a directory another export recorded meanwhile stays.
      store.update((data) => {
        const dirs = dirsIn(data);
        return dirs.includes(dir) ? data : { ...data, [EXPORT_DIRS_KEY]: [...dirs, dir] };
      });
    },
    searchPath,
    toolbox: options.toolbox,
  };
}
