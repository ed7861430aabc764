// What every bundle of toolbox is told about its own build: the version (package.json) and the
// commit it was built from, so that `toolbox --version --verbose` names the exact build. The
// commit comes from git, or from TOOLBOX_COMMIT where the source is not a git checkout (a source
// RPM, a tarball); a tree with uncommitted changes says so ("-dirty"), since its bytes are not
// the commit's.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export function buildDefines(root) {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  return {
    __TOOLBOX_VERSION__: JSON.stringify(pkg.version),
    __TOOLBOX_COMMIT__: JSON.stringify(commitOf(root)),
  };
}

function commitOf(root) {
  if (process.env.TOOLBOX_COMMIT) return process.env.TOOLBOX_COMMIT;
  const git = (args) =>
    execFileSync('git', ['-C', root, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
  try {
    const head = git(['rev-parse', 'HEAD']).trim();
    const dirty = git(['status', '--porcelain', '--untracked-files=no']).trim() !== '';
    return dirty ? `${head}-dirty` : head;
  } catch {
    return 'unknown';
  }
}
