// How a wrapper on the host starts this toolbox again: the executable itself, or, in the npm
// form, the Node.js that runs it and the script. Real paths, so a wrapper keeps working from cron
// and systemd units, whose PATH may not reach toolbox.
import { realpathSync } from 'node:fs';
import { buildInfo } from './build-info.js';

export function selfCommand(): string[] {
  const node = realpathSync(process.execPath);
  if (buildInfo().form === 'executable') return [node];
  const script = process.argv[1];
  return script ? [node, realpathSync(script)] : [node];
}
