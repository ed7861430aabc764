// `toolbox config get` prints what config.json holds for a key. A file edited by hand may hold a
// list or an object there; it is shown as JSON, not as JavaScript's "[object Object]" or "a,b".
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { configGet } from '../../src/cli/commands/config.js';

let dir: string;
let saved: string | undefined;

beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'grammar-config-get-'));
  saved = process.env.XDG_CONFIG_HOME;
  process.env.XDG_CONFIG_HOME = dir;
  mkdirSync(join(dir, 'toolbox'));
});
afterEach(() => {
  if (saved === undefined) delete process.env.XDG_CONFIG_HOME;
  else process.env.XDG_CONFIG_HOME = saved;
  vi.restoreAllMocks();
  rmSync(dir, { recursive: true, force: true });
});

async function get(config: object, key: string): Promise<{ code: number; out: string }> {
  writeFileSync(join(dir, 'toolbox', 'config.json'), JSON.stringify(config));
  let out = '';
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  });
  const code = await configGet(key);
  return { code, out };
}

describe('config get', () => {
  it.each([
    [{ engine: 'docker' }, 'engine', 'docker\n'],
    [{ keep: 3 }, 'keep', '3\n'],
    [{ pull: false }, 'pull', 'false\n'],
    [{ engine: ['podman', 'docker'] }, 'engine', '["podman","docker"]\n'],
    [{ engine: { name: 'podman' } }, 'engine', '{"name":"podman"}\n'],
    [{ engine: null }, 'engine', 'null\n'],
  ])('%j %s prints %j', async (config, key, printed) => {
    expect(await get(config, key)).toEqual({ code: 0, out: printed });
  });

  it('exits 1 with nothing on stdout when the key is unset', async () => {
    expect(await get({}, 'engine')).toEqual({ code: 1, out: '' });
  });
});
