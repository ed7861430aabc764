// Tools on the fly, end to end: the built CLI, real podman, real zypper in the offline test
// image, and a real signed repository served on loopback.
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  containerId,
  containerState,
  containersNamed,
  ENGINE,
  ENGINE_ENV,
  podman as engine,
  removeContainers,
  runPrefix,
  RUN_LABEL_ARGS,
} from './helpers.js';
import { SignedRepoServer } from './signed-repo.js';

const ROOT = resolve(import.meta.dirname, '../..');
const P = runPrefix('tl-e2e-');
const BOX = `${P}box`;

const home = mkdtempSync(join(tmpdir(), `${P}home-`));
mkdirSync(join(home, '.config'));
const env: NodeJS.ProcessEnv = {
  PATH: process.env.PATH,
  HOME: home,
  USER: 'root',
  XDG_CONFIG_HOME: join(home, '.config'),
  TOOLBOX_IMAGE: 'localhost/toolbox-test:latest',
  LANG: 'C.UTF-8',
  ...ENGINE_ENV,
};

function toolbox(...args: string[]) {
  const r = spawnSync(...cli(args), { env, encoding: 'utf8', input: '', cwd: ROOT });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}
/** The engine under test (podman, or docker: see ENGINE in helpers.ts). */
const podman = (...args: string[]) => engine(args);
const lastLine = (text: string) => text.trimEnd().split('\n').at(-1);
/** With -v: the progress lines, without the engine commands it traces and the start/stop lines */
const progressLines = (stderr: string) =>
  stderr.split('\n').filter((l) => l !== '' && !l.startsWith('+ ') && !/^(starting|stopping) toolbox /.test(l));
const declared = () =>
  JSON.parse(toolbox('tools', BOX, '--json').stdout) as {
    name: string;
    generation: number | null;
    repos: { alias: string; url: string; key: string | null }[];
    tools: string[];
  };
const installedInBox = (pkg: string) => toolbox('run', '-c', BOX, '--', 'rpm', '-q', pkg);

const repo = new SignedRepoServer();

beforeAll(async () => {
  // The test image must keep rpm and zypper on one database, as openSUSE does (images/test).
  const dbpath = podman(
    'run',
    '--rm',
    ...RUN_LABEL_ARGS,
    'localhost/toolbox-test:latest',
    'rpm',
    '--eval',
    '%_dbpath',
  ).stdout.trim();
  if (dbpath !== '/var/lib/rpm')
    throw new Error(`the test image is outdated (rpm uses ${dbpath}); rebuild it with: bash .ci/build-test-images`);
  removeContainers(P);
  repo.build([
    { name: 'tl-hello', script: '#!/bin/sh\necho "hello from tl-hello $*"' },
    { name: 'tl-rival', headers: ['Conflicts: tl-hello'] },
    { name: 'tl-broken', headers: ['Requires: tl-missing-capability'] },
    { name: 'tl-late' },
  ]);
  await repo.start();
  repo.publish('good', ['tl-hello', 'tl-rival', 'tl-broken']);
  repo.publish('tampered', ['tl-hello']);
  repo.tamper('tampered');
  repo.publish('late', ['tl-late']);
  repo.publish('pair', ['tl-hello', 'tl-late']);
  expect(toolbox('create', BOX).code).toBe(0);
});

afterAll(async () => {
  removeContainers(P);
  await repo.cleanup();
  rmSync(home, { recursive: true, force: true });
});

describe('repositories: only signed ones, only with a key the user named', () => {
  it('refuses a repository whose key nobody trusted, and keeps nothing of it', () => {
    const r = toolbox('repo', 'add', '-c', BOX, 'good', repo.url('good'));
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      `Error: repository 'good' is signed with a key that is not trusted in toolbox ${BOX}; repository good was not added. Hint: check the key's fingerprint with its owner, then add the repository with toolbox repo add ALIAS URL --key KEY`,
    );
    expect(toolbox('repo', 'list', '-c', BOX, '--json').stdout).toBe('[]\n');
    expect(toolbox('run', '-c', BOX, '--', 'zypper', '--non-interactive', 'repos').code).toBe(6); // no repositories at all
  });

  it('adds a signed repository with --key', () => {
    const r = toolbox('repo', 'add', '-v', '-c', BOX, 'good', repo.url('good'), '--key', repo.keyFile);
    expect(progressLines(r.stderr)).toEqual([
      `importing the key ${repo.keyFile} for good...`,
      'adding repository good...',
      'refreshing repository good...',
      `added repository good (${repo.url('good')}) to toolbox ${BOX}`,
    ]);
    expect(r.code).toBe(0);
    expect(JSON.parse(toolbox('repo', 'list', '-c', BOX, '--json').stdout)).toEqual([
      { alias: 'good', url: repo.url('good'), key: repo.keyFile },
    ]);
  });

  it('refuses a key file that is not an armored public key, before touching the toolbox', () => {
    const r = toolbox('repo', 'add', '-c', BOX, 'other', repo.url('good'), '--key', '/etc/hostname');
    expect(r.stderr).toBe(
      'Error: /etc/hostname is not an armored OpenPGP public key. Hint: a key file starts with -----BEGIN PGP PUBLIC KEY BLOCK-----; repositories publish it as repodata/repomd.xml.key\n',
    );
    expect(r.code).toBe(1);
  });

  it('refuses a tampered repository (repomd.xml changed after signing), even with the right key', () => {
    const r = toolbox('repo', 'add', '-c', BOX, 'tampered', repo.url('tampered'), '--key', repo.keyFile);
    expect(r.code).toBe(1);
    expect(lastLine(r.stderr)).toBe(
      "Error: repository 'tampered' failed its signature check (its repomd.xml does not match its signature); repository tampered was not added. Hint: the repository was changed after it was signed, or is not what it claims to be; ask its owner, or remove it with toolbox repo remove ALIAS",
    );
    expect(declared().repos.map((x) => x.alias)).toEqual(['good']);
    const repos = toolbox('run', '-c', BOX, '--', 'zypper', '--non-interactive', 'repos', '--uri').stdout;
    expect(repos).toContain(repo.url('good'));
    expect(repos).not.toContain('tampered');
  });
});

describe('install', () => {
  it('installs from the signed repository, says what it does with -v, and the tool runs', () => {
    const r = toolbox('install', '-v', '-c', BOX, 'tl-hello', '--json');
    expect(r.stdout).toBe(JSON.stringify({ installed: ['tl-hello'], alreadyPresent: [], failed: [] }, null, 2) + '\n');
    expect(progressLines(r.stderr)).toEqual([
      `checking packages in ${BOX}...`,
      'loading repository data...',
      'reading installed packages...',
      'resolving dependencies...',
      'downloading 1 package (1/1: tl-hello-1.0-1.noarch)...',
      'checking for file conflicts...',
      'installing tl-hello-1.0-1.noarch (1/1)...',
      `installed tl-hello in toolbox ${BOX}`,
    ]);
    expect(r.code).toBe(0);
    const run = toolbox('run', '-c', BOX, '--', 'tl-hello', 'world');
    expect(run.stdout).toBe('hello from tl-hello world\n');
    expect(run.code).toBe(0);
    expect(declared().tools).toEqual(['tl-hello']);
  });

  it('install, search and update print progress on stderr without a terminal: they print none', () => {
    for (const args of [['install', 'tl-hello'], ['search', 'tl-hello'], ['update']]) {
      const r = toolbox(args[0]!, '-c', BOX, ...args.slice(1));
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
    }
  });

  it('reports a package that is already there as already present', () => {
    const r = toolbox('install', '-q', '-c', BOX, 'tl-hello', '--json');
    expect(r.stdout).toBe(JSON.stringify({ installed: [], alreadyPresent: ['tl-hello'], failed: [] }, null, 2) + '\n');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it("refuses a dependency conflict, installs nothing, and shows zypper's problem lines", () => {
    const r = toolbox('install', '-q', '-c', BOX, 'tl-rival', '--json');
    expect(r.stderr).toBe(
      [
        'Problem: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch',
        '  Solution 1: deinstallation of tl-hello-1.0-1.noarch',
        '  Solution 2: do not install tl-rival-1.0-1.noarch',
        'Error: dependency problem, nothing was installed: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch. Hint: the problem lines above show what conflicts; choose other packages, or ask the repository owner',
        '',
      ].join('\n'),
    );
    expect(JSON.parse(r.stdout)).toEqual({
      ok: false,
      result: 'failed',
      error:
        'dependency problem, nothing was installed: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch',
      hint: 'the problem lines above show what conflicts; choose other packages, or ask the repository owner',
      installed: [],
      alreadyPresent: [],
      failed: ['tl-rival'],
    });
    expect(r.code).toBe(1);
    expect(installedInBox('tl-rival').stdout).toBe('package tl-rival is not installed\n');
    expect(installedInBox('tl-hello').stdout).toBe('tl-hello-1.0-1.noarch\n');
    expect(declared().tools).toEqual(['tl-hello']);
  });

  it('refuses a package whose dependency nothing provides', () => {
    const r = toolbox('install', '-q', '-c', BOX, 'tl-broken');
    expect(r.stderr).toBe(
      [
        'Problem: nothing provides tl-missing-capability needed by tl-broken-1.0-1.noarch',
        '  Solution 1: do not install tl-broken-1.0-1.noarch',
        '  Solution 2: break tl-broken-1.0-1.noarch by ignoring some of its dependencies',
        'Error: dependency problem, nothing was installed: nothing provides tl-missing-capability needed by tl-broken-1.0-1.noarch. Hint: the problem lines above show what conflicts; choose other packages, or ask the repository owner',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(1);
    expect(installedInBox('tl-broken').stdout).toBe('package tl-broken is not installed\n');
  });

  it('says plainly that a package does not exist (zypper 104)', () => {
    const r = toolbox('install', '-q', '-c', BOX, 'tl-nope', '--json');
    expect(r.stderr).toBe(
      `Error: no package named tl-nope in the repositories of toolbox ${BOX}. Hint: look for the right name with toolbox search TERM\n`,
    );
    expect(r.stdout).toBe(
      `${JSON.stringify({ ok: false, result: 'failed', error: `no package named tl-nope in the repositories of toolbox ${BOX}`, hint: 'look for the right name with toolbox search TERM', installed: [], alreadyPresent: [], failed: ['tl-nope'] })}\n`,
    );
    expect(r.code).toBe(1);
    expect(declared().tools).toEqual(['tl-hello']);
  });

  it('refuses option-like package names before anything runs', () => {
    const r = toolbox('install', '-c', BOX, '--', '--no-gpg-checks');
    expect(r.code).toBe(2);
  });

  it("search prints zypper's table on stdout", () => {
    const r = toolbox('search', '-q', '-c', BOX, 'tl-');
    expect(r.stdout).toBe(
      [
        'S  | Name      | Summary                | Type',
        '---+-----------+------------------------+--------',
        '   | tl-broken | test package tl-broken | package',
        'i+ | tl-hello  | test package tl-hello  | package',
        '   | tl-rival  | test package tl-rival  | package',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
    const none = toolbox('search', '-q', '-c', BOX, 'tl-zzz');
    expect(none.stderr).toBe('Error: no package matches tl-zzz. Hint: try a shorter term\n');
    expect(none.code).toBe(1);
  });

  it('update runs zypper update', () => {
    const r = toolbox('update', '-v', '-c', BOX);
    expect(progressLines(r.stderr).at(-1)).toBe(`updated toolbox ${BOX}`);
    expect(r.code).toBe(0);
  });

  it('an image without zypper gets a clear error', () => {
    const r = toolbox('install', '-c', `${P}mini`, '-i', 'localhost/toolbox-test-minimal:latest', 'tl-hello');
    expect(lastLine(r.stderr)).toBe(
      `Error: toolbox ${P}mini has no zypper: its image localhost/toolbox-test-minimal:latest is not openSUSE-based. Hint: tools are installed with zypper; create a toolbox from an openSUSE-based image, e.g. toolbox create -c NAME -i registry.opensuse.org/opensuse/toolbox`,
    );
    expect(r.code).toBe(1);
  });
});

describe('tools stay', () => {
  it('across stop and start', () => {
    expect(toolbox('stop', BOX).code).toBe(0);
    expect(containerState(BOX)).toBe('exited');
    const run = toolbox('run', '-c', BOX, '--', 'tl-hello');
    expect(run.stdout).toBe('hello from tl-hello \n');
    expect(run.code).toBe(0);
  });

  it('tools lists the declared repositories and tools', () => {
    const r = toolbox('tools', BOX);
    expect(r.stdout).toBe(
      [
        `REPO  URL${' '.repeat(repo.url('good').length - 3)}  KEY`,
        `good  ${repo.url('good')}  ${repo.keyFile}`,
        '',
        'TOOL',
        'tl-hello',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('across upgrade: a new container, the repositories and tools back', () => {
    const before = containerId(BOX);
    const r = toolbox('upgrade', '-v', BOX, '--json');
    expect(r.code).toBe(0);
    const after = containerId(BOX);
    expect(after).not.toBe(before);
    expect(JSON.parse(r.stdout)).toEqual({
      name: BOX,
      image: 'localhost/toolbox-test:latest',
      oldId: before,
      newId: after,
      oldGeneration: 1,
      newGeneration: 2,
      repos: ['good'],
      tools: ['tl-hello'],
      pruned: [],
    });
    expect(progressLines(r.stderr).at(-1)).toBe(
      `upgraded toolbox ${BOX} to generation 2: 1 repository and 1 tool restored; generation 1 kept (toolbox rollback ${BOX} brings it back)`,
    );
    // the previous generation stays, stopped, under a name of its own
    expect(containersNamed(P).sort()).toEqual([BOX, `${BOX}.gen1`, `${P}mini`]);
    expect(containerState(`${BOX}.gen1`)).toBe('exited');
    expect(containerId(`${BOX}.gen1`)).toBe(before);
    expect(podman('container', 'inspect', '--format', '{{.Config.Hostname}}', BOX).stdout.trim()).toBe(BOX);
    const run = toolbox('run', '-c', BOX, '--', 'tl-hello');
    expect(run.stdout).toBe('hello from tl-hello \n');
    expect(toolbox('run', '-c', BOX, '--', 'zypper', '--non-interactive', 'repos', 'good').code).toBe(0);
  });

  it('an upgrade that fails (a repository tampered with since it was added) leaves the old toolbox as it was', () => {
    // this time the key comes from a URL, as repositories publish it
    const keyUrl = `${repo.url('late')}repodata/repomd.xml.key`;
    expect(toolbox('repo', 'add', '-q', '-c', BOX, 'late', repo.url('late'), '--key', keyUrl).code).toBe(0);
    expect(toolbox('install', '-q', '-c', BOX, 'tl-late').code).toBe(0);
    expect(declared().repos).toEqual([
      { alias: 'good', url: repo.url('good'), key: repo.keyFile },
      { alias: 'late', url: repo.url('late'), key: keyUrl },
    ]);
    repo.tamper('late');
    const before = containerId(BOX);
    const r = toolbox('upgrade', '-q', BOX);
    expect(r.stderr).toBe(
      `Error: upgrade of toolbox ${BOX} failed, the toolbox is unchanged: repository 'late' failed its signature check (its repomd.xml does not match its signature); repository late was not added. Hint: the repository was changed after it was signed, or is not what it claims to be; ask its owner, or remove it with toolbox repo remove ALIAS\n`,
    );
    expect(r.code).toBe(1);
    expect(containerId(BOX)).toBe(before);
    expect(containersNamed(P).sort()).toEqual([BOX, `${BOX}.gen1`, `${P}mini`]);
    expect(toolbox('run', '-c', BOX, '--', 'rpm', '-q', 'tl-late', 'tl-hello').stdout).toBe(
      'tl-late-1.0-1.noarch\ntl-hello-1.0-1.noarch\n',
    );
    expect(declared().tools).toEqual(['tl-hello', 'tl-late']);
    expect(toolbox('remove', '-q', '-c', BOX, 'tl-late').code).toBe(0);
    expect(toolbox('repo', 'remove', '-q', '-c', BOX, 'late').code).toBe(0);
  });
});

describe('remove', () => {
  it('removes the tool and forgets it', () => {
    const r = toolbox('remove', '-v', '-c', BOX, 'tl-hello', '--json');
    expect(r.stdout).toBe(JSON.stringify({ removed: ['tl-hello'], notInstalled: [] }, null, 2) + '\n');
    expect(progressLines(r.stderr).at(-1)).toBe(`removed tl-hello from toolbox ${BOX}`);
    expect(r.code).toBe(0);
    expect(toolbox('run', '-c', BOX, '--', 'tl-hello').code).toBe(127);
    expect(declared().tools).toEqual([]);
  });

  it('an install whose config write fails exits 1 although the package was installed: it says both', () => {
    // An immutable config directory: config.json reads, but no write lands, not even root's.
    const dir = join(home, '.config/toolbox');
    const file = join(dir, 'config.json');
    const before = readFileSync(file, 'utf8');
    expect(spawnSync('chattr', ['+i', dir]).status).toBe(0);
    let r;
    try {
      r = toolbox('install', '-c', BOX, 'tl-hello', '--json');
    } finally {
      spawnSync('chattr', ['-i', dir]);
    }
    const error = `installed tl-hello in toolbox ${BOX}, but not recorded as its tools, so 'toolbox upgrade' would not bring it back: cannot write ${file}: permission denied (the previous file is unchanged)`;
    const hint = `free space or fix permissions, or point XDG_CONFIG_HOME at a writable directory; then run 'toolbox install -c ${BOX} tl-hello' again to record it`;
    expect(r.stderr).toBe(`Error: ${error}. Hint: ${hint}\n`);
    expect(r.stdout).toBe(
      `${JSON.stringify({ ok: false, result: 'failed', error, hint, installed: ['tl-hello'], alreadyPresent: [], failed: [] })}\n`,
    );
    expect(r.code).toBe(1);
    expect(readFileSync(file, 'utf8')).toBe(before);
    expect(installedInBox('tl-hello').stdout).toBe('tl-hello-1.0-1.noarch\n');
    expect(declared().tools).toEqual([]);
    expect(toolbox('remove', '-q', '-c', BOX, 'tl-hello').code).toBe(0);
  });

  it('repo remove forgets the repository', () => {
    expect(toolbox('repo', 'remove', '-q', '-c', BOX, 'good').code).toBe(0);
    expect(declared()).toEqual({ name: BOX, generation: 2, repos: [], tools: [] });
    const again = toolbox('repo', 'remove', '-q', '-c', BOX, 'good');
    expect(again.stderr).toBe(
      `Error: toolbox ${BOX} has no repository good. Hint: see its repositories with toolbox repo list -c ${BOX}\n`,
    );
    expect(again.code).toBe(1);
  });
});

describe('an interrupted install', () => {
  it('SIGKILL while zypper runs: the declared state stays valid and untouched, and the next install completes', async () => {
    expect(toolbox('repo', 'add', '-q', '-c', BOX, 'good', repo.url('good'), '--key', repo.keyFile).code).toBe(0);
    const config = join(home, '.config/toolbox/config.json');
    const before = readFileSync(config, 'utf8');
    // A shim of the engine that holds the zypper install exec, so the kill lands while it runs.
    const dir = mkdtempSync(join(tmpdir(), `${P}shim-`));
    const real = spawnSync('sh', ['-c', `command -v ${ENGINE}`], { encoding: 'utf8', env }).stdout.trim();
    const held = join(dir, 'held');
    writeFileSync(
      join(dir, ENGINE),
      `#!/bin/sh\ncase "$*" in *zypper*install*tl-hello*) echo $$ > "${held}"; exec sleep 600;; esac\nexec "${real}" "$@"\n`,
      { mode: 0o755 },
    );
    try {
      const child = spawn(...cli(['install', '-c', BOX, 'tl-hello']), {
        env: { ...env, PATH: `${dir}:${env.PATH}` },
        stdio: 'ignore',
      });
      const closed = new Promise((r) => child.on('close', r));
      for (let i = 0; i < 600 && !existsSync(held); i++) await new Promise((r) => setTimeout(r, 50));
      expect(existsSync(held)).toBe(true);
      child.kill('SIGKILL');
      await closed;
      process.kill(Number(readFileSync(held, 'utf8')), 'SIGKILL');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
    expect(readFileSync(config, 'utf8')).toBe(before);
    expect(declared().tools).toEqual([]);
    const again = toolbox('install', '-v', '-c', BOX, 'tl-hello');
    expect(progressLines(again.stderr).at(-1)).toBe(`installed tl-hello in toolbox ${BOX}`);
    expect(again.code).toBe(0);
    expect(declared().tools).toEqual(['tl-hello']);
    expect(toolbox('run', '-c', BOX, '--', 'tl-hello', 'again').stdout).toBe('hello from tl-hello again\n');
  });
});

describe('two installs at once', () => {
  it("the second waits for the first instead of failing on zypper's lock, and both install", async () => {
    const PAIR = `${P}pair`;
    expect(toolbox('repo', 'add', '-q', '-c', PAIR, 'pair', repo.url('pair'), '--key', repo.keyFile).code).toBe(0);
    const install = (pkg: string) =>
      new Promise<{ code: number | null; stderr: string }>((res) => {
        const child = spawn(...cli(['install', '-q', '-c', PAIR, pkg]), {
          env,
          cwd: ROOT,
          stdio: ['ignore', 'ignore', 'pipe'],
        });
        let stderr = '';
        child.stderr.on('data', (d: Buffer) => {
          stderr += d.toString();
        });
        child.on('close', (code) => {
          res({ code, stderr });
        });
      });
    const both = await Promise.all([install('tl-hello'), install('tl-late')]);
    for (const r of both) expect(r.stderr.split('\n').filter((l) => l.startsWith('Error'))).toEqual([]);
    expect(both.map((r) => r.code)).toEqual([0, 0]);
    expect(toolbox('run', '-c', PAIR, '--', 'rpm', '-q', '--qf', '%{NAME}\n', 'tl-hello', 'tl-late')).toMatchObject({
      code: 0,
      stdout: 'tl-hello\ntl-late\n',
    });
  });

  it('on two toolboxes, each keeps its declared tools: both write config.json, under its lock', async () => {
    const [A, B] = [`${P}two-a`, `${P}two-b`];
    for (const box of [A, B])
      expect(toolbox('repo', 'add', '-q', '-c', box, 'pair', repo.url('pair'), '--key', repo.keyFile).code).toBe(0);
    const install = (box: string, pkg: string) =>
      new Promise<number | null>((res) => {
        const child = spawn(...cli(['install', '-q', '-c', box, pkg]), { env, cwd: ROOT, stdio: 'ignore' });
        child.on('close', res);
      });
    expect(await Promise.all([install(A, 'tl-hello'), install(B, 'tl-late')])).toEqual([0, 0]);
    const tools = (box: string) => (JSON.parse(toolbox('tools', box, '--json').stdout) as { tools: string[] }).tools;
    expect([tools(A), tools(B)]).toEqual([['tl-hello'], ['tl-late']]);
  });
});
