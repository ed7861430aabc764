// Turns what the engine printed on failure into one actionable domain error.
import { constants } from 'node:os';
import { EngineError, NoSuchToolboxError, ToolboxError } from '../core/errors.js';
import { registryCause, registryFailure } from './registry-errors.js';

const noSuchContainer = /no such container|no container with (name or id|id or name)|No such object/i;
const imageMissing =
  /image not known|manifest unknown|name unknown|not found: manifest|repository .* not found|No such image|reference does not exist|short-name .* did not resolve/i;
const nameInUse = /name .* (is )?already in use|already in use by/i;

/** "killed by SIGKILL": an engine that a signal ended (exit 128+N from the runner) and that said nothing. */
function killedBy(exitCode: number | undefined): string | undefined {
  if (exitCode === undefined || exitCode <= 128 || exitCode > 128 + 64) return undefined;
  const name = Object.entries(constants.signals).find(([, n]) => n === exitCode - 128)?.[0];
  return `killed by ${name ?? `signal ${exitCode - 128}`}`;
}

export function lastErrorLine(stderr: string): string {
  const lines = stderr
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l.length > 0 && !/^time=".*level=(warning|info|debug)/.test(l));
  // docker says what the daemon refused first, then a summary naming only the id ("Error:
  // failed to start containers: ID"): the daemon's line is the cause.
  const line =
    lines.findLast((l) => /^Error response from daemon:/.test(l)) ??
    lines.findLast((l) => /^(Error|error)[: ]/.test(l)) ??
    lines.at(-1) ??
    '';
  // podman reports some failures (a broken containers.conf) as a logrus line: keep its msg only.
  const logrus = /^time=".*level=(?:error|fatal) msg="((?:[^"\\]|\\.)*)"/.exec(line)?.[1];
  if (logrus !== undefined) return logrus.replace(/\\(.)/g, '$1');
  return line.replace(/^Error:\s*/i, '').replace(/^Error response from daemon:\s*/i, '');
}

/**
 * A failed call that no container, image or name explains: the engine exited 125 (its own
 * failure), 126/127 (a wrapper that could not run it) or died of a signal. As the answer to the
 * first call of a process (always a read: inspect, ps, image inspect), that means the engine
 * cannot run at all.
 */
export function cannotRunAtAll(stderr: string, exitCode: number): boolean {
  if (exitCode < 125) return false;
  return !noSuchContainer.test(stderr) && !imageMissing.test(stderr) && !nameInUse.test(stderr);
}

export function isNoSuchContainer(stderr: string): boolean {
  return noSuchContainer.test(stderr);
}

export function isImageMissing(stderr: string): boolean {
  return imageMissing.test(stderr);
}

export function isNameInUse(stderr: string): boolean {
  return nameInUse.test(stderr);
}

export function engineFailure(
  engine: string,
  action: string,
  target: string,
  stderr: string,
  exitCode?: number,
): ToolboxError {
  const reason = lastErrorLine(stderr) || killedBy(exitCode) || 'no output';
  if (noSuchContainer.test(stderr)) return new NoSuchToolboxError(target);
  if (action === 'pull') {
    const cause = registryCause(stderr, target);
    if (cause) return registryFailure(cause, { verb: 'pull', image: target, engine: [engine] });
    if (imageMissing.test(stderr)) {
      return new ToolboxError(`image not found: ${target} (${reason})`, {
        hint: 'check the name with -i IMAGE, or build or load it locally first',
      });
    }
  }
  if (imageMissing.test(stderr)) {
    return new ToolboxError(`image not found: ${target} (${reason})`, { hint: 'pull or build the image first' });
  }
  return new EngineError(
    `${[engine, action, target].filter(Boolean).join(' ')} failed: ${reason}`,
    `run with -v to see the ${engine} commands`,
  );
}
