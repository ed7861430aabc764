// The commands a package puts on PATH inside the toolbox, for `toolbox install --export`.
import { withSession } from '../box/box-session.js';
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import type { Settings } from '../settings/settings.js';

// A constant script: the package names travel as arguments. Executable files directly in a bin
// directory, each once, in rpm's order.
const COMMANDS = `rpm -ql -- "$@" 2>/dev/null | while IFS= read -r f; do
  case "$f" in
    /usr/bin/*/*|/usr/sbin/*/*|/bin/*/*|/sbin/*/*) ;;
    /usr/bin/*|/usr/sbin/*|/bin/*|/sbin/*) [ -f "$f" ] && [ -x "$f" ] && printf '%s\\n' "$f" ;;
  esac
done
exit 0`;

export async function packageCommands(deps: Deps, settings: Settings, packages: readonly string[]): Promise<string[]> {
  if (packages.length === 0) return [];
  return withSession(deps, settings, false, async (session) => {
    const r = await deps.engine.execCapture({
      target: session.id,
      command: ['/bin/sh', '-c', COMMANDS, 'toolbox-export', ...packages],
      tty: false,
      user: 'root',
      env: { PATH: '/usr/sbin:/usr/bin:/sbin:/bin' },
    });
    if (r.exitCode !== 0)
      throw new ToolboxError(`cannot list the commands of ${packages.join(', ')} in toolbox ${session.name}`);
    return [...new Set(r.stdout.split('\n').filter((l) => l.startsWith('/')))];
  });
}
