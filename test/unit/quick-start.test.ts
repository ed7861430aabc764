// The README's first command (scripts/quick-start.sh) as a newcomer types it: as root on a fresh
// VM, which has no sudo, and as a user with sudo. The steps it runs are stand-ins that say who
// ran them; `id` and `sudo` are stand-ins too, so the test needs no root and changes nothing.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  copyFileSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

function script(path: string, body: string): void {
  writeFileSync(path, `#!/bin/sh\n${body}\n`);
  chmodSync(path, 0o755);
}

/** A checkout with stand-in steps, and a PATH of only what the script needs (+ sudo when given). */
function quickStart(uid: number, withSudo: boolean): { code: number | null; stderr: string; log: string } {
  const top = mkdtempSync(join(tmpdir(), 'quick-start-'));
  dirs.push(top);
  const tree = join(top, 'checkout');
  const bin = join(top, 'bin');
  for (const d of ['scripts', '.ci', 'dist/sea']) mkdirSync(join(tree, d), { recursive: true });
  mkdirSync(bin);
  copyFileSync(join(ROOT, 'scripts/quick-start.sh'), join(tree, 'scripts/quick-start.sh'));
  const log = join(top, 'log');
  const as = `as uid $(id -u)`;
  script(join(tree, '.ci/setup-machine'), `echo "setup-machine ${as}" >> ${log}`);
  script(join(tree, 'dist/sea/toolbox'), `echo "toolbox $* ${as}" >> ${log}`);
  script(join(bin, 'npm'), `echo "npm $* ${as}" >> ${log}`);
  script(join(bin, 'id'), `echo "\${FAKE_UID:?}"`);
  if (withSudo) script(join(bin, 'sudo'), `FAKE_UID=0 exec "$@"`);
  for (const tool of ['bash', 'dirname']) {
    const found = spawnSync('sh', ['-c', `command -v ${tool}`], { encoding: 'utf8' }).stdout.trim();
    symlinkSync(found, join(bin, tool));
  }
  const r = spawnSync(join(bin, 'bash'), [join(tree, 'scripts/quick-start.sh')], {
    cwd: top,
    env: { PATH: bin, FAKE_UID: String(uid) },
    encoding: 'utf8',
  });
  let text = '';
  try {
    text = readFileSync(log, 'utf8');
  } catch {
    /* nothing ran */
  }
  return { code: r.status, stderr: r.stderr, log: text };
}

describe('scripts/quick-start.sh', () => {
  it("is the README's first command", () => {
    const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
    const block = /## Quick start\n[\s\S]*?```sh\n([\s\S]*?)```/.exec(readme)?.[1];
    expect(block?.split('\n')).toEqual(['bash scripts/quick-start.sh', 'npm test', '']);
  });

  const steps = (rootSteps: string) => [
    `setup-machine as uid ${rootSteps}`,
    'npm ci as uid USER',
    'npm run build as uid USER',
    `toolbox -i localhost/toolbox-test:latest as uid ${rootSteps}`,
    '',
  ];

  it('as root on a machine without sudo: runs every step itself', () => {
    const r = quickStart(0, false);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.log.split('\n')).toEqual(steps('0').map((l) => l.replace('USER', '0')));
  });

  it('as a user with sudo: sudo for the setup and toolbox only', () => {
    const r = quickStart(1000, true);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 0, stderr: '' });
    expect(r.log.split('\n')).toEqual(steps('0').map((l) => l.replace('USER', '1000')));
  });

  it('as a user without sudo: one line, nothing run', () => {
    const r = quickStart(1000, false);
    expect(r).toEqual({
      code: 1,
      stderr: 'quick-start: the setup and toolbox need root: run this as root, or install sudo\n',
      log: '',
    });
  });
});
