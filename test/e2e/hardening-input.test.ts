// Bad input, table-driven: every case gets exactly one "Error: ... Hint: ..." line on stderr,
// the exact exit code, nothing on stdout, no stack trace, no container created or changed and
// no file rewritten. test/e2e/config.test.ts already pins 13 bad-input cases and 7 hostile
// toolboxrc lines; the cases here are different ones.
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_ARGV,
  ROOT,
  containersNamed,
  freshUserName,
  isolatedEnv,
  parseJson,
  podman,
  removeContainers,
  toolbox,
  type Result,
  runPrefix,
} from './helpers.js';

const P = runPrefix('hd-in-');
const WITNESS = `${P}witness`;
const MARKER = `/tmp/${P}PWNED`;

/** Every file under dir with its content hash and mtime: "rewritten" shows as a change. */
function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (d: string) => {
    for (const entry of readdirSync(d, { withFileTypes: true })) {
      const p = join(d, entry.name);
      if (entry.isDirectory()) walk(p);
      else if (entry.isFile()) {
        const s = statSync(p);
        out[p] = `${s.mtimeMs}:${s.mode.toString(8)}:${createHash('sha256').update(readFileSync(p)).digest('hex')}`;
      } else out[p] = entry.isSymbolicLink() ? 'symlink' : 'other';
    }
  };
  walk(dir);
  return out;
}

function witnessState(): string {
  return podman([
    'container',
    'inspect',
    '--format',
    '{{.Id}} {{.State.Status}} {{.State.StartedAt}} {{.State.FinishedAt}}',
    WITNESS,
  ]).stdout;
}

/** The contract for every refused input. */
function expectRefused(r: Result, code: number, message: string): void {
  expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
  expect(r.stdout).toBe('');
  expect(r.stderr.split('\n')).toHaveLength(2); // one line and its newline
  expect(r.stderr.startsWith(`Error: ${message}`)).toBe(true);
  expect(r.stderr).toMatch(/\. Hint: \S.*\n$/);
  expect(r.code).toBe(code);
}

beforeAll(() => {
  removeContainers(P);
  rmSync(MARKER, { force: true });
  // An existing toolbox, stopped: bad input must leave it exactly as it is.
  const env = isolatedEnv();
  expect(toolbox(['create', WITNESS], { env }).code).toBe(0);
  expect(toolbox(['stop', WITNESS], { env }).code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
});

const long = (n: number) => 'a'.repeat(n);

type Case = [what: string, args: string[], code: number, message: string, prepare?: (env: NodeJS.ProcessEnv) => void];

const cases: Case[] = [
  // names
  [
    'a 300-character name',
    ['run', '-c', long(300), 'true'],
    2,
    `invalid toolbox name "${long(67)}...": longer than 63 characters (300)`,
  ],
  [
    'a 100000-character argument',
    ['create', long(100_000)],
    2,
    `invalid toolbox name "${long(67)}...": longer than 63 characters (100000)`,
  ],
  ['the name ..', ['run', '-c', '..', 'true'], 2, 'invalid toolbox name "..": use letters'],
  ['an empty name', ['run', '-c', '', 'true'], 2, 'invalid toolbox name: it is empty'],
  ['a newline in the name', ['run', '-c', 'a\nb', 'true'], 2, 'invalid toolbox name "a\\nb"'],
  ['$(...) as the name', ['create', `$(touch ${MARKER})`], 2, `invalid toolbox name "$(touch ${MARKER})"`],
  ['backticks as the name', ['create', `\`touch ${MARKER}\``], 2, `invalid toolbox name "\`touch ${MARKER}\`"`],
  ['a glob in the name', ['rm', '--force', `${P}*`], 2, `invalid toolbox name "${P}*"`],
  ['--container=-rf', ['run', '--container=-rf', 'true'], 2, 'invalid toolbox name "-rf"'],
  ['an emoji in the name', ['run', '-c', 'box🧰', 'true'], 2, 'invalid toolbox name "box🧰"'],
  ['a tag with a slash', ['create', '-t', 'a/b'], 2, 'invalid tag "a/b"'],
  ['an empty tag', ['run', '-t', '', 'true'], 2, 'invalid tag ""'],
  ['a tag that makes the name too long', ['create', '-t', long(60)], 2, 'invalid toolbox name "toolbox-root-aaaa'],
  // images
  [
    'an upper-case image',
    ['run', '-c', `${P}img`, '-i', 'UPPER/case', 'true'],
    2,
    'invalid image reference "UPPER/case"',
  ],
  ['an image with two tags', ['run', '-c', `${P}img`, '-i', 'a:b:c', 'true'], 2, 'invalid image reference "a:b:c"'],
  [
    'a truncated digest',
    ['run', '-c', `${P}img`, '-i', 'foo@sha256:abc', 'true'],
    2,
    'invalid image reference "foo@sha256:abc"',
  ],
  [
    'a URL as the image',
    ['run', '-c', `${P}img`, '-i', 'http://x/y', 'true'],
    2,
    'invalid image reference "http://x/y"',
  ],
  ['an empty image', ['run', '-c', `${P}img`, '-i', '', 'true'], 2, 'invalid image reference ""'],
  [
    'a 300-character image',
    ['run', '-c', `${P}img`, '-i', `localhost/${long(290)}`, 'true'],
    2,
    'invalid image reference "localhost/aaaa',
  ],
  [
    '-i with -R',
    ['run', '-c', `${P}img`, '-i', 'a/b', '-R', 'x.example', 'true'],
    2,
    "don't use -i/--image together with -R/--reg or -I/--img",
  ],
  [
    '$(...) in TOOLBOX_IMAGE',
    ['run', '-c', `${P}img`, 'true'],
    2,
    `TOOLBOX_IMAGE: invalid image reference "$(touch ${MARKER})"`,
    (env) => void (env.TOOLBOX_IMAGE = `$(touch ${MARKER})`),
  ],
  // flags and arguments
  ['an unknown option after a subcommand', ['list', '--frobnicate'], 2, "unknown option '--frobnicate'"],
  ['an unknown config subcommand', ['config', 'frob'], 2, "unknown command 'frob'"],
  ['config without a subcommand', ['config'], 2, "'toolbox config' needs a subcommand"],
  ['config get without a key', ['config', 'get'], 2, "missing required argument 'KEY'"],
  [
    'too many names for stop',
    ['stop', `${P}a`, `${P}b`],
    2,
    "too many arguments for 'stop'. Expected 1 argument but got 2. Hint",
  ],
  [
    'a positional name and -c for rm',
    ['rm', '-c', `${P}a`, `${P}b`],
    2,
    `cannot tell which toolbox to use: "${P}b" or the one from -c/-t`,
  ],
  [
    'a bad --exec choice',
    ['--exec', 'shell', 'true'],
    2,
    "option '--exec <path>' argument 'shell' is invalid. Allowed choices are auto, podman, direct. Hint",
  ],
  [
    'a runtime that does not exist',
    ['run', '-c', `${P}rt`, '-X', '/nonexistent/hd-runtime', 'true'],
    2,
    'runtime /nonexistent/hd-runtime is not available',
  ],
  [
    'TOOLBOX_MODE=bogus',
    ['run', '-c', `${P}mode`, 'true'],
    2,
    'TOOLBOX_MODE: invalid mode "bogus": expected system or user',
    (env) => void (env.TOOLBOX_MODE = 'bogus'),
  ],
  [
    'TOOLBOX_ENGINE=lxc',
    ['list'],
    2,
    'TOOLBOX_ENGINE: invalid engine "lxc": expected podman or docker',
    (env) => void (env.TOOLBOX_ENGINE = 'lxc'),
  ],
  // config values
  ['a relative shell', ['config', 'set', 'shell', 'bash'], 2, 'invalid shell "bash": expected an absolute path'],
  ['a bad mode', ['config', 'set', 'mode', 'root'], 2, 'invalid mode "root": expected system or user'],
  ['an empty value', ['config', 'set', 'name', ''], 2, 'invalid toolbox name: it is empty'],
  ['a newline in a value', ['config', 'set', 'image', 'a\nb'], 2, 'invalid image reference "a\\nb"'],
  [
    'a bad mode stored in config.json',
    ['run', '-c', `${P}cfgmode`, 'true'],
    1,
    '',
    (env) => {
      writeConfig(env, '{"mode": "bogus"}');
    },
  ],
  // config.json and toolboxrc files
  [
    'config.json with a NUL byte',
    ['run', '-c', `${P}nul`, 'true'],
    1,
    '',
    (env) => {
      writeConfig(env, '{"a":\0}');
    },
  ],
  [
    'config.json of 4 MB of garbage',
    ['config', 'set', 'autostop', 'false'],
    1,
    '',
    (env) => {
      writeConfig(env, 'x'.repeat(4 << 20));
    },
  ],
  [
    'a toolboxrc that is a directory',
    ['run', '-c', `${P}rcdir`, 'true'],
    1,
    '',
    (env) => {
      mkdirSync(join(env.HOME!, '.toolboxrc'));
    },
  ],
  [
    'a toolboxrc that is a binary file',
    ['run', '-c', `${P}rcbin`, 'true'],
    1,
    '',
    (env) => {
      rc(env, '\x7fELF\x02\x01\x01\0\0\n');
    },
  ],
  [
    'a pipe in toolboxrc',
    ['run', '-c', `${P}rc`, 'true'],
    1,
    '',
    (env) => {
      rc(env, `IMAGE=foo|touch ${MARKER}\n`);
    },
  ],
  [
    '$(...) inside double quotes in toolboxrc',
    ['run', '-c', `${P}rc`, 'true'],
    1,
    '',
    (env) => {
      rc(env, `IMAGE="$(touch ${MARKER})"\n`);
    },
  ],
  [
    '${VAR} in toolboxrc',
    ['run', '-c', `${P}rc`, 'true'],
    1,
    '',
    (env) => {
      rc(env, 'TOOLBOX_NAME=${HOME}\n');
    },
  ],
  [
    'a redirection in toolboxrc',
    ['run', '-c', `${P}rc`, 'true'],
    1,
    '',
    (env) => {
      rc(env, `IMAGE=foo>${MARKER}\n`);
    },
  ],
  [
    'a background & in toolboxrc',
    ['run', '-c', `${P}rc`, 'true'],
    1,
    '',
    (env) => {
      rc(env, 'IMAGE=foo&\n');
    },
  ],
];

// The expected first words of the file-related cases depend on the temp paths, so they are
// filled in here from the env of the case.
const fileMessages: Record<string, (env: NodeJS.ProcessEnv) => string> = {
  'a bad mode stored in config.json': (env) =>
    `${cfg(env)}: mode: invalid mode "bogus": expected system or user. Hint: fix it with 'toolbox config set mode VALUE', or remove it with 'toolbox config unset mode'`,
  'config.json with a NUL byte': (env) => `${cfg(env)} is corrupt: `,
  'config.json of 4 MB of garbage': (env) => `${cfg(env)} is corrupt: `,
  'a toolboxrc that is a directory': (env) => `cannot read ${join(env.HOME!, '.toolboxrc')}: EISDIR`,
  'a toolboxrc that is a binary file': (env) => `${join(env.HOME!, '.toolboxrc')}:1: not a KEY=VALUE line`,
  'a pipe in toolboxrc': (env) => `${join(env.HOME!, '.toolboxrc')}:1: the value contains the shell operator "|"`,
  '$(...) inside double quotes in toolboxrc': (env) =>
    `${join(env.HOME!, '.toolboxrc')}:1: the value uses shell expansion ($)`,
  '${VAR} in toolboxrc': (env) => `${join(env.HOME!, '.toolboxrc')}:1: the value uses shell expansion ($)`,
  'a redirection in toolboxrc': (env) =>
    `${join(env.HOME!, '.toolboxrc')}:1: the value contains the shell operator ">"`,
  'a background & in toolboxrc': (env) =>
    `${join(env.HOME!, '.toolboxrc')}:1: the value contains the shell operator "&"`,
};

const cfg = (env: NodeJS.ProcessEnv) => join(env.XDG_CONFIG_HOME!, 'toolbox/config.json');
function writeConfig(env: NodeJS.ProcessEnv, text: string): void {
  mkdirSync(join(env.XDG_CONFIG_HOME!, 'toolbox'), { recursive: true });
  writeFileSync(cfg(env), text, { mode: 0o600 });
}
function rc(env: NodeJS.ProcessEnv, text: string): void {
  writeFileSync(join(env.HOME!, '.toolboxrc'), text);
}

describe('bad input is refused cleanly', () => {
  it('has at least 30 cases', () => {
    expect(cases.length).toBeGreaterThanOrEqual(30);
  });

  it.each(cases)('%s', (what, args, code, message, prepare) => {
    const env = isolatedEnv();
    toolbox(['config', 'set', 'autostop', 'true'], { env }); // a real config.json that must survive
    prepare?.(env);
    const files = snapshot(env.HOME!);
    const before = witnessState();
    const ours = containersNamed(P);
    const r = toolbox(args, { env });
    expectRefused(r, code, fileMessages[what]?.(env) ?? message);
    expect(snapshot(env.HOME!)).toEqual(files);
    expect(witnessState()).toBe(before);
    expect(containersNamed(P)).toEqual(ours);
    expect(existsSync(MARKER)).toBe(false);
  });
});

describe('HOME and USER unset', () => {
  // Without HOME, toolbox reads the passwd entry's home: root's real one. The CLI runs in a mount
  // namespace of its own with an empty directory over that home, so the machine's own
  // ~/.toolboxrc and ~/.config never reach the test, and nothing is written there.
  const passwdHome = spawnSync('getent', ['passwd', String(process.getuid!())], { encoding: 'utf8' }).stdout.split(
    ':',
  )[5]!;
  const sealed = mkdtempSync(`/tmp/${P}home-`);
  afterAll(() => {
    rmSync(sealed, { recursive: true, force: true });
  });
  const withSealedHome = (args: string[], env: NodeJS.ProcessEnv): Result => {
    const r = spawnSync(
      'unshare',
      [
        '--mount',
        '--propagation',
        'private',
        '--',
        'sh',
        '-c',
        'mount --bind "$1" "$2" && shift 2 && exec "$@"',
        'sh',
        sealed,
        passwdHome,
        ...CLI_ARGV,
        ...args,
      ],
      { env, encoding: 'utf8', cwd: ROOT },
    );
    return {
      code: r.status,
      signal: r.signal,
      stdout: r.stdout,
      stderr: r.stderr,
      stdoutBuffer: Buffer.from(r.stdout),
    };
  };

  it('fall back to the passwd entry: config path and list work', () => {
    const env = isolatedEnv({ HOME: undefined, USER: undefined, XDG_CONFIG_HOME: undefined });
    const path = withSealedHome(['config', 'path'], env);
    expect(path.stderr).toBe('');
    expect(path.stdout).toBe(`${passwdHome}/.config/toolbox/config.json\n`);
    expect(path.code).toBe(0);
    const list = withSealedHome(['list', '--json'], env);
    expect(list.stderr).toBe('');
    expect(list.code).toBe(0);
    expect((parseJson(list.stdout, 'list --json') as { name: string }[]).map((b) => b.name)).toContain(WITNESS);
    expect(readdirSync(sealed)).toEqual([]);
  });

  it("a session without HOME or USER gets root's home inside and runs", () => {
    // Made and left running outside the namespace first: the session inside only enters it.
    const env = isolatedEnv();
    expect(toolbox(['config', 'set', 'autostop', 'false'], { env }).code).toBe(0);
    expect(toolbox(['run', '-c', `${P}nohome`, 'true'], { env }).code).toBe(0);
    const bare = { ...env };
    delete bare.HOME;
    delete bare.USER;
    const r = withSealedHome(['run', '-c', `${P}nohome`, '--', 'sh', '-c', 'echo "$HOME"'], bare);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('/root\n');
    expect(r.code).toBe(0);
    expect(readdirSync(sealed)).toEqual([]);
  });
});

describe('config files that cannot be read or written', () => {
  // A user of this run's own, so that it removes exactly what it made.
  const USER = freshUserName('hdtb');
  let made = false;
  beforeAll(() => {
    expect(spawnSync('useradd', ['-M', '-d', '/nonexistent', '-s', '/usr/sbin/nologin', USER]).status).toBe(0);
    made = true;
  });
  afterAll(() => {
    if (made) expect(spawnSync('userdel', [USER]).status).toBe(0);
  });

  it('an unreadable config.json: exit 1, named, left as it is', () => {
    const dir = mkdtempSync(`/tmp/${P}unreadable-`);
    chmodSync(dir, 0o755);
    const file = join(dir, 'toolbox/config.json');
    mkdirSync(join(dir, 'toolbox'));
    chmodSync(join(dir, 'toolbox'), 0o755);
    writeFileSync(file, '{"autostop": false}', { mode: 0o000 });
    const before = snapshot(dir);
    for (const args of [
      ['config', 'get', 'autostop'],
      ['config', 'set', 'autostop', 'true'],
    ]) {
      // runuser starts the CLI as an unprivileged user; root would read the file anyway.
      const r = spawnSync(
        'runuser',
        [
          '-u',
          USER,
          '--',
          'env',
          `XDG_CONFIG_HOME=${dir}`,
          'HOME=/nonexistent',
          'PATH=/usr/bin:/bin',
          ...CLI_ARGV,
          ...args,
        ],
        { encoding: 'utf8' },
      );
      expectRefused(
        { ...r, code: r.status, signal: r.signal, stdoutBuffer: Buffer.from(r.stdout) },
        1,
        `cannot read ${file}: permission denied, open '${file}'`,
      );
    }
    expect(snapshot(dir)).toEqual(before);
    rmSync(dir, { recursive: true });
  });

  it('a read-only config directory: config set is refused, the old file is kept', () => {
    const dir = mkdtempSync(`/tmp/${P}rofs-`);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'hd-in-rofs', dir]).status).toBe(0);
    try {
      const env = isolatedEnv({ XDG_CONFIG_HOME: dir });
      expect(toolbox(['config', 'set', 'autostop', 'false'], { env }).code).toBe(0);
      expect(spawnSync('mount', ['-o', 'remount,ro', dir]).status).toBe(0);
      const before = snapshot(dir);
      const r = toolbox(['config', 'set', 'autostop', 'true'], { env });
      expectRefused(
        r,
        1,
        `cannot write ${dir}/toolbox/config.json: the file system is read-only (the previous file is unchanged)`,
      );
      expect(snapshot(dir)).toEqual(before);
      expect(toolbox(['config', 'get', 'autostop'], { env }).stdout).toBe('false\n');
    } finally {
      spawnSync('umount', [dir]);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
