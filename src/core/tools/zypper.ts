// Runs zypper and rpm inside a toolbox. Always non-interactive, always with GPG checks: no
// --no-gpg-checks and no --gpg-auto-import-keys, so an unknown key is rejected, never trusted.
// Names and URLs travel as arguments; the few shell scripts here are constants.
import type { BoxTarget } from '../box/box-session.js';
import type { Deps } from '../deps.js';
import { ToolboxError } from '../errors.js';
import type { Progress } from '../progress.js';
import { interpretZypper, type ZypperAction, type ZypperOutcome } from './zypper-result.js';
import { ZypperProgress } from './zypper-progress.js';

/** zypper's messages are parsed; keep them in English whatever the host's locale. */
const ENV = { LC_ALL: 'C', LANG: 'C' };

export class ZypperError extends ToolboxError {
  constructor(readonly outcome: ZypperOutcome) {
    super(outcome.message, { hint: outcome.hint });
    this.name = 'ZypperError';
  }

  /** what zypper said that the one-line message cannot hold */
  get details(): string[] {
    return this.outcome.problems;
  }
}

class NoZypperError extends ToolboxError {
  constructor(target: BoxTarget) {
    super(`toolbox ${target.name} has no zypper: its image ${target.image} is not openSUSE-based`, {
      hint: 'tools are installed with zypper; create a toolbox from an openSUSE-based image, e.g. toolbox create -c NAME -i registry.opensuse.org/opensuse/toolbox',
    });
    this.name = 'NoZypperError';
  }
}

// A name counts as installed when a package has it as its name or provides it (`install vi`
// may bring in vim), so "already present" and the check after an install agree with zypper.
const PROBE = `command -v zypper >/dev/null 2>&1 && command -v rpm >/dev/null 2>&1 || exit 127
for n in "$@"; do
  if rpm -q --quiet "$n" || rpm -q --quiet --whatprovides "$n"; then echo "$n"; fi
done
exit 0`;

/** Checks that the toolbox has zypper, and returns which of names are installed. */
export async function installedPackages(deps: Deps, target: BoxTarget, names: readonly string[]): Promise<Set<string>> {
  const r = await deps.engine.execCapture({
    target: target.id,
    command: ['/bin/sh', '-c', PROBE, 'toolbox-probe', ...names],
    tty: false,
    user: 'root',
    env: ENV,
  });
  if (r.exitCode === 127 || r.exitCode === 126) throw new NoZypperError(target);
  if (r.exitCode !== 0)
    throw new ToolboxError(
      `cannot query the packages in toolbox ${target.name} (exit ${r.exitCode}): ${r.stderr.trim().split('\n').at(-1) ?? ''}`,
    );
  const lines = new Set(r.stdout.split('\n').map((l) => l.trim()));
  return new Set(names.filter((n) => lines.has(n)));
}

export interface ZypperCall {
  action: ZypperAction;
  args: string[];
  subjects?: readonly string[];
  progress?: Progress | undefined;
}

/** Runs zypper; returns what happened when it worked, throws ZypperError when it did not. */
export async function runZypper(
  deps: Deps,
  target: BoxTarget,
  call: ZypperCall,
): Promise<{ outcome: ZypperOutcome; stdout: string }> {
  const phases = new ZypperProgress();
  const { progress } = call;
  const onLine = progress
    ? (line: string) => {
        const phase = phases.phaseOf(line);
        if (phase) progress.phase(phase);
      }
    : undefined;
  const r = await deps.engine.execCapture(
    { target: target.id, command: ['zypper', '--non-interactive', ...call.args], tty: false, user: 'root', env: ENV },
    undefined,
    { onLine },
  );
  if (r.exitCode === 127 || r.exitCode === 126) throw new NoZypperError(target);
  const outcome = interpretZypper(r, {
    action: call.action,
    box: target.name,
    ...(call.subjects ? { subjects: call.subjects } : {}),
  });
  if (!outcome.ok) throw new ZypperError(outcome);
  for (const w of outcome.warnings) (call.progress ?? deps.reporter).warn(w);
  return { outcome, stdout: r.stdout };
}

const IMPORT_KEY = `f=$(mktemp) || exit 1
cat > "$f" && rpm --import "$f"
rc=$?
rm -f "$f"
exit $rc`;

/** Copies a public key into the toolbox (over stdin) and imports it into the rpm database. */
export async function importKey(deps: Deps, target: BoxTarget, armoredKey: string, source: string): Promise<void> {
  const r = await deps.engine.execCapture(
    { target: target.id, command: ['/bin/sh', '-c', IMPORT_KEY], tty: false, user: 'root', env: ENV },
    armoredKey,
  );
  if (r.exitCode === 127) throw new NoZypperError(target);
  if (r.exitCode !== 0) {
    const why = r.stderr.trim().split('\n').at(-1) || `exit ${r.exitCode}`;
    throw new ToolboxError(`cannot import the key ${source} in toolbox ${target.name}: ${why}`, {
      hint: "give an armored OpenPGP public key (the repository's repomd.xml.key)",
    });
  }
}
