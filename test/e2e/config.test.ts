// Configuration layers, toolboxrc files read as data, and bad input refused cleanly.
import { spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  containerId,
  containerState,
  containersNamed,
  freshUserName,
  isolatedEnv,
  resultOf,
  SYNC_LIMITS,
  podman,
  removeContainers,
  toolbox,
  toolboxAsync,
  runPrefix,
  RUN_TAG,
} from './helpers.js';

const P = runPrefix('e2e-cfg-');
beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
});

describe('config command', () => {
  it('set, get, list, unset and path, in a 0600 file', () => {
    const env = isolatedEnv();
    const file = join(env.XDG_CONFIG_HOME!, 'toolbox/config.json');
    expect(toolbox(['config', 'path'], { env }).stdout).toBe(`${file}\n`);
    expect(toolbox(['config', 'set', 'autostop', 'false'], { env }).code).toBe(0);
    expect(toolbox(['config', 'set', 'engine', 'podman'], { env }).code).toBe(0);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(toolbox(['config', 'get', 'autostop'], { env }).stdout).toBe('false\n');
    expect(toolbox(['config', 'list'], { env }).stdout).toBe('autostop=false\nengine=podman\n');
    expect(JSON.parse(toolbox(['config', 'list', '--json'], { env }).stdout)).toEqual({
      autostop: false,
      engine: 'podman',
    });
    expect(toolbox(['config', 'unset', 'engine'], { env }).code).toBe(0);
    const missing = toolbox(['config', 'get', 'engine'], { env });
    expect(missing.code).toBe(1);
    expect(missing.stdout).toBe('');
  });

  it('refuses unknown keys and bad values with exit 2', () => {
    const env = isolatedEnv();
    const r = toolbox(['config', 'set', 'colour', 'red'], { env });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /^Error: unknown config key: colour\. Hint: known keys: engine, registry, image, name, shell, autostop, mode, pull, exec, recommends, keep\n$/,
    );
    const bad = toolbox(['config', 'set', 'autostop', 'maybe'], { env });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toBe(
      'Error: invalid autostop: expected true or false, got "maybe". Hint: run \'toolbox config set --help\' for usage\n',
    );
    // keep: how many generations upgrade keeps; never 0, the way back is always kept
    const zero = toolbox(['config', 'set', 'keep', '0'], { env });
    expect([zero.stderr, zero.code]).toEqual([
      'Error: invalid keep: expected a whole number from 1, got "0". Hint: run \'toolbox config set --help\' for usage\n',
      2,
    ]);
    expect(toolbox(['config', 'set', 'keep', '3'], { env }).code).toBe(0);
    expect(toolbox(['config', 'get', 'keep'], { env }).stdout).toBe('3\n');
  });

  it('a config that says autostop=false keeps the toolbox running', () => {
    const env = isolatedEnv();
    toolbox(['config', 'set', 'autostop', 'false'], { env });
    expect(toolbox(['run', '-c', `${P}keep`, 'true'], { env }).code).toBe(0);
    expect(containerState(`${P}keep`)).toBe('running');
  });

  it('a corrupt config.json is named in the error and left untouched', () => {
    const env = isolatedEnv();
    toolbox(['config', 'set', 'autostop', 'false'], { env });
    const file = join(env.XDG_CONFIG_HOME!, 'toolbox/config.json');
    writeFileSync(file, '{"autostop": fal');
    for (const args of [['config', 'set', 'engine', 'podman'], ['run', '-c', `${P}corrupt`, 'true'], ['list']]) {
      const r = toolbox(args, { env });
      expect(r.code).toBe(1);
      expect(r.stderr.split('\n')[0]).toMatch(
        new RegExp(
          `^Error: ${file.replace(/[/.]/g, '\\$&')} is corrupt: .*Hint: fix the file, or move it away to start over \\(it was left untouched\\)$`,
        ),
      );
      expect(r.stderr.split('\n').length).toBe(2);
    }
    expect(readFileSync(file, 'utf8')).toBe('{"autostop": fal');
    expect(containersNamed(`${P}corrupt`)).toEqual([]);
  });

  it('a config.json that is not an object, or not a file, is a clear error', () => {
    const env = isolatedEnv();
    const file = join(env.XDG_CONFIG_HOME!, 'toolbox/config.json');
    toolbox(['config', 'set', 'autostop', 'false'], { env });
    writeFileSync(file, '[1,2]');
    const notObject = toolbox(['list'], { env });
    expect(notObject.code).toBe(1);
    expect(notObject.stderr).toBe(
      `Error: ${file} is corrupt: not a JSON object. Hint: fix the file, or move it away to start over (it was left untouched)\n`,
    );
    rmSync(file);
    mkdirSync(file);
    const notFile = toolbox(['list'], { env });
    expect(notFile.code).toBe(1);
    expect(notFile.stderr).toBe(
      `Error: cannot read ${file}: illegal operation on a directory, read. Hint: fix its permissions, or point XDG_CONFIG_HOME elsewhere\n`,
    );
  });
});

describe('toolboxrc', () => {
  it('REGISTRY, IMAGE, TOOLBOX_NAME and TOOLBOX_SHELL from ~/.toolboxrc are used, quotes handled', () => {
    const env = isolatedEnv({ TOOLBOX_IMAGE: undefined });
    writeFileSync(
      join(env.HOME!, '.toolboxrc'),
      `# my toolbox\nREGISTRY=localhost\nIMAGE="toolbox-test:latest"\nTOOLBOX_NAME='${P}rc'\nexport TOOLBOX_SHELL=/bin/sh # trailing comment\n`,
    );
    const r = toolbox(['-n'], { env, input: 'echo "$0 $(hostname)"\n' });
    expect(r.stdout).toBe(`/bin/sh ${P}rc\n`);
    expect(r.code).toBe(0);
  });

  it('flags beat the environment, which beats config, which beats toolboxrc', () => {
    const env = isolatedEnv({ TOOLBOX_IMAGE: undefined });
    writeFileSync(join(env.HOME!, '.toolboxrc'), `TOOLBOX_NAME=${P}from-rc\n`);
    expect(toolbox(['config', 'set', 'name', `${P}from-config`], { env }).code).toBe(0);
    const which = (extra: NodeJS.ProcessEnv, args: string[] = []) =>
      toolbox(['run', '-n', '-i', 'localhost/toolbox-test:latest', ...args, 'hostname'], {
        env: { ...env, ...extra },
      }).stdout.trim();
    expect(which({})).toBe(`${P}from-config`);
    expect(which({ TOOLBOX_NAME: `${P}from-env` })).toBe(`${P}from-env`);
    expect(which({ TOOLBOX_NAME: `${P}from-env` }, ['-c', `${P}from-flag`])).toBe(`${P}from-flag`);
    expect(toolbox(['config', 'unset', 'name'], { env }).code).toBe(0);
    expect(which({})).toBe(`${P}from-rc`);
  });

  it.each([
    [`IMAGE=$(touch /tmp/${P}PWNED)`, 'the value uses shell expansion ($)'],
    [`IMAGE=\`touch /tmp/${P}PWNED\``, 'the value uses shell expansion (`)'],
    [`IMAGE=foo; touch /tmp/${P}PWNED`, 'the value contains the shell operator ";"'],
    ['IMAGE="foo', 'unbalanced double quote'],
    ["IMAGE='foo", 'unbalanced single quote'],
    [`IMAGE=foo touch /tmp/${P}PWNED`, 'unquoted whitespace in the value'],
    [`touch /tmp/${P}PWNED`, 'not a KEY=VALUE line'],
  ])('a hostile line is refused, never run: %s', (line, why) => {
    const env = isolatedEnv({ TOOLBOX_IMAGE: undefined });
    const rc = join(env.HOME!, '.toolboxrc');
    writeFileSync(rc, `REGISTRY=localhost\n${line}\n`);
    const marker = `/tmp/${P}PWNED`;
    const r = toolbox(['run', '-c', `${P}hostile`, 'true'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr.startsWith(`Error: ${rc}:2: ${why}`)).toBe(true);
    expect(r.stderr.split('\n').length).toBe(2);
    expect(existsSync(marker)).toBe(false);
    expect(containersNamed(`${P}hostile`)).toEqual([]);
  });
});

describe('bad input', () => {
  it.each([
    ['a name with a space', ['run', '-c', 'bad name', 'true'], 'invalid toolbox name "bad name"'],
    ['a leading dash', ['create', '--', '-bad'], 'invalid toolbox name "-bad"'],
    ['a leading dot', ['create', '.hidden'], 'invalid toolbox name ".hidden"'],
    ['shell metacharacters', ['create', 'x;rm'], 'invalid toolbox name "x;rm"'],
    ['a path', ['create', '../etc'], 'invalid toolbox name "../etc"'],
    ['unicode', ['create', 'tööl'], 'invalid toolbox name "tööl"'],
    [
      '64 characters',
      ['create', 'a'.repeat(64)],
      'invalid toolbox name "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa": longer than 63 characters (64)',
    ],
    ['-c with -t', ['run', '-c', 'x', '-t', 'y', 'true'], "don't use both -c/--container and -t/--tag"],
    ['a name and -c', ['enter', 'x', '-c', 'y'], 'cannot tell which toolbox to use'],
    ['an unknown option', ['--frobnicate'], "unknown option '--frobnicate'"],
    ['a bad image reference', ['run', '-i', 'Not A/Image!!', 'true'], 'invalid image reference'],
    ['a bad engine', ['--engine', 'lxc', 'true'], "option '--engine <engine>' argument 'lxc' is invalid"],
    ['a missing option value', ['run', '-c'], "option '-c, --container <name>' argument missing"],
  ])('%s: exit 2, one line, nothing created', (_what, args, message) => {
    const env = isolatedEnv();
    // The names this command could have created: each of its words, and root's default toolbox.
    // Only those are looked at, by exact name: other work on the machine is none of its business.
    const named = [...new Set([...args.filter((a) => a.length > 0), 'toolbox-root'])];
    const before = named.map(containerId);
    const r = toolbox(args, { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr.startsWith(`Error: ${message}`)).toBe(true);
    expect(r.stderr.split('\n').length).toBe(2);
    // Nothing was created or replaced under any of them (an existing one keeps its id).
    expect(named.map(containerId)).toEqual(before);
  });
});

describe('engine and image failures', () => {
  it('podman missing from PATH: exit 125 with what to do', () => {
    const env = isolatedEnv({ PATH: '/nonexistent' });
    const r = spawnNode(['run', '-c', `${P}x`, 'true'], env);
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      'Error: neither podman nor docker is installed (neither is on PATH). Hint: install podman: zypper install podman (or transactional-update pkg install podman)\n',
    );
  });

  it('an explicit engine that is not installed', () => {
    // A PATH with podman on it and no docker (this machine may have a docker client in /usr/bin).
    const bin = mkdtempSync(join(tmpdir(), `${P}bin-`));
    symlinkSync('/usr/bin/podman', join(bin, 'podman'));
    const env = isolatedEnv({ PATH: bin });
    const r = toolbox(['--engine', 'docker', 'list'], { env });
    rmSync(bin, { recursive: true, force: true });
    expect(r.code).toBe(125);
    expect(r.stderr).toBe(
      'Error: docker is not installed (it is not on PATH). Hint: install docker, or choose another engine with --engine\n',
    );
  });

  it('a local image that does not exist: exit 1, never pulled', () => {
    const env = isolatedEnv();
    const r = toolbox(['run', '-c', `${P}noimg`, '-i', 'localhost/no-such-image:1', 'true'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      "Error: image not found: localhost/no-such-image:1 (localhost/ images are never pulled). Hint: build or load it first, e.g. 'podman build -t localhost/no-such-image:1 .'\n",
    );
    expect(containersNamed(`${P}noimg`)).toEqual([]);
  });

  it('a failed pull with a local copy warns and uses the copy', () => {
    const remote = `registry.invalid.example/toolbox/test:${RUN_TAG}`;
    expect(podman(['tag', 'localhost/toolbox-test:latest', remote]).code).toBe(0);
    try {
      const env = isolatedEnv();
      const r = toolbox(['run', '-c', `${P}fallback`, '-i', remote, 'echo', 'ok'], { env });
      expect(r.stdout).toBe('ok\n');
      expect(r.code).toBe(0);
      expect(r.stderr).toMatch(
        new RegExp(
          `^Warning: cannot pull ${remote.replace(/\./g, '\\.')}: the registry registry\\.invalid\\.example is unreachable \\(.*\\); using the local copy\\n$`,
        ),
      );
      // -P skips the pull altogether
      const quiet = toolbox(['run', '-P', '-c', `${P}fallback2`, '-i', remote, 'true'], { env });
      expect(quiet.stderr).toBe('');
    } finally {
      podman(['rmi', remote]);
    }
  });

  it('a remote image that cannot be pulled and is not here: exit 1', () => {
    const env = isolatedEnv();
    const r = toolbox(['run', '-c', `${P}nopull`, '-i', 'registry.invalid.example/none/such:1', 'true'], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      /^Error: (image not found|cannot pull) .*registry\.invalid\.example\/none\/such:1.*Hint: .*\n$/,
    );
    expect(containersNamed(`${P}nopull`)).toEqual([]);
  });
});

function spawnNode(args: string[], env: NodeJS.ProcessEnv) {
  const r = spawnSync(...cli(args), { env, encoding: 'utf8' });
  return { code: r.status, stdout: r.stdout, stderr: r.stderr };
}

describe('F7: config files someone else could have written are refused', () => {
  // A real unprivileged user of this run's own, whose config directory root ends up reading
  // (su without -, sudo -E, a script's HOME): its collectors would run as root with the host root.
  const USER = freshUserName('cfu');
  let uid = 0;
  let home = '';
  const asUser = (args: string[], env: NodeJS.ProcessEnv) =>
    resultOf(
      spawnSync('setpriv', [`--reuid=${uid}`, `--regid=${uid}`, '--clear-groups', ...cli(args).flat()], {
        env,
        input: '',
        cwd: home,
        ...SYNC_LIMITS,
      }),
    );

  beforeAll(() => {
    // useradd fails while another process holds /etc/passwd's lock: try a few times
    let made = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', USER], { encoding: 'utf8' });
    for (let i = 0; made.status !== 0 && i < 20; i++) {
      spawnSync('sleep', ['0.5']);
      made = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', USER], { encoding: 'utf8' });
    }
    expect([made.status, made.stderr]).toEqual([0, '']);
    uid = Number(spawnSync('id', ['-u', USER], { encoding: 'utf8' }).stdout.trim());
    // The user's home, written by the user: a collector in config.json, an image in .toolboxrc.
    home = mkdtempSync(join(tmpdir(), `${P}home-`));
    chmodSync(home, 0o755);
    chownSync(home, uid, uid);
    const write = (path: string, text: string) => {
      const made = spawnSync(
        'setpriv',
        [
          `--reuid=${uid}`,
          `--regid=${uid}`,
          '--clear-groups',
          'sh',
          '-c',
          'mkdir -p "${1%/*}" && cat > "$1"',
          'sh',
          path,
        ],
        { input: text, encoding: 'utf8' },
      );
      expect([made.status, made.stderr]).toEqual([0, '']);
    };
    write(
      join(home, '.config/toolbox/config.json'),
      `{"autostop": false, "collectors": [{"name": "mine", "command": ["sh", "-c", "id > /media/root${home}/pwned"]}]}\n`,
    );
    write(join(home, '.toolboxrc'), 'IMAGE=localhost/theirs:latest\n');
  });

  afterAll(() => {
    if (home) rmSync(home, { recursive: true, force: true });
    // userdel fails while another process holds /etc/passwd's lock: try a few times
    for (let i = 0; i < 20 && spawnSync('userdel', [USER]).status === 1; i++) spawnSync('sleep', ['0.5']);
  });

  const rootEnv = (extra: Record<string, string>) => isolatedEnv(extra);

  it('root with XDG_CONFIG_HOME in the user’s home: config.json is refused, naming it and the fix (exit 1)', () => {
    const file = join(home, '.config/toolbox/config.json');
    const env = rootEnv({ XDG_CONFIG_HOME: join(home, '.config') });
    const line = `Error: refusing to read ${file}: it is owned by uid ${uid}, not by you (uid 0) or root. Hint: someone else could have written it; if you trust it, chown root ${file}, or point XDG_CONFIG_HOME (or HOME) at a directory of your own\n`;
    const list = toolbox(['config', 'list'], { env });
    expect([list.code, list.stdout, list.stderr]).toEqual([1, '', line]);
    // collect reads its collectors first: refused before any toolbox is made or anything runs.
    const collect = toolbox(['collect', '-c', `${P}f7`, '--json', '--out', tmpdir()], { env });
    expect([collect.code, collect.stderr]).toEqual([1, line]);
    expect(JSON.parse(collect.stdout)).toMatchObject({ ok: false, result: 'failed' });
    expect(containersNamed(`${P}f7`)).toEqual([]);
    expect(existsSync(join(home, 'pwned'))).toBe(false);
  });

  it('root with HOME at the user’s home: ~/.toolboxrc is refused likewise', () => {
    const rc = join(home, '.toolboxrc');
    const r = toolbox(['list'], { env: rootEnv({ HOME: home }) });
    expect([r.code, r.stdout, r.stderr]).toEqual([
      1,
      '',
      `Error: refusing to read ${rc}: it is owned by uid ${uid}, not by you (uid 0) or root. Hint: someone else could have written it; if you trust it, chown root ${rc}, or point XDG_CONFIG_HOME (or HOME) at a directory of your own\n`,
    ]);
  });

  it('the user reads their own files as ever', () => {
    const r = asUser(['config', 'list', '--json'], {
      PATH: process.env.PATH,
      HOME: home,
      XDG_CONFIG_HOME: join(home, '.config'),
      LANG: 'C.UTF-8',
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(JSON.parse(r.stdout)).toEqual({ autostop: false });
  });
});

describe('config.json has one writer at a time', () => {
  // Every setting, each with a value that is not its default: 11 writers of 11 different keys.
  const SETTINGS: Record<string, [string, unknown]> = {
    engine: ['podman', 'podman'],
    registry: ['registry.example.org', 'registry.example.org'],
    image: ['localhost/lock-test:1', 'localhost/lock-test:1'],
    name: ['lockbox', 'lockbox'],
    shell: ['/bin/zsh', '/bin/zsh'],
    autostop: ['false', false],
    mode: ['user', 'user'],
    pull: ['false', false],
    exec: ['podman', 'podman'],
    recommends: ['true', true],
    keep: ['3', 3],
  };

  it('11 `config set` of 11 keys at once, round after round: every one is kept', async () => {
    // Without the lock each writer writes what it read, and most rounds lose some of the 11.
    for (let round = 0; round < 4; round++) {
      const env = isolatedEnv();
      const runs = Object.entries(SETTINGS).map(([key, [raw]]) => toolboxAsync(['config', 'set', key, raw], { env }));
      const results = await Promise.all(runs.map((r) => r.done));
      expect(results.map((r) => [r.code, r.stdout, r.stderr])).toEqual(runs.map(() => [0, '', '']));
      const list = toolbox(['config', 'list', '--json'], { env });
      expect(JSON.parse(list.stdout)).toEqual(Object.fromEntries(Object.entries(SETTINGS).map(([k, [, v]]) => [k, v])));
      expect(readdirSync(join(env.XDG_CONFIG_HOME!, 'toolbox'))).toEqual(['config.json']);
    }
  });
});
