// A lock file in a private directory: `lock` is a hard link to a file naming its owner
// (pid:start), made atomically, so the lock names its owner from its first instant. A lock
// whose owner died (SIGKILL) is broken; a waiter says once, after a short while, who it waits for.
import { linkSync, lstatSync, renameSync, rmSync, unlinkSync } from 'node:fs';
import { join } from 'node:path';
import { ToolboxError } from '../core/errors.js';
import { readPlain, StateRemovedError, writeNew } from './private-dir.js';
import { isAlive, readProcText } from '../os/proc.js';

const LOCK_WAIT_MS = 120_000;
const SAY_AFTER_MS = 1_000;

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export interface LockOptions {
  /** "pid:start" of this process */
  self: string;
  /** what the lock guards, for messages: "toolbox rt-1" */
  what: string;
  /** told once when the wait grows long */
  onWait?: ((message: string) => void) | undefined;
  /** makes the directory again when it is found gone (its container was removed meanwhile) */
  again?: (() => void) | undefined;
}

export async function withFileLock<T>(dir: string, options: LockOptions, fn: () => Promise<T>): Promise<T> {
  const lock = join(dir, 'lock');
  const mine = join(dir, `lock.${process.pid}`);
  const enter = () => {
    rmSync(mine, { force: true, recursive: true }); // left by a killed process with our (recycled) pid; never followed
    writeNew(mine, options.self);
  };
  // The directory goes with its container (after the lock of whoever removed it is released):
  // found gone, it is made again, once per attempt, and the lock taken in it.
  const again = options.again;
  const gone = (error: unknown) => (error as NodeJS.ErrnoException).code === 'ENOENT' && again !== undefined;
  for (let tries = 0; ; tries++) {
    try {
      enter();
      break;
    } catch (error) {
      if (!gone(error)) throw error;
      if (tries >= 3) throw new StateRemovedError(dir);
      again?.();
    }
  }
  const started = Date.now();
  let said = false;
  let delay = 2;
  let vanished = 0;
  try {
    for (;;) {
      try {
        linkSync(mine, lock); // atomic; never follows a symlink at `lock`
        break;
      } catch (error) {
        if (gone(error)) {
          if (++vanished > 3) throw new StateRemovedError(dir);
          again?.();
          try {
            enter();
          } catch (stillGone) {
            if (!gone(stillGone)) throw stillGone;
          }
          continue;
        }
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      }
      breakIfStale(lock);
      const waited = Date.now() - started;
      if (!said && waited > SAY_AFTER_MS) {
        said = true;
        options.onWait?.(`waiting for ${options.what}: ${holder(lock)} holds its lock`);
      }
      if (waited > LOCK_WAIT_MS) {
        throw new ToolboxError(
          `timed out waiting for the lock of ${options.what} (${lock}): ${holder(lock)} holds it`,
          {
            hint: 'retry when that command has finished, or remove the file if no toolbox command runs',
          },
        );
      }
      await sleep(delay);
      delay = Math.min(delay * 2, 50);
    }
  } finally {
    rmSync(mine, { force: true });
  }
  try {
    return await fn();
  } finally {
    if (readPlain(lock) === options.self) rmSync(lock, { force: true });
  }
}

/** "process 1234 (toolbox run -c rt-1 sleep 9)", as far as /proc tells. */
export function holder(lock: string): string {
  const pid = (readPlain(lock) ?? '').split(':')[0] ?? '';
  if (!/^\d+$/.test(pid)) return 'another toolbox command';
  // Gone or not ours to read: the pid is all there is to say.
  const argv = (readProcText(Number(pid), 'cmdline') ?? '').split('\0').filter(Boolean);
  // node /path/bin/toolbox.js run ... -> toolbox run ...
  const script = argv.findIndex((a) => /(^|\/)(toolbox|host-update)(\.js)?$/.test(a));
  const shown =
    script >= 0 ? [(argv[script] ?? '').replace(/^.*\//, '').replace(/\.js$/, ''), ...argv.slice(script + 1)] : argv;
  const command = shown.join(' ').slice(0, 80);
  return command ? `process ${pid} (${command})` : `process ${pid}`;
}

export function breakIfStale(lock: string): void {
  const owner = readPlain(lock);
  if (owner === undefined) {
    // Not a plain file (a directory, a symlink): no process owns that, and it would block forever.
    try {
      if (!lstatSync(lock).isFile()) rmSync(lock, { recursive: true, force: true });
    } catch {
      /* gone meanwhile */
    }
    return;
  }
  const [pid, start] = owner.split(':');
  if (pid && start && isAlive(Number(pid), start)) return;
  // The owner died holding it (SIGKILL). Move it aside first so only one breaker wins.
  const aside = `${lock}.stale.${process.pid}`;
  try {
    renameSync(lock, aside);
    if (readPlain(aside) !== owner) {
      // Not the one we judged: put it back unless a new lock already took its place.
      try {
        linkSync(aside, lock);
      } catch {
        /* a new owner holds the lock now */
      }
    }
    unlinkSync(aside);
  } catch {
    /* someone else broke it */
  }
}
