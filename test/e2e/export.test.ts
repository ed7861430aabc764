// `toolbox export`: tools of a toolbox called on the host through the wrappers it writes. The
// wrapper must behave like the tool itself: exact arguments, exit codes, signals, binary stdin,
// the caller's directory, no terminal, no HOME; and follow its toolbox through rename, upgrade and
// rollback, and go with `toolbox rm`.
import { spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SignedRepoServer } from './signed-repo.js';
import {
  CLI_ARGV,
  gather,
  isolatedEnv,
  parseJson,
  podman,
  removeContainers,
  resultOf,
  runPrefix,
  SYNC_LIMITS,
  TEST_IMAGE,
  toolbox,
  waitFor,
  type Result,
} from './helpers.js';

const P = runPrefix('ex-e2e-');
const IMG = `localhost/${P}img:latest`;
const BOX = `${P}box`;
const OTHER = `${P}other`;
// Wrappers go to a directory of the test's own (--dir), except where the default is the point.
const DIR = mkdtempSync(join(tmpdir(), `${P}bin-`));
chmodSync(DIR, 0o755);
const env = isolatedEnv({ TOOLBOX_IMAGE: IMG });
// Tools baked into the image, so that every generation has them.
const TOOLS: Record<string, string> = {
  argdump: `for a in "$@"; do printf '<%s>\\n' "$a"; done`,
  exitwith: 'exit "$1"',
  killself: 'kill -s "$1" $$',
  trapper: `trap 'echo got-TERM; exit 7' TERM; trap 'echo got-INT; exit 8' INT; echo ready; while :; do sleep 1 & wait $!; done`,
  whereami: 'pwd',
};

function buildImage(): void {
  const dir = mkdtempSync(join(tmpdir(), `${P}build-`));
  try {
    const lines = [`FROM ${TEST_IMAGE}`];
    for (const [name, body] of Object.entries(TOOLS)) {
      writeFileSync(join(dir, name), `#!/bin/sh\n${body}\n`, { mode: 0o755 });
      lines.push(`COPY ${name} /usr/local/bin/${P}${name}`);
    }
    writeFileSync(join(dir, 'Containerfile'), `${lines.join('\n')}\n`);
    const r = podman(['build', '--quiet', '--network', 'host', '-t', IMG, dir]);
    if (r.code !== 0) throw new Error(`podman build failed: ${r.stderr}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs an exported wrapper as a script on the host would. */
function wrapper(
  name: string,
  args: string[],
  options: { input?: Buffer; cwd?: string; env?: NodeJS.ProcessEnv } = {},
): Result {
  return resultOf(
    spawnSync(join(DIR, name), args, {
      env: options.env ?? env,
      input: options.input ?? '',
      cwd: options.cwd ?? DIR,
      ...SYNC_LIMITS,
    }),
  );
}

const tool = (name: string) => `${P}${name}`;

beforeAll(() => {
  removeContainers(P);
  buildImage();
  for (const box of [BOX, OTHER]) {
    const r = toolbox(['create', box], { env });
    expect(r.code).toBe(0);
  }
  // The toolboxes stay up between calls, as a busy host's would.
  expect(toolbox(['config', 'set', 'autostop', 'false'], { env }).code).toBe(0);
  const r = toolbox(
    ['export', '-c', BOX, '--dir', DIR, ...['argdump', 'exitwith', 'killself', 'trapper', 'whereami'].map(tool)],
    { env },
  );
  expect(r.stderr).toBe('');
  expect(r.stdout).toBe('');
  expect(r.code).toBe(0);
}, 240_000);

afterAll(() => {
  removeContainers(P);
  podman(['rmi', '--force', IMG]);
  rmSync(DIR, { recursive: true, force: true });
});

describe('the wrapper behaves like the tool', () => {
  it('passes every argument exactly: spaces, quotes, globs, newlines, empty strings, options', () => {
    const args = ['a b', '', '*', "it's", 'say "hi"', 'new\nline', '$HOME', '`id`', '-n', '--', '\\'];
    const r = wrapper(tool('argdump'), args);
    expect(r.stdout).toBe(args.map((a) => `<${a}>\n`).join(''));
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
  });

  it.each([0, 1, 42, 126, 127])('exit code %i passes through', (n) => {
    const r = wrapper(tool('exitwith'), [String(n)]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe('');
    expect(r.code).toBe(n);
  });

  it.each([
    ['TERM', 143],
    ['KILL', 137],
    ['SEGV', 139],
  ])('a tool killed by SIG%s gives %i', (signal, code) => {
    const r = wrapper(tool('killself'), [signal]);
    expect(r.code).toBe(code);
    expect(r.stdout).toBe('');
  });

  it('streams 2 MB of binary stdin to the tool and its stdout back, byte for byte', () => {
    const input = randomBytes(2 * 1024 * 1024);
    const r = toolbox(['export', '-c', BOX, '--dir', DIR, '--as', tool('cat'), '/bin/cat'], { env });
    expect(r.code).toBe(0);
    const out = spawnSync(join(DIR, tool('cat')), [], { env, input, ...SYNC_LIMITS });
    expect(out.status).toBe(0);
    expect(Buffer.compare(out.stdout, input)).toBe(0);
  });

  it('runs in the caller directory, seen under /media/root', () => {
    const here = mkdtempSync(join(tmpdir(), `${P}cwd-`));
    try {
      const r = wrapper(tool('whereami'), [], { cwd: here });
      expect(r.stdout).toBe(`/media/root${here}\n`);
      expect(r.code).toBe(0);
    } finally {
      rmSync(here, { recursive: true });
    }
  });

  it('works from cron or a systemd unit: no HOME, no TERM, no terminal, a bare PATH', () => {
    const r = spawnSync('/usr/bin/env', ['-i', 'PATH=/usr/bin:/bin', join(DIR, tool('argdump')), 'x y'], {
      cwd: '/',
      ...SYNC_LIMITS,
    });
    expect(r.stdout.toString()).toBe('<x y>\n');
    expect(r.status).toBe(0);
  });

  it.each([
    ['SIGTERM', 'got-TERM\n', 7],
    ['SIGINT', 'got-INT\n', 8],
  ] as const)('%s sent to the wrapper reaches the tool', async (signal, said, code) => {
    const child = spawn(join(DIR, tool('trapper')), [], { env, cwd: DIR, stdio: ['pipe', 'pipe', 'pipe'] });
    const { done, output } = gather(child);
    await waitFor(() => output().includes('ready'), 'the tool to start');
    child.kill(signal);
    const r = await done;
    expect(r.stdout).toBe(`ready\n${said}`);
    expect(r.code).toBe(code);
  });
});

describe('what export refuses', () => {
  it('a name the host already has on its PATH, unless --force', () => {
    const r = toolbox(['export', '-c', BOX, '--dir', DIR, 'cat'], { env });
    expect(r.stderr).toBe(
      `Error: the host already has a command cat (/usr/bin/cat). Hint: export it under another name with --as NAME, or use --force to add ${DIR}/cat beside it\n`,
    );
    expect(r.code).toBe(1);
    expect(existsSync(join(DIR, 'cat'))).toBe(false);
    const forced = toolbox(['export', '-c', BOX, '--dir', DIR, '--force', 'cat'], { env });
    expect(forced.code).toBe(0);
    expect(wrapper('cat', [], { input: Buffer.from('through the toolbox\n') }).stdout).toBe('through the toolbox\n');
    expect(toolbox(['unexport', '--dir', DIR, 'cat'], { env }).code).toBe(0);
  });

  it('never replaces a file it did not write, even with --force', () => {
    const mine = join(DIR, tool('mine'));
    writeFileSync(mine, '#!/bin/sh\necho mine\n', { mode: 0o755 });
    for (const extra of [[], ['--force']]) {
      const r = toolbox(['export', '-c', BOX, '--dir', DIR, ...extra, '--as', tool('mine'), tool('argdump')], { env });
      expect(r.stderr).toBe(
        `Error: ${mine} exists and was not written by toolbox; not replacing it. Hint: export it under another name with --as NAME, or remove ${mine} yourself\n`,
      );
      expect(r.code).toBe(1);
    }
    expect(readFileSync(mine, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    const r = toolbox(['unexport', '--dir', DIR, tool('mine')], { env });
    expect(r.stderr).toBe(
      `Error: ${mine} was not written by toolbox; not removing it. Hint: 'toolbox export --list' shows what toolbox exported\n`,
    );
    expect(r.code).toBe(1);
    expect(readFileSync(mine, 'utf8')).toBe('#!/bin/sh\necho mine\n');
    rmSync(mine);
  });

  it('a wrapper edited by hand is no longer ours', () => {
    const r1 = toolbox(['export', '-c', BOX, '--dir', DIR, '--as', tool('edited'), tool('argdump')], { env });
    expect(r1.code).toBe(0);
    const file = join(DIR, tool('edited'));
    writeFileSync(file, `${readFileSync(file, 'utf8')}# my note\n`);
    const r = toolbox(['unexport', '--dir', DIR, tool('edited')], { env });
    expect(r.code).toBe(1);
    expect(existsSync(file)).toBe(true);
    rmSync(file);
  });

  it('two toolboxes exporting the same name: the second is refused', () => {
    const r = toolbox(['export', '-c', OTHER, '--dir', DIR, tool('argdump')], { env });
    expect(r.stderr).toBe(
      `Error: ${tool('argdump')} is already exported from toolbox ${BOX} (${DIR}/${tool('argdump')}). Hint: export it under another name with --as NAME, or first: toolbox unexport ${tool('argdump')}\n`,
    );
    expect(r.code).toBe(1);
    const as = toolbox(['export', '-c', OTHER, '--dir', DIR, '--as', tool('argdump-other'), tool('argdump')], { env });
    expect(as.code).toBe(0);
    expect(wrapper(tool('argdump-other'), ['o']).stdout).toBe('<o>\n');
  });

  it('a tool the toolbox does not have', () => {
    const r = toolbox(['export', '-c', BOX, '--dir', DIR, 'no-such-tool-xyz'], { env });
    expect(r.stderr).toBe(
      `Error: no-such-tool-xyz is not a command in toolbox ${BOX}. Hint: install it first (toolbox install -c ${BOX} PACKAGE), or give its full path inside\n`,
    );
    expect(r.code).toBe(1);
  });

  it.each([['../x'], ['a/b'], ['-x'], ['']])('a name that is no command name: %j', (name) => {
    const r = toolbox(['export', '-c', BOX, '--dir', DIR, '--', name], { env });
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
  });

  it('a directory below one that someone else owns (who could swap it for a link)', () => {
    const parent = mkdtempSync(join(tmpdir(), `${P}theirs-`));
    const dir = join(parent, 'bin');
    try {
      spawnSync('mkdir', ['-m', '755', dir]);
      chmodSync(parent, 0o755);
      spawnSync('chown', ['65534', parent]);
      const r = toolbox(['export', '-c', BOX, '--dir', dir, tool('argdump')], { env });
      expect(r.stderr).toBe(
        `Error: cannot export to ${dir}: ${parent} above it is owned by uid 65534, not by you (uid 0) or root. Hint: choose a directory that only root (or you) can change, with --dir DIR\n`,
      );
      expect(r.code).toBe(1);
    } finally {
      rmSync(parent, { recursive: true, force: true });
    }
  });

  it('a directory others may write to', () => {
    const open = mkdtempSync(join(tmpdir(), `${P}open-`));
    chmodSync(open, 0o777);
    try {
      const r = toolbox(['export', '-c', BOX, '--dir', open, tool('argdump')], { env });
      expect(r.stderr).toBe(
        `Error: cannot export to ${open}: others may write to it. Hint: make it writable by its owner alone (chmod go-w ${open})\n`,
      );
      expect(r.code).toBe(1);
    } finally {
      rmSync(open, { recursive: true });
    }
  });
});

describe('a read-only directory (a host whose /usr/local is not a writable subvolume)', () => {
  it('is one line that says so and names --dir', () => {
    const ro = mkdtempSync(join(tmpdir(), `${P}ro-`));
    chmodSync(ro, 0o755);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'ro,mode=0755', `${P}ro`, ro]).status).toBe(0);
    try {
      const r = toolbox(['export', '-c', BOX, '--dir', ro, tool('argdump')], { env });
      expect(r.stderr).toBe(
        `Error: cannot export to ${ro}: the file system is read-only. Hint: choose another directory with --dir DIR\n`,
      );
      expect(r.code).toBe(1);
    } finally {
      spawnSync('umount', [ro]);
      rmSync(ro, { recursive: true, force: true });
    }
  });
});

describe('the exports of a toolbox', () => {
  it('export --list --json names each wrapper, its tool and its toolbox', () => {
    const r = toolbox(['export', '--list', '--json', '--dir', DIR], { env });
    expect(r.code).toBe(0);
    const rows = parseJson(r.stdout, 'export --list') as { name: string; toolbox: string; path: string }[];
    const mine = rows.filter((row) => row.name === tool('argdump') || row.name === tool('argdump-other'));
    expect(mine.map((row) => [row.name, row.toolbox, row.path])).toEqual([
      [tool('argdump'), BOX, `/usr/local/bin/${tool('argdump')}`],
      [tool('argdump-other'), OTHER, `/usr/local/bin/${tool('argdump')}`],
    ]);
  });

  it('a renamed toolbox keeps serving its exports', () => {
    expect(podman(['rename', BOX, `${BOX}-renamed`]).code).toBe(0);
    try {
      const r = wrapper(tool('argdump'), ['still here']);
      expect(r.stdout).toBe('<still here>\n');
      expect(r.code).toBe(0);
    } finally {
      expect(podman(['rename', `${BOX}-renamed`, BOX]).code).toBe(0);
    }
  });

  it('follows the toolbox through upgrade and rollback', () => {
    const marker = ['/bin/sh', '-c', 'cat /root/generation-marker 2>/dev/null || echo none'];
    expect(toolbox(['export', '-c', BOX, '--dir', DIR, '--as', tool('sh'), '/bin/sh'], { env }).code).toBe(0);
    expect(toolbox(['run', '-c', BOX, 'sh', '-c', 'echo first > /root/generation-marker'], { env }).code).toBe(0);
    const ask = () => wrapper(tool('sh'), marker.slice(1));
    expect(ask().stdout).toBe('first\n');
    const up = toolbox(['upgrade', '--force', BOX], { env });
    expect(up.code).toBe(0);
    expect(ask().stdout).toBe('none\n');
    const back = toolbox(['rollback', '--force', BOX], { env });
    expect(back.code).toBe(0);
    expect(ask().stdout).toBe('first\n');
  }, 240_000);

  it('a toolbox removed behind its back: one line naming it, exit 127', () => {
    const gone = `${P}gone`;
    expect(toolbox(['create', gone], { env }).code).toBe(0);
    expect(toolbox(['export', '-c', gone, '--dir', DIR, '--as', tool('gone'), tool('argdump')], { env }).code).toBe(0);
    expect(podman(['rm', '--force', '-t', '0', gone]).code).toBe(0);
    const r = wrapper(tool('gone'), ['x']);
    expect(r.stdout).toBe('');
    expect(r.stderr).toBe(
      `Error: ${tool('argdump')} was exported from toolbox ${gone}, which is gone. Hint: create it again and export ${tool('argdump')} anew, or remove the wrapper: toolbox unexport ${tool('argdump')}\n`,
    );
    expect(r.code).toBe(127);
    expect(toolbox(['unexport', '--dir', DIR, tool('gone')], { env }).code).toBe(0);
    expect(existsSync(join(DIR, tool('gone')))).toBe(false);
  });

  it('toolbox rm removes its exports, and says how many', () => {
    const doomed = `${P}doomed`;
    expect(toolbox(['create', doomed], { env }).code).toBe(0);
    for (const as of ['d1', 'd2'])
      expect(toolbox(['export', '-c', doomed, '--dir', DIR, '--as', tool(as), tool('argdump')], { env }).code).toBe(0);
    const r = toolbox(['rm', '--force', '-v', doomed], { env });
    expect(r.code).toBe(0);
    expect(r.stderr).toContain(`removed 2 exported commands of ${doomed}\n`);
    expect(existsSync(join(DIR, tool('d1')))).toBe(false);
    expect(existsSync(join(DIR, tool('d2')))).toBe(false);
    // The other toolboxes' exports stay.
    expect(existsSync(join(DIR, tool('argdump')))).toBe(true);
  });

  it('unexport removes the wrapper; a second time says there is none', () => {
    expect(toolbox(['export', '-c', BOX, '--dir', DIR, '--as', tool('once'), tool('argdump')], { env }).code).toBe(0);
    const r = toolbox(['unexport', '--dir', DIR, tool('once')], { env });
    expect(r.code).toBe(0);
    expect(existsSync(join(DIR, tool('once')))).toBe(false);
    const again = toolbox(['unexport', '--dir', DIR, tool('once')], { env });
    expect(again.stderr).toBe(
      `Error: no exported command ${tool('once')}. Hint: 'toolbox export --list' shows the exports\n`,
    );
    expect(again.code).toBe(1);
  });

  it('the default directory is /usr/local/bin, and --dir is remembered for list and rm', () => {
    const name = tool('default');
    const r = toolbox(['export', '-c', BOX, '--as', name, tool('argdump')], { env });
    expect(r.code).toBe(0);
    try {
      expect(readFileSync(`/usr/local/bin/${name}`, 'utf8')).toContain(`# toolbox-export: `);
      const ran = spawnSync(name, ['on PATH'], {
        env: { ...env, PATH: `/usr/local/bin:${env.PATH ?? ''}` },
        ...SYNC_LIMITS,
      });
      expect(ran.stdout.toString()).toBe('<on PATH>\n');
      const list = toolbox(['export', '--list', '--json'], { env });
      const names = (parseJson(list.stdout, 'export --list') as { name: string }[]).map((row) => row.name);
      expect(names).toContain(name);
      expect(names).toContain(tool('argdump'));
    } finally {
      expect(toolbox(['unexport', name], { env }).code).toBe(0);
    }
    expect(existsSync(`/usr/local/bin/${name}`)).toBe(false);
  });
});

describe('install --export', () => {
  const repo = new SignedRepoServer();
  const pkg = tool('probe');
  beforeAll(async () => {
    repo.build([{ name: pkg, script: '#!/bin/sh\nprintf "probe:%s\\n" "$@"\nexit 3' }]);
    await repo.start();
    repo.publish('ex', [pkg]);
    const r = toolbox(['repo', 'add', '-q', '-c', BOX, 'ex', repo.url('ex'), '--key', repo.keyFile], { env });
    expect(r.code).toBe(0);
  }, 120_000);
  afterAll(async () => {
    await repo.cleanup();
  });

  it('installs the package and exports its commands in one step; --json says which', () => {
    const r = toolbox(['install', '--json', '--export', '-c', BOX, pkg], { env });
    expect(r.code).toBe(0);
    expect(parseJson(r.stdout, 'install --export')).toEqual({
      installed: [pkg],
      alreadyPresent: [],
      failed: [],
      exported: [{ name: pkg, path: `/usr/bin/${pkg}`, wrapper: `/usr/local/bin/${pkg}` }],
    });
    try {
      const ran = spawnSync(`/usr/local/bin/${pkg}`, ['-i any', 'port 53'], { env, ...SYNC_LIMITS });
      expect(ran.stdout.toString()).toBe('probe:-i any\nprobe:port 53\n');
      expect(ran.status).toBe(3);
    } finally {
      expect(toolbox(['unexport', pkg], { env }).code).toBe(0);
    }
  }, 240_000);
});

describe('the npm form and the executable write the same kind of wrapper', () => {
  it('the wrapper starts exactly the toolbox that wrote it', () => {
    const text = readFileSync(join(DIR, tool('argdump')), 'utf8');
    const exec = text.split('\n').find((l) => l.startsWith('exec '));
    expect(exec?.startsWith(`exec ${CLI_ARGV.map((a) => `'${a}'`).join(' ')} '__exported' `)).toBe(true);
  });
});
