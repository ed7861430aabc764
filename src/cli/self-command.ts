// How a wrapper on the host starts this toolbox again: the executable itself, or, in the npm
// form, the Node.js that runs it and the script. Real paths, so a wrapper keeps working from cron
// and systemd units, whose PATH may not reach toolbox.
import { realpathSync } from 'node:fs';
import { ToolboxError } from '../core/errors.js';
import { untrustedPath } from '../os/trusted-path.js';
import { buildInfo } from './build-info.js';

export function selfCommand(): string[] {
  const node = realpathSync(process.execPath);
  const script = process.argv[1];
  const argv = buildInfo().form === 'executable' || !script ? [node] : [node, realpathSync(script)];
  // Whoever runs a wrapper (root, from cron) runs these files: only ones that root or the caller
  // alone can change.
  for (const file of argv) {
    const why = untrustedPath(file, { directory: false });
    if (why)
      throw new ToolboxError(`cannot export with the toolbox at ${file}: ${why}`, {
        hint: 'run a toolbox installed where only root (or you) can change it, e.g. /usr/bin/toolbox',
      });
  }
  return argv;
}
