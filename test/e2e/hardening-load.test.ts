// Load: many runs in a row and at once on one toolbox, many first calls at once, many
// toolboxes, and sessions starting and ending at random with auto-stop on. Zero failures.
// 50 runs at once end with their own exit codes and one stop; 1,000 in a row leak nothing.
// Commands are `true`/`echo` and -n is used wherever auto-stop is not what is tested, since
// the machine is small and shared.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CLI_ARGV,
  ENGINE,
  containerId,
  containerState,
  containersNamed,
  isolatedEnv,
  removeContainers,
  toolbox,
  toolboxAsync,
  waitFor,
  type Result,
  runPrefix,
} from './helpers.js';

const P = runPrefix('hd-load-');
const env = isolatedEnv();

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
});

/** A small seeded PRNG (mulberry32), so a failing random schedule can be replayed. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('one toolbox under load', () => {
  const BOX = `${P}one`;

  it('50 sequential runs: zero failures', () => {
    for (let i = 0; i < 50; i++) {
      const r = toolbox(['run', '-n', '-c', BOX, '--', 'echo', `seq-${i}`], { env });
      expect({ i, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        i,
        code: 0,
        stdout: `seq-${i}\n`,
        stderr: '',
      });
    }
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  it('16 parallel runs: zero failures', async () => {
    const results = await Promise.all(
      Array.from(
        { length: 16 },
        (_, i) => toolboxAsync(['run', '-n', '-c', BOX, '--', 'echo', `par-${i}`], { env }).done,
      ),
    );
    results.forEach((r, i) => {
      expect({ i, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
        i,
        code: 0,
        stdout: `par-${i}\n`,
        stderr: '',
      });
    });
    expect(containersNamed(BOX)).toEqual([BOX]);
    expect(containerState(BOX)).toBe('running');
  });
});

it('16 parallel first-time runs make exactly one container', async () => {
  const BOX = `${P}first`;
  const results = await Promise.all(
    Array.from(
      { length: 16 },
      (_, i) => toolboxAsync(['run', '-n', '-c', BOX, '--', 'echo', `first-${i}`], { env }).done,
    ),
  );
  results.forEach((r, i) => {
    expect({ i, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({
      i,
      code: 0,
      stdout: `first-${i}\n`,
      stderr: '',
    });
  });
  expect(containersNamed(BOX)).toEqual([BOX]);
});

it('20 toolboxes are listed correctly, running and stopped ones alike', async () => {
  const names = Array.from({ length: 20 }, (_, i) => `${P}many-${String(i).padStart(2, '0')}`);
  // four at a time: even ones are created (left running), odd ones run once (auto-stopped)
  for (let i = 0; i < names.length; i += 4) {
    const batch = names
      .slice(i, i + 4)
      .map((n, j) => toolboxAsync((i + j) % 2 === 0 ? ['create', n] : ['run', '-c', n, 'true'], { env }).done);
    for (const r of await Promise.all(batch)) expect(r.code).toBe(0);
  }
  const json = toolbox(['list', '--json'], { env });
  expect(json.code).toBe(0);
  const ours = (JSON.parse(json.stdout) as { name: string; status: string; image: string; mode: string }[]).filter(
    (b) => b.name.startsWith(`${P}many-`),
  );
  expect(ours.map((b) => [b.name, b.status, b.image, b.mode])).toEqual(
    names.map((n, i) => [n, i % 2 === 0 ? 'running' : 'exited', 'localhost/toolbox-test:latest', 'system']),
  );
  const table = toolbox(['list'], { env })
    .stdout.split('\n')
    .filter((l) => l.startsWith(`${P}many-`));
  expect(table.map((l) => l.split(/ +/).slice(0, 2))).toEqual(
    names.map((n, i) => [n, i % 2 === 0 ? 'running' : 'exited']),
  );
});

it('100 rounds of sessions starting and ending at random: auto-stop never kills a session', async () => {
  const BOX = `${P}random`;
  const SEED = 0x70017b0c;
  const rand = prng(SEED);
  const running = new Set<Promise<void>>();
  const outcomes: { id: string; r: Result }[] = [];
  let drainsSeenStopped = 0;
  let n = 0;
  for (let round = 0; round < 100; round++) {
    // Now and then let every session end, so auto-stop really stops the toolbox mid-test.
    if (rand() < 0.1) {
      await Promise.all(running);
      if (containerState(BOX) === 'exited') drainsSeenStopped++;
    }
    const sessions = 1 + Math.floor(rand() * 2);
    for (let s = 0; s < sessions; s++) {
      while (running.size >= 4) await Promise.race(running);
      const id = `r${round}-s${n++}`;
      const hold = (rand() * 0.8).toFixed(2);
      const run = toolboxAsync(['run', '-c', BOX, '--', 'sh', '-c', `sleep ${hold}; echo end-${id}`], { env });
      const p: Promise<void> = run.done.then((r) => {
        outcomes.push({ id, r });
        running.delete(p);
      });
      running.add(p);
      await sleep(Math.floor(rand() * 250));
    }
  }
  await Promise.all(running);
  const failed = outcomes.filter(({ id, r }) => r.code !== 0 || r.stdout !== `end-${id}\n` || r.stderr !== '');
  expect({
    seed: SEED,
    failed: failed.map(({ id, r }) => ({ id, code: r.code, signal: r.signal, stdout: r.stdout, stderr: r.stderr })),
  }).toEqual({ seed: SEED, failed: [] });
  expect(outcomes.length).toBe(n);
  expect(n).toBeGreaterThanOrEqual(100);
  expect(drainsSeenStopped).toBeGreaterThan(0); // auto-stop did happen between sessions
  await waitFor(() => containerState(BOX) === 'exited', 'the last one out to stop it');
  expect(containersNamed(BOX)).toEqual([BOX]);
}, 900_000);

describe('50 runs at once with auto-stop on', () => {
  const BOX = `${P}fifty`;
  const tmp = mkdtempSync(`/tmp/${P}fifty-`);
  const REAL_ENGINE = spawnSync('sh', ['-c', `command -v ${ENGINE}`], { encoding: 'utf8' }).stdout.trim();
  afterAll(() => {
    rmSync(tmp, { recursive: true, force: true });
  });

  it('every exit code is its own, the session count is back to 0, and the toolbox is stopped exactly once, at the end', async () => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    const id = containerId(BOX);
    // Every engine call goes through a wrapper of the engine that notes each `stop` (with what it stops).
    const bin = join(tmp, 'bin');
    mkdirSync(bin);
    const stops = join(tmp, 'stops');
    writeFileSync(
      join(bin, ENGINE),
      `#!/bin/sh\n[ "$1" = stop ] && echo "$*" >> ${stops}\nexec ${REAL_ENGINE} "$@"\n`,
      { mode: 0o755 },
    );
    const inside = join(tmp, 'inside');
    mkdirSync(inside);
    const since = new Date().toISOString();
    // All 50 are inside before any leaves: the toolbox has one reason to stop, after the last.
    const runs = Array.from(
      { length: 50 },
      (_, i) =>
        toolboxAsync(
          [
            'run',
            '-c',
            BOX,
            '--',
            'sh',
            '-c',
            `touch /media/root${inside}/${i}; while [ "$(ls /media/root${inside} | wc -l)" -lt 50 ]; do sleep 0.2; done; exit ${i % 200}`,
          ],
          { env: { ...env, PATH: `${bin}:${env.PATH}` } },
        ).done,
    );
    const results = await Promise.all(runs);
    expect(results.map((r, i) => ({ i, code: r.code, stdout: r.stdout, stderr: r.stderr }))).toEqual(
      results.map((_, i) => ({ i, code: i % 200, stdout: '', stderr: '' })),
    );
    expect(readdirSync(`/run/toolbox/${ENGINE}/boxes/${id}/sessions`)).toEqual([]);
    expect(containerState(BOX)).toBe('exited');
    expect(readFileSync(stops, 'utf8')).toBe(`stop --time 1 ${id}\n`);
    // and the engine agrees: started once, died once
    // docker quirk: its events end only at --until, and a container's end is 'die', podman's 'died'
    const events = spawnSync(
      REAL_ENGINE,
      [
        'events',
        ...(ENGINE === 'docker' ? ['--until', new Date().toISOString()] : ['--stream=false']),
        '--since',
        since,
        '--filter',
        `container=${id}`,
        '--format',
        '{{.Status}}',
      ],
      { encoding: 'utf8' },
    )
      .stdout.split('\n')
      .map((e) => (e === 'die' ? 'died' : e));
    expect({
      start: events.filter((e) => e === 'start').length,
      died: events.filter((e) => e === 'died').length,
    }).toEqual({
      start: 1,
      died: 1,
    });
  }, 600_000);
});

describe('1,000 runs in a row', () => {
  const BOX = `${P}thousand`;

  /** What a run could leak: its state files, open files of the engine's long-lived processes, processes. */
  function census(id: string) {
    const files = (dir: string) =>
      existsSync(dir) ? (readdirSync(dir, { recursive: true }) as string[]).map((f) => `${dir}/${f}`) : [];
    const state = [
      ...files(`/run/toolbox/${ENGINE}/boxes/${id}`),
      ...files(`/run/toolbox/${ENGINE}/claims/${BOX}`),
      ...files(`/run/toolbox/${ENGINE}/names`).filter((f) => f.endsWith(`/${BOX}`)),
    ].sort();
    const pids = readdirSync('/proc').filter((p) => /^\d+$/.test(p));
    const read = (pid: string, what: string) => {
      try {
        return readFileSync(`/proc/${pid}/${what}`, 'utf8');
      } catch {
        return ''; // gone meanwhile
      }
    };
    // the container's processes (its cgroup), and its conmon (which names the container in its
    // arguments); docker quirk: its monitor is containerd's shim, one per container as well
    const inBox = pids.filter((p) => read(p, 'cgroup').includes(id));
    const monitor = ENGINE === 'docker' ? '/usr/bin/containerd-shim-runc-v2\0' : '/usr/bin/conmon\0';
    const conmon = pids.filter((p) => read(p, 'cmdline').startsWith(monitor) && read(p, 'cmdline').includes(id));
    const fds = (pid: string) => {
      try {
        return readdirSync(`/proc/${pid}/fd`).length;
      } catch {
        return -1;
      }
    };
    // any call of this toolbox build on this toolbox still around (a session that did not end)
    const ours = pids.filter((p) => {
      const argv = read(p, 'cmdline');
      return argv.startsWith(`${CLI_ARGV[0]}\0`) && argv.split('\0').includes(BOX);
    });
    return {
      state,
      boxProcesses: inBox.map((p) => read(p, 'cmdline').replaceAll('\0', ' ').trim()).sort(),
      boxFds: inBox.map(fds).reduce((a, b) => a + b, 0),
      conmon: conmon.length,
      conmonFds: conmon.map(fds),
      toolboxProcesses: ours.length,
    };
  }

  it('leaves no state file, open file or process behind', () => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    const id = containerId(BOX);
    const before = census(id);
    expect(before.conmon).toBe(1);
    expect(before.boxProcesses).toEqual(['sleep infinity']);
    for (let i = 0; i < 1000; i++) {
      const r = toolbox(['run', '-n', '-c', BOX, 'true'], { env });
      if (r.code !== 0 || r.stdout !== '' || r.stderr !== '')
        expect({ i, code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ i, code: 0, stdout: '', stderr: '' });
    }
    expect(census(id)).toEqual(before);
    expect(containerState(BOX)).toBe('running');
  }, 3_600_000);
});
