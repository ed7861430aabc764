// Load: many runs in a row and at once on one toolbox, many first calls at once, many
// toolboxes, and sessions starting and ending at random with auto-stop on. Zero failures.
// Commands are `true`/`echo` and -n is used wherever auto-stop is not what is tested, since
// the machine is small and shared.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
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
