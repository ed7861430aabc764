// Whether a path is one that nobody but the caller and root could have changed: the path has no
// symlink in it, and it and every directory above it up to / are owned by the caller or root and
// writable by nobody else (a sticky directory such as /tmp excepted above it: nobody can replace
// another's entry there). Root writes wrappers only into such a directory, and mounts only such
// an executable into its toolboxes.
import { realpathSync, statSync } from 'node:fs';
import { distrust, untrustedDirectoryOf } from '../config/trusted-file.js';

const uid = () => process.getuid?.() ?? 0;

/** Why the path is not trusted (naming the part at fault), or undefined when it is. */
export function untrustedPath(path: string, options: { directory: boolean }): string | undefined {
  let real: string;
  try {
    real = realpathSync(path);
  } catch (error) {
    return `it cannot be resolved (${(error as NodeJS.ErrnoException).code ?? 'error'})`;
  }
  if (real !== path) return `its path goes through a symbolic link (to ${real})`;
  const caller = uid();
  const own = statSync(real);
  // The path itself: a sticky directory open to all is still one where others create files.
  const why = distrust({ uid: own.uid, mode: own.mode & ~0o1000 }, caller, options.directory);
  if (why) return `it is ${why}`;
  const above = real === '/' ? undefined : untrustedDirectoryOf(real, caller);
  return above && `${above.dir} above it is ${above.why}`;
}
