// Faults of the places toolbox writes to: its config directory and its state directory on a
// full file system and on a read-only one, and the state directory removed while a session
// runs. Each call ends in one line (or its correct result), nothing already there is lost, and
// the next call works once the place is fixed.
//
// Root's state directory is always /run/toolbox. Each call here runs in a mount namespace of its
// own (unshare) where /run/toolbox is a directory of this test (a small tmpfs, a read-only bind),
// so the machine's own /run/toolbox, and every other toolbox on it, is never touched. The
// toolboxes themselves are made and started outside, with the machine's state.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  ENGINE,
  RUNTIME_STATE,
  containerId,
  containerState,
  containersNamed,
  gather,
  isolatedEnv,
  removeContainers,
  resultOf,
  ROOT,
  runPrefix,
  SYNC_LIMITS,
  toolbox,
  waitFor,
  type Result,
} from './helpers.js';

const P = runPrefix('hd-plc-');
const env = isolatedEnv({ TOOLBOX_IMAGE: 'localhost/toolbox-test:latest' });
const tmp = mkdtempSync(`/tmp/${P}`);
const mounts: string[] = [];
const STATE_HINT =
  'Hint: free space in /run or make it writable (toolbox keeps its state in /run/toolbox), then run the command again';

/** The namespace's /run/toolbox needs a mount point; toolbox itself makes the same directory. */
mkdirSync('/run/toolbox', { recursive: true, mode: 0o700 });

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
  for (const m of mounts.reverse()) spawnSync('umount', [m]);
  rmSync(tmp, { recursive: true, force: true });
});

/** A directory of this test, made private (0700) as a state directory must be. */
function place(name: string): string {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  chmodSync(dir, 0o700);
  return dir;
}

/** A tmpfs of 64 KiB at a new place; `fill()` fills it to the last byte, `free()` empties that again. */
function smallDisk(name: string): { dir: string; fill: () => void; free: () => void } {
  const dir = place(name);
  expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k,mode=0700', `${P}${name}`, dir]).status).toBe(0);
  mounts.push(dir);
  const filler = join(dir, 'filler');
  return {
    dir,
    fill: () => {
      spawnSync('dd', ['if=/dev/zero', `of=${filler}`, 'bs=1k'], { stdio: 'ignore' });
      // the last partial block too: nothing at all is left
      spawnSync('dd', ['if=/dev/zero', `of=${filler}-tail`, 'bs=1'], { stdio: 'ignore' });
    },
    free: () => {
      rmSync(filler, { force: true });
      rmSync(`${filler}-tail`, { force: true });
    },
  };
}

/** A directory that becomes read-only (a read-only bind of itself) with `freeze()`, writable again with `thaw()`. */
function freezable(name: string): { dir: string; freeze: () => void; thaw: () => void } {
  const dir = place(name);
  return {
    dir,
    freeze: () => {
      expect(spawnSync('mount', ['--bind', dir, dir]).status).toBe(0);
      mounts.push(dir);
      expect(spawnSync('mount', ['-o', 'remount,bind,ro', dir]).status).toBe(0);
    },
    thaw: () => {
      expect(spawnSync('umount', [dir]).status).toBe(0);
      mounts.splice(mounts.lastIndexOf(dir), 1);
    },
  };
}

/** The command line that runs toolbox ARGS with /run/toolbox being STATE, in a mount namespace of its own. */
function inState(state: string, args: string[]): [string, string[]] {
  const [file, argv] = cli(args);
  return [
    'unshare',
    [
      '--mount',
      '--propagation',
      'private',
      '--',
      'sh',
      '-c',
      'mount --bind "$0" /run/toolbox && exec "$@"',
      state,
      file,
      ...argv,
    ],
  ];
}

function toolboxIn(state: string, args: string[], e: NodeJS.ProcessEnv = env): Result {
  return resultOf(spawnSync(...inState(state, args), { env: e, cwd: ROOT, input: '', ...SYNC_LIMITS }));
}

function toolboxInAsync(state: string, args: string[], e: NodeJS.ProcessEnv = env) {
  const child = spawn(...inState(state, args), { env: e, cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
  return { child, ...gather(child) };
}

/** Every file and directory below `dir`, as paths relative to it. */
function tree(dir: string): string[] {
  return (readdirSync(dir, { recursive: true }) as string[]).sort();
}

function oneLine(r: Result, code: number, line: string): void {
  expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
  expect(r.stderr).toBe(`${line}\n`);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.code).toBe(code);
}

/**
 * The first state a run on an existing toolbox writes: podman's cached name is confirmed against
 * its storage index, so the run goes straight to the container's directory; docker has no such
 * index (parse.ts: storeIndex), so there every run asks the engine while it claims the name.
 */
const firstWrite = (name: string, id: string) =>
  ENGINE === 'docker' ? `${RUNTIME_STATE}/claims/${name}` : `${RUNTIME_STATE}/boxes/${id}`;

describe('the state directory on a full file system', () => {
  const BOX = `${P}full`;
  const disk = smallDisk('state-full');
  let id = '';
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    id = containerId(BOX);
    // the toolbox's state made in the small directory, while it has room
    expect(toolboxIn(disk.dir, ['run', '-n', '-c', BOX, 'true']).code).toBe(0);
  });

  it('a run fails with one line, nothing half-written is left, and the toolbox is untouched', () => {
    const before = tree(disk.dir);
    disk.fill();
    const full = `Error: cannot write the toolbox state in ${firstWrite(BOX, id)}: the disk is full. ${STATE_HINT}`;
    oneLine(toolboxIn(disk.dir, ['run', '-n', '-c', BOX, 'echo', 'never']), 1, full);
    oneLine(toolboxIn(disk.dir, ['run', '-c', BOX, 'echo', 'never']), 1, full);
    // no lock file of a dead call stays behind (an empty one would be a lock that names no one)
    expect(tree(disk.dir)).toEqual([...before, 'filler', 'filler-tail'].sort());
    expect(containerState(BOX)).toBe('running');
    // what needs no state still works
    const list = toolboxIn(disk.dir, ['list', '--json']);
    expect(list.code).toBe(0);
    expect((JSON.parse(list.stdout) as { name: string }[]).map((b) => b.name)).toContain(BOX);
  });

  it('a new toolbox is refused with one line, before any container is made', () => {
    oneLine(
      toolboxIn(disk.dir, ['run', '-c', `${P}full-new`, 'true']),
      1,
      `Error: cannot write the toolbox state in ${RUNTIME_STATE}/claims/${P}full-new: the disk is full. ${STATE_HINT}`,
    );
    expect(containersNamed(`${P}full-new`)).toEqual([]);
  });

  it('once there is room again, the next call works, and auto-stop with it', () => {
    disk.free();
    const r = toolboxIn(disk.dir, ['run', '-c', BOX, 'echo', 'back']);
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: 'back\n', stderr: '' });
    expect(containerState(BOX)).toBe('exited');
  });

  it('full while a session runs: the command exit code stands, and one line says the toolbox is left running', async () => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0); // started outside
    const go = join(tmp, 'go-full');
    const session = toolboxInAsync(disk.dir, [
      'run',
      '-c',
      BOX,
      '--',
      'sh',
      '-c',
      `echo ready; while [ ! -e /media/root${go} ]; do sleep 0.1; done; exit 42`,
    ]);
    await waitFor(() => session.output().includes('ready'), 'the session');
    disk.fill();
    writeFileSync(go, '');
    const r = await session.done;
    expect(r.stdout).toBe('ready\n');
    expect(r.stderr).toBe(
      `Warning: toolbox ${BOX} is left running: cannot write the toolbox state in ${RUNTIME_STATE}/boxes/${id}: the disk is full\n`,
    );
    expect(r.code).toBe(42);
    expect(containerState(BOX)).toBe('running');
    disk.free();
    // its session file is gone with it: the next session is the only one, and stops the toolbox
    const next = toolboxIn(disk.dir, ['run', '-c', BOX, 'echo', 'next']);
    expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
      code: 0,
      stdout: 'next\n',
      stderr: '',
    });
    expect(containerState(BOX)).toBe('exited');
  });
});

describe('the state directory read-only', () => {
  const BOX = `${P}ro`;
  const ro = freezable('state-ro');
  let id = '';
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    id = containerId(BOX);
  });

  it('empty and read-only: one line naming it, exit 1', () => {
    ro.freeze();
    try {
      oneLine(
        toolboxIn(ro.dir, ['run', '-n', '-c', BOX, 'echo', 'never']),
        1,
        `Error: cannot use the state directory ${RUNTIME_STATE}: the file system is read-only. ${STATE_HINT}`,
      );
    } finally {
      ro.thaw();
    }
  });

  it('with the toolbox state in it: one line naming the file, and nothing in it changes', () => {
    expect(toolboxIn(ro.dir, ['run', '-n', '-c', BOX, 'true']).code).toBe(0);
    const before = tree(ro.dir);
    const record = readFileSync(join(ro.dir, ENGINE, 'boxes', id, 'record.json'));
    ro.freeze();
    try {
      const line = `Error: cannot write the toolbox state in ${firstWrite(BOX, id)}: the file system is read-only. ${STATE_HINT}`;
      oneLine(toolboxIn(ro.dir, ['run', '-n', '-c', BOX, 'echo', 'never']), 1, line);
      oneLine(toolboxIn(ro.dir, ['run', '-c', BOX, 'echo', 'never']), 1, line);
    } finally {
      ro.thaw();
    }
    expect(tree(ro.dir)).toEqual(before);
    expect(readFileSync(join(ro.dir, ENGINE, 'boxes', id, 'record.json'))).toEqual(record);
    expect(containerState(BOX)).toBe('running');
    const next = toolboxIn(ro.dir, ['run', '-c', BOX, 'echo', 'writable again']);
    expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
      code: 0,
      stdout: 'writable again\n',
      stderr: '',
    });
    expect(containerState(BOX)).toBe('exited');
  });
});

describe('the state directory removed while a session runs', () => {
  const BOX = `${P}gone`;
  const state = place('state-gone');
  const session = (tag: string, code: number) => {
    const go = join(tmp, `go-${tag}`);
    const run = toolboxInAsync(state, [
      'run',
      '-c',
      BOX,
      '--',
      'sh',
      '-c',
      `echo ready-${tag}; while [ ! -e /media/root${go} ]; do sleep 0.1; done; exit ${code}`,
    ]);
    return {
      ready: () => waitFor(() => run.output().includes(`ready-${tag}`), `session ${tag}`),
      release: () => {
        writeFileSync(go, '');
      },
      done: run.done,
    };
  };
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0); // started outside
  });

  it('alone: it ends with its own exit code and stops the toolbox; the next call works', async () => {
    const a = session('alone', 7);
    await a.ready();
    rmSync(join(state, ENGINE), { recursive: true, force: true });
    a.release();
    expect(await a.done).toMatchObject({ code: 7, stdout: 'ready-alone\n', stderr: '' });
    expect(containerState(BOX)).toBe('exited');
    const next = toolboxIn(state, ['run', '-n', '-c', BOX, 'echo', 'next']);
    expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
      code: 0,
      stdout: 'next\n',
      stderr: '',
    });
  });

  it('with a session that started after the removal: the first one out leaves the toolbox to it, the last one stops it', async () => {
    const a = session('first', 3);
    await a.ready();
    rmSync(join(state, ENGINE), { recursive: true, force: true });
    const b = session('second', 4);
    await b.ready();
    a.release();
    expect(await a.done).toMatchObject({ code: 3, stdout: 'ready-first\n', stderr: '' });
    expect(containerState(BOX)).toBe('running'); // b still runs in it
    b.release();
    expect(await b.done).toMatchObject({ code: 4, stdout: 'ready-second\n', stderr: '' });
    expect(containerState(BOX)).toBe('exited');
    expect(existsSync(join(state, ENGINE, 'boxes', containerId(BOX), 'sessions'))).toBe(true);
    expect(readdirSync(join(state, ENGINE, 'boxes', containerId(BOX), 'sessions'))).toEqual([]);
  });

  it('removed while a call opens its session (the state made again under it): no internal error', async () => {
    // Many removals while calls start the stopped toolbox: each call runs or fails with one line.
    // (-n: a removal also loses the count of sessions already open, so auto-stop could stop the
    // toolbox under one of them; what is tested here is the opening.)
    const calls = Array.from({ length: 6 }, (_, i) =>
      toolboxInAsync(state, ['run', '-n', '-c', BOX, 'sh', '-c', `exit ${10 + i}`]),
    );
    const removing = { on: true };
    const remover = (async () => {
      while (removing.on) {
        try {
          rmSync(join(state, ENGINE), { recursive: true, force: true });
        } catch {
          // a call made a file in it meanwhile: the next round removes it
        }
        await new Promise((r) => setTimeout(r, 20));
      }
    })();
    const results = await Promise.all(calls.map((c) => c.done));
    removing.on = false;
    await remover;
    results.forEach((r, i) => {
      expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
      if (r.code !== 10 + i)
        expect({ i, code: r.code, lines: r.stderr.split('\n').length }).toEqual({ i, code: 1, lines: 2 });
    });
    const next = toolboxIn(state, ['run', '-c', BOX, 'echo', 'next']);
    expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
      code: 0,
      stdout: 'next\n',
      stderr: '',
    });
    await waitFor(() => containerState(BOX) === 'exited', 'the last one out to stop it');
  });
});

describe('the config directory on a full file system, and read-only', () => {
  const BOX = `${P}cfg`;
  const hint = 'Hint: free space or fix permissions, or point XDG_CONFIG_HOME at a writable directory';

  it('full: every command that writes config fails with one line, changing nothing; run still works', () => {
    const disk = smallDisk('config-full');
    const e = { ...env, XDG_CONFIG_HOME: disk.dir };
    expect(toolbox(['create', BOX], { env: e }).code).toBe(0);
    expect(toolbox(['upgrade', BOX], { env: e }).code).toBe(0); // generation 2, generation 1 kept
    const file = join(disk.dir, 'toolbox/config.json');
    const before = readFileSync(file);
    disk.fill();
    const full = `Error: cannot write ${file}: the disk is full (the previous file is unchanged). ${hint}`;
    oneLine(toolbox(['config', 'set', 'autostop', 'false'], { env: e }), 1, full);
    oneLine(toolbox(['upgrade', BOX], { env: e }), 1, full);
    oneLine(toolbox(['rollback', BOX], { env: e }), 1, full);
    expect(readFileSync(file)).toEqual(before);
    expect(readdirSync(join(disk.dir, 'toolbox'))).toEqual(['config.json']);
    const run = toolbox(['run', '-c', BOX, 'echo', 'runs'], { env: e });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: 'runs\n',
      stderr: '',
    });
    // no generation lost or moved
    const gens = () =>
      (
        JSON.parse(toolbox(['list', '--json'], { env: e }).stdout) as {
          name: string;
          generation: number;
          generations: { generation: number }[];
        }[]
      )
        .filter((b) => b.name === BOX)
        .map((b) => [b.generation, b.generations.map((g) => g.generation)]);
    expect(gens()).toEqual([[2, [1]]]);
    disk.free();
    expect(toolbox(['rollback', BOX], { env: e }).code).toBe(0);
    expect(gens()).toEqual([[1, [2]]]);
    expect(toolbox(['rm', '-q', '--force', BOX], { env: e }).code).toBe(0);
  }, 600_000);

  it('read-only: the same, with its own words', () => {
    const ro = freezable('config-ro');
    const e = { ...env, XDG_CONFIG_HOME: ro.dir };
    expect(toolbox(['create', BOX], { env: e }).code).toBe(0);
    expect(toolbox(['upgrade', BOX], { env: e }).code).toBe(0);
    const file = join(ro.dir, 'toolbox/config.json');
    const before = readFileSync(file);
    ro.freeze();
    try {
      const line = `Error: cannot write ${file}: the file system is read-only (the previous file is unchanged). ${hint}`;
      oneLine(toolbox(['config', 'set', 'autostop', 'false'], { env: e }), 1, line);
      oneLine(toolbox(['upgrade', BOX], { env: e }), 1, line);
      oneLine(toolbox(['rollback', BOX], { env: e }), 1, line);
      const run = toolbox(['run', '-c', BOX, 'echo', 'runs'], { env: e });
      expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
        code: 0,
        stdout: 'runs\n',
        stderr: '',
      });
    } finally {
      ro.thaw();
    }
    expect(readFileSync(file)).toEqual(before);
    expect(toolbox(['rollback', BOX], { env: e }).code).toBe(0);
    expect(toolbox(['rm', '-q', '--force', BOX], { env: e }).code).toBe(0);
  }, 600_000);
});
