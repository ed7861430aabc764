// The runner's watched interactive command (docker's exec beside a `docker wait`): real processes.
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { interactive } from '../../src/os/runner.js';

const dir = mkdtempSync(join(tmpdir(), 'interactive-watch-'));
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function gone(pid: number): Promise<void> {
  for (let i = 0; i < 200 && alive(pid); i++) await new Promise((r) => setTimeout(r, 50));
  expect(alive(pid)).toBe(false);
}

describe('interactive with a watcher', () => {
  it('kills the command when the watcher ends first: 137', async () => {
    const code = await interactive('sleep', ['300'], { watch: { file: 'true', args: [], afterMs: 0 } });
    expect(code).toBe(137);
  });

  it("ends the watcher when the command ends first, and returns the command's own code", async () => {
    const pidFile = join(dir, 'watcher.pid');
    const code = await interactive('sh', ['-c', 'while [ ! -s "$1" ]; do sleep 0.05; done; exit 3', 'sh', pidFile], {
      watch: {
        file: 'sh',
        args: ['-c', 'echo $$ > "$1.tmp"; mv "$1.tmp" "$1"; exec sleep 300', 'sh', pidFile],
        afterMs: 0,
      },
    });
    expect(code).toBe(3);
    await gone(Number(readFileSync(pidFile, 'utf8')));
  });

  it('a watcher that cannot start leaves the command alone', async () => {
    const code = await interactive('sh', ['-c', 'sleep 1; exit 4'], {
      watch: { file: join(dir, 'no-such-watcher'), args: [], afterMs: 0 },
    });
    expect(code).toBe(4);
  });
});
