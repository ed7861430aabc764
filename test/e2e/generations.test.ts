// upgrade, generations and rollback on real podman: what a user sees, what survives a SIGKILL,
// and that containers which only look like ours (by name) are never touched.
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  buildImage as build,
  commitContainer,
  containerId,
  containerState,
  ENGINE,
  imageExists,
  isolatedEnv,
  parseJson,
  podman,
  TEST_IMAGE,
  toolbox,
  toolboxAsync,
  waitFor,
  type Result,
  runPrefix,
  removeContainers,
  RUN_LABEL_ARGS,
  RUNTIME_STATE,
} from './helpers.js';
import { SignedRepoServer } from './signed-repo.js';
import { ROLLBACK_STEPS, UPGRADE_STEPS } from '../../src/core/generations/generations.js';

const P = runPrefix('up-e2e-');
const IMG = `localhost/${P}img:latest`;
const env = isolatedEnv({ TOOLBOX_IMAGE: IMG });
const made: string[] = [];

/** An image's id as toolbox reports it: docker's `sha256:` goes, as podman has none. */
const imageId = (ref: string) =>
  podman(['image', 'inspect', '--format', '{{.Id}}', ref])
    .stdout.trim()
    .replace(/^sha256:/, '');
/** What `cat /etc/hostname` prints in toolbox NAME: docker ends the file with a newline, podman does not. */
const hostnameFile = (name: string) => (ENGINE === 'docker' ? `${name}\n` : name);

/** Builds IMG anew from the test image with a tool that prints TEXT and exits with CODE. */
function buildImage(text: string, code = 0, tag = IMG): string {
  build(
    `FROM ${TEST_IMAGE}\nRUN printf '#!/bin/sh\\necho "${text}"\\nexit ${code}\\n' > /usr/local/bin/up-tool && chmod 755 /usr/local/bin/up-tool\n`,
    tag,
  );
  const id = imageId(tag);
  made.push(id);
  return id;
}

const repo = new SignedRepoServer();

beforeAll(async () => {
  removeContainers(P);
  buildImage('tool v1 works');
  repo.build([{ name: 'up-hello', script: '#!/bin/sh\necho "hello from up-hello"' }]);
  await repo.start();
  repo.publish('good', ['up-hello']);
});

afterAll(async () => {
  await repo.cleanup();
  removeContainers(P);
  podman(['rmi', '-f', IMG, `localhost/${P}gone:latest`]);
  for (const id of made) podman(['rmi', id]);
});

describe('issue 13', () => {
  it('13.4: user-made X.upgrade-new and X.upgrade-old toolboxes (with live sessions) survive toolbox upgrade X untouched', async () => {
    const X = `${P}x`;
    const fakeNew = `${X}.upgrade-new`;
    const fakeOld = `${X}.upgrade-old`;
    expect(toolbox(['create', X], { env }).code).toBe(0);
    expect(toolbox(['create', fakeNew], { env }).code).toBe(0);
    expect(toolbox(['create', fakeOld], { env }).code).toBe(0);
    const ids = [containerId(fakeNew), containerId(fakeOld)];
    const sessions = [fakeNew, fakeOld].map((name) =>
      toolboxAsync(['run', '-c', name, '--', 'sh', '-c', 'echo ready; sleep 600'], { env }),
    );
    for (const s of sessions) await waitFor(() => s.output().includes('ready'), 'the session to start');
    try {
      const r = toolbox(['upgrade', X], { env });
      expect(r.stderr).not.toMatch(/interrupted/);
      expect(r.code).toBe(0);
      expect([containerId(fakeNew), containerId(fakeOld)]).toEqual(ids);
      expect([containerState(fakeNew), containerState(fakeOld)]).toEqual(['running', 'running']);
      for (const s of sessions) expect(s.child.exitCode).toBe(null);
    } finally {
      for (const s of sessions) s.child.kill('SIGTERM');
      await Promise.all(sessions.map((s) => s.done));
      removeContainers(P); // they use the first image, which the pruning test expects unused
    }
  });

  it('13.6: upgrade never pulls a localhost/ image, and a missing local tag says so', () => {
    const BOX = `${P}local`;
    const GONE = `localhost/${P}gone:latest`;
    podman(['tag', IMG, GONE]);
    expect(toolbox(['create', '-i', GONE, BOX], { env }).code).toBe(0);
    const ok = toolbox(['upgrade', '--verbose', BOX], { env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toMatch(/podman pull/);
    podman(['rmi', GONE]); // only the tag: the image stays, as IMG
    const r = toolbox(['upgrade', '--verbose', BOX], { env });
    expect(r.stderr).not.toMatch(/podman pull/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      `Error: image not found: ${GONE} (localhost/ images are never pulled). Hint: build or load it first, e.g. '${ENGINE} build -t ${GONE} .'`,
    );
    expect(r.code).toBe(1);
    expect(containerState(BOX)).not.toBe('missing');
    removeContainers(P);
  });
});

// ---- issue 14: generations -------------------------------------------------------------------

interface Generation {
  generation: number;
  id: string;
  name: string;
  image: string;
  digest: string | null;
  created: string;
}
interface Listed {
  name: string;
  id: string;
  generation: number;
  generations: Generation[];
}
const listed = (name: string): Listed | undefined =>
  (JSON.parse(toolbox(['list', '--json'], { env }).stdout) as Listed[]).find((b) => b.name === name);
/** The last status line; -v also traces engine commands, one line each, as '+ ...' */
const lastLine = (r: Result) =>
  r.stderr
    .trimEnd()
    .split('\n')
    .filter((l) => !l.startsWith('+ '))
    .at(-1);
const run = (box: string, ...cmd: string[]) => toolbox(['run', '-c', box, '--', ...cmd], { env });
/** Every container of a toolbox, found the way toolbox finds them: by its identity label (or id). */
function lineage(identity: string): { id: string; name: string }[] {
  const byLabel = podman([
    'ps',
    '-a',
    '--filter',
    `label=io.toolbox.identity=${identity}`,
    '--format',
    '{{.ID}} {{.Names}}',
    '--no-trunc',
  ]).stdout;
  const first = podman([
    'ps',
    '-a',
    '--filter',
    `id=${identity}`,
    '--format',
    '{{.ID}} {{.Names}}',
    '--no-trunc',
  ]).stdout;
  return [...new Set((first + byLabel).split('\n').filter(Boolean))]
    .map((l) => ({ id: l.split(' ')[0]!, name: l.split(' ')[1]! }))
    .sort((a, b) => a.name.localeCompare(b.name));
}

describe('generations: upgrade, a tool broken in the new image, rollback', () => {
  const BOX = `${P}gen`;
  let gen1 = '';
  let gen2 = '';

  it('a toolbox with a declared tool and a file of its own; --check says it is up to date (exit 0)', () => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    gen1 = containerId(BOX);
    expect(
      toolbox(['repo', 'add', '-q', '-c', BOX, 'good', repo.url('good'), '--key', repo.keyFile], { env }).code,
    ).toBe(0);
    expect(toolbox(['install', '-q', '-c', BOX, 'up-hello'], { env }).code).toBe(0);
    expect(run(BOX, 'sh', '-c', 'echo made in generation 1 > /root/notes').code).toBe(0);
    const check = toolbox(['upgrade', '--check', BOX], { env });
    expect([check.stdout, check.code]).toEqual([`toolbox ${BOX} is up to date with ${IMG}\n`, 0]);
  });

  it('--check after the image was rebuilt: exit 100, and --json names both ids; nothing changed', () => {
    const before = imageId(IMG);
    const after = buildImage('tool v2 is broken', 3);
    const check = toolbox(['upgrade', '--check', '--json', BOX], { env });
    expect(check.code).toBe(100);
    expect(JSON.parse(check.stdout)).toEqual({
      name: BOX,
      image: IMG,
      generation: 1,
      current: before,
      available: after,
      upToDate: false,
    });
    const text = toolbox(['upgrade', '--check', BOX], { env });
    expect([text.stdout, text.code]).toEqual([
      `an upgrade is available for toolbox ${BOX}: ${IMG} is ${after.slice(0, 12)}, the toolbox has ${before.slice(0, 12)}\n`,
      100,
    ]);
    expect(containerId(BOX)).toBe(gen1);
  });

  it('upgrade builds generation 2, keeps generation 1 stopped, and reports both in --json', () => {
    const r = toolbox(['upgrade', '-v', '--json', BOX], { env });
    expect(r.code).toBe(0);
    gen2 = containerId(BOX);
    expect(JSON.parse(r.stdout)).toEqual({
      name: BOX,
      image: IMG,
      oldId: gen1,
      newId: gen2,
      oldGeneration: 1,
      newGeneration: 2,
      repos: ['good'],
      tools: ['up-hello'],
      pruned: [],
    });
    expect(lastLine(r)).toBe(
      `upgraded toolbox ${BOX} to generation 2: 1 repository and 1 tool restored; generation 1 kept (toolbox rollback ${BOX} brings it back)`,
    );
    expect(containerState(`${BOX}.gen1`)).toBe('exited');
    expect(containerId(`${BOX}.gen1`)).toBe(gen1);
    // the tool broke in the new image; the declared one came back
    const broken = run(BOX, 'up-tool');
    expect([broken.stdout, broken.code]).toEqual(['tool v2 is broken\n', 3]);
    expect(run(BOX, 'up-hello').stdout).toBe('hello from up-hello\n');
    expect(run(BOX, 'cat', '/root/notes').code).toBe(1);
  });

  it('list hides kept generations unless --all; list --json gives them', () => {
    expect(toolbox(['list'], { env }).stdout).not.toContain(`${BOX}.gen1`);
    const all = toolbox(['list', '--all'], { env }).stdout.split('\n');
    expect(all[0]).toMatch(/^NAME +STATUS +IMAGE +CREATED +MODE +GENERATION +ENGINE$/);
    expect(all.find((l) => l.startsWith(`${BOX}.gen1 `))).toMatch(
      new RegExp(`^${BOX}\\.gen1 +exited +${IMG} +\\S+ +system +1 \\(kept for ${BOX}\\) +${ENGINE}$`),
    );
    const entry = listed(BOX)!;
    expect([entry.id, entry.generation]).toEqual([gen2, 2]);
    expect(entry.generations).toEqual([
      {
        generation: 1,
        id: gen1,
        name: `${BOX}.gen1`,
        image: IMG,
        digest: made[0],
        created: expect.any(String) as unknown,
      },
    ]);
  });

  it('tools names the generation in use', () => {
    expect(toolbox(['remove', '-q', '-c', BOX, 'up-hello'], { env }).code).toBe(0);
    const r = toolbox(['tools', '--json', BOX], { env });
    expect(JSON.parse(r.stdout)).toEqual({
      name: BOX,
      generation: 2,
      repos: [{ alias: 'good', url: repo.url('good'), key: repo.keyFile }],
      tools: [],
    });
    expect(toolbox(['tools', BOX], { env }).stderr).toBe(`toolbox ${BOX}, generation 2\n`);
  });

  it('rollback brings generation 1 back: same container id, its file, its working tool, its declared tools', () => {
    const r = toolbox(['rollback', '--json', BOX], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toEqual({
      name: BOX,
      oldId: gen2,
      newId: gen1,
      oldGeneration: 2,
      newGeneration: 1,
      tools: ['up-hello'],
    });
    expect(containerId(BOX)).toBe(gen1);
    expect(containerId(`${BOX}.gen2`)).toBe(gen2);
    const works = run(BOX, 'up-tool');
    expect([works.stdout, works.stderr, works.code]).toEqual(['tool v1 works\n', '', 0]);
    expect(run(BOX, 'cat', '/root/notes').stdout).toBe('made in generation 1\n');
    expect(run(BOX, 'up-hello').stdout).toBe('hello from up-hello\n');
    expect(
      (parseJson(toolbox(['tools', '--json', BOX], { env }).stdout, 'tools --json') as { tools: string[] }).tools,
    ).toEqual(['up-hello']);
    expect(listed(BOX)!.generations.map((g) => [g.generation, g.id])).toEqual([[2, gen2]]);
  });

  it('rollback of the rollback returns to generation 2, with its own declared tools', () => {
    const r = toolbox(['rollback', BOX, '-v'], { env });
    expect(r.code).toBe(0);
    expect(lastLine(r)).toBe(
      `rolled toolbox ${BOX} back to generation 2; generation 1 kept (toolbox rollback ${BOX} returns to it)`,
    );
    expect(containerId(BOX)).toBe(gen2);
    expect(
      (parseJson(toolbox(['tools', '--json', BOX], { env }).stdout, 'tools --json') as { tools: string[] }).tools,
    ).toEqual([]);
    expect(toolbox(['rollback', '--to', '1', BOX], { env }).code).toBe(0);
    expect(containerId(BOX)).toBe(gen1);
  });

  it('rollback is refused with active sessions unless --force, and --to names a kept generation', async () => {
    const none = toolbox(['rollback', '--to', '9', BOX], { env });
    expect([none.stderr, none.code]).toEqual([
      `Error: toolbox ${BOX} has no generation 9 (kept: 2). Hint: see the generations with toolbox list --all\n`,
      1,
    ]);
    // the generation in use: a valid request that cannot be done (1), not a usage error (2)
    const same = toolbox(['rollback', '--to', '1', BOX], { env });
    expect([same.stderr, same.code]).toEqual([
      `Error: generation 1 is already toolbox ${BOX}. Hint: see the generations with toolbox list --all\n`,
      1,
    ]);
    const session = toolboxAsync(['run', '-c', BOX, '--', 'sh', '-c', 'echo ready; sleep 600'], { env });
    await waitFor(() => session.output().includes('ready'), 'the session to start');
    const refused = toolbox(['rollback', BOX], { env });
    expect([refused.stderr, refused.code]).toEqual([
      `Error: toolbox ${BOX} has 1 active session; not rolling it back. Hint: end them first, or use --force (they end)\n`,
      1,
    ]);
    expect(containerId(BOX)).toBe(gen1);
    expect(toolbox(['rollback', '--force', BOX], { env }).code).toBe(0);
    expect((await session.done).code).not.toBe(0);
    expect(containerId(BOX)).toBe(gen2);
  });

  it('an upgrade that fails (its repository tampered with) keeps every generation as it was', () => {
    const before = JSON.stringify(listed(BOX));
    const containers = lineage(gen1);
    repo.tamper('good');
    const r = toolbox(['upgrade', '-q', BOX], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(
      new RegExp(
        `^Error: upgrade of toolbox ${BOX} failed, the toolbox is unchanged: repository 'good' failed its signature check`,
      ),
    );
    expect(JSON.stringify(listed(BOX))).toBe(before);
    expect(lineage(gen1)).toEqual(containers);
    repo.publish('good', ['up-hello']);
  });

  it('--keep 2 prunes the oldest generations after a successful upgrade, with their unused images', () => {
    // generation 2 is in use; 1 is kept. Two more upgrades with --keep 2: 1 goes, then 2.
    const r3 = toolbox(['upgrade', '-q', '--keep', '2', '--json', BOX], { env });
    expect(r3.code).toBe(0);
    expect(JSON.parse(r3.stdout)).toMatchObject({ oldGeneration: 2, newGeneration: 3, pruned: [] });
    expect(listed(BOX)!.generations.map((g) => g.generation)).toEqual([2, 1]);
    const r4 = toolbox(['upgrade', '-q', '--keep', '2', '--json', BOX], { env });
    expect(JSON.parse(r4.stdout)).toMatchObject({ oldGeneration: 3, newGeneration: 4, pruned: [1] });
    expect(listed(BOX)!.generations.map((g) => g.generation)).toEqual([3, 2]);
    expect(containerState(gen1)).toBe('missing');
    expect(existsSync(`${RUNTIME_STATE}/boxes/${gen1}`)).toBe(false); // its state (and lock) went with it
    // generation 1's image lost its tag when IMG was rebuilt and nothing uses it now: removed
    expect(imageExists(made[0]!)).toBe(false);
    // with the config key
    expect(toolbox(['config', 'set', 'keep', '1'], { env }).code).toBe(0);
    const r5 = toolbox(['upgrade', '-q', '--json', BOX], { env });
    expect(JSON.parse(r5.stdout)).toMatchObject({ newGeneration: 5, pruned: [2, 3] });
    expect(listed(BOX)!.generations.map((g) => g.generation)).toEqual([4]);
    expect(toolbox(['config', 'unset', 'keep'], { env }).code).toBe(0);
  });

  it('rm removes the toolbox and all its generations, and says how many', () => {
    const identity = gen1;
    expect(lineage(identity)).toHaveLength(2);
    const r = toolbox(['rm', '-v', BOX], { env });
    expect(r.code).toBe(0);
    expect(lastLine(r)).toBe(`removed toolbox ${BOX} and 1 kept generation`);
    expect(lineage(identity)).toEqual([]);
  });
});

describe('generations are told apart by their containers, not by one config.json', () => {
  it('under another HOME and XDG_CONFIG_HOME: list hides the kept generation, --all and --json show it, rm removes both', () => {
    const H = `${P}home`;
    expect(toolbox(['create', H], { env }).code).toBe(0);
    const g1 = containerId(H);
    expect(toolbox(['upgrade', '-q', H], { env }).code).toBe(0);
    const g2 = containerId(H);
    // root through `sudo -s` and `sudo -i`, or a script with a HOME of its own: another config.json
    const other = isolatedEnv({ TOOLBOX_IMAGE: IMG });
    const lines = (args: string[]) =>
      toolbox(args, { env: other })
        .stdout.split('\n')
        .filter((l) => l.startsWith(H));
    const esc = H.replace(/[.]/g, '\\.');
    expect(lines(['list'])).toEqual([
      expect.stringMatching(new RegExp(`^${esc} +\\S+ +${IMG} +\\S+ +system +${ENGINE}$`)),
    ]);
    expect(lines(['list', '--all'])).toEqual([
      expect.stringMatching(new RegExp(`^${esc} +\\S+ +${IMG} +\\S+ +system +2 +${ENGINE}$`)),
      expect.stringMatching(
        new RegExp(`^${esc}\\.gen1 +exited +${IMG} +\\S+ +system +1 \\(kept for ${esc}\\) +${ENGINE}$`),
      ),
    ]);
    const json = JSON.parse(toolbox(['list', '--json'], { env: other }).stdout) as Listed[];
    expect(
      json
        .filter((b) => b.name.startsWith(H))
        .map((b) => [b.name, b.id, b.generation, b.generations.map((g) => [g.generation, g.id, g.name])]),
    ).toEqual([[H, g2, 2, [[1, g1, `${H}.gen1`]]]]);
    // a valid request that cannot be done: exit 1, not a usage error
    const same = toolbox(['rollback', '--to', '2', H], { env: other });
    expect([same.stderr, same.code]).toEqual([
      `Error: generation 2 is already toolbox ${H}. Hint: see the generations with toolbox list --all\n`,
      1,
    ]);
    const r = toolbox(['rm', '-v', H], { env: other });
    expect(r.code).toBe(0);
    expect(lastLine(r)).toBe(`removed toolbox ${H} and 1 kept generation`);
    expect(lineage(g1)).toEqual([]);
    // nothing of theirs is left in the runtime state either (their locks lived there)
    expect([g1, g2].filter((id) => existsSync(`${RUNTIME_STATE}/boxes/${id}`))).toEqual([]);
  });

  it('after a user renamed the toolbox (podman rename) and rolled it back: still one toolbox with its kept generation', () => {
    const R = `${P}ren`;
    const R2 = `${P}renamed`;
    expect(toolbox(['create', R], { env }).code).toBe(0);
    const g1 = containerId(R);
    expect(toolbox(['upgrade', '-q', R], { env }).code).toBe(0);
    const g2 = containerId(R);
    // the current one now has the LOWER generation number
    expect(toolbox(['rollback', '-q', R], { env }).code).toBe(0);
    expect(podman(['rename', R, R2]).code).toBe(0);
    const other = isolatedEnv({ TOOLBOX_IMAGE: IMG });
    const json = JSON.parse(toolbox(['list', '--json'], { env: other }).stdout) as Listed[];
    expect(
      json
        .filter((b) => b.name.startsWith(R))
        .map((b) => [b.name, b.id, b.generation, b.generations.map((g) => [g.generation, g.id, g.name])]),
    ).toEqual([[R2, g1, 1, [[2, g2, `${R}.gen2`]]]]);
    const kept = toolbox(['upgrade', `${R}.gen2`], { env: other });
    expect([kept.stderr, kept.code]).toEqual([
      `Error: ${R}.gen2 is generation 2 kept for toolbox ${R2}, not a toolbox in use. Hint: bring it back with toolbox rollback --to 2 ${R2}\n`,
      1,
    ]);
    const r = toolbox(['rm', '-v', R2], { env: other });
    expect([r.code, lastLine(r)]).toEqual([0, `removed toolbox ${R2} and 1 kept generation`]);
    expect(lineage(g1)).toEqual([]);
  });
});

describe('generations: containers that only look like ours', () => {
  it('foreign containers named like generations survive upgrade, rollback and rm', () => {
    const X = `${P}fx`;
    expect(toolbox(['create', X], { env }).code).toBe(0);
    const id = containerId(X);
    // a plain container and a user's toolbox, both with names an upgrade might pick
    expect(podman(['create', '--name', `${X}.gen1`, ...RUN_LABEL_ARGS, TEST_IMAGE, 'true']).code).toBe(0);
    expect(toolbox(['create', `${X}.gen2-deadbeef`], { env }).code).toBe(0);
    const foreign = [containerId(`${X}.gen1`), containerId(`${X}.gen2-deadbeef`)];
    expect(toolbox(['upgrade', '-q', X], { env }).code).toBe(0);
    expect(containerId(`${X}.gen1-2`)).toBe(id);
    expect(toolbox(['rollback', '-q', X], { env }).code).toBe(0);
    expect(containerId(X)).toBe(id);
    expect(toolbox(['rm', '-q', X], { env }).code).toBe(0);
    expect([containerId(`${X}.gen1`), containerId(`${X}.gen2-deadbeef`)]).toEqual(foreign);
    expect(listed(`${X}.gen2-deadbeef`)!.generations).toEqual([]);
  });
});

describe('generations: concurrency', () => {
  it('two upgrades at once: both succeed, one after the other, and every generation is kept', async () => {
    const C = `${P}cc`;
    expect(toolbox(['create', C], { env }).code).toBe(0);
    const first = containerId(C);
    const jobs = [
      toolboxAsync(['upgrade', '-q', '--keep', '5', C], { env }),
      toolboxAsync(['upgrade', '-q', '--keep', '5', C], { env }),
    ];
    const results = await Promise.all(jobs.map((j) => j.done));
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const entry = listed(C)!;
    expect(entry.generation).toBe(3);
    expect(entry.generations.map((g) => g.generation)).toEqual([2, 1]);
    expect(entry.generations[1]!.id).toBe(first);
    expect(lineage(first)).toHaveLength(3);
  });

  it('an upgrade and a run at once: the run works, and the upgrade either waits for it or refuses its session', async () => {
    const C = `${P}cc`;
    const before = listed(C)!;
    const jobs = [
      toolboxAsync(['run', '-c', C, 'true'], { env }),
      toolboxAsync(['upgrade', '-q', '--keep', '5', C], { env }),
    ];
    const [ran, upgraded] = await Promise.all(jobs.map((j) => j.done));
    expect([ran!.code, ran!.stderr]).toEqual([0, '']);
    const refused = `Error: toolbox ${C} has 1 active session; not upgrading it. Hint: end them first, or use --force\n`;
    expect([
      [0, ''],
      [1, refused],
    ]).toContainEqual([upgraded!.code, upgraded!.stderr]);
    const after = listed(C)!;
    expect(after.generation).toBe(upgraded!.code === 0 ? 4 : 3);
    expect(after.generations).toHaveLength(before.generations.length + (upgraded!.code === 0 ? 1 : 0));
    expect(lineage(before.generations[1]!.id)).toHaveLength(1 + after.generations.length);
    expect(toolbox(['rm', '-q', C], { env }).code).toBe(0);
  });
});

describe('generations: a rollback and an upgrade at once', () => {
  it('both succeed in either order, and no generation is lost', async () => {
    const C = `${P}cr`;
    expect(toolbox(['create', C], { env }).code).toBe(0);
    const first = containerId(C);
    expect(toolbox(['upgrade', '-q', C], { env }).code).toBe(0);
    const jobs = [
      toolboxAsync(['rollback', '-q', C], { env }),
      toolboxAsync(['upgrade', '-q', '--keep', '5', C], { env }),
    ];
    const results = await Promise.all(jobs.map((j) => j.done));
    expect(results.map((r) => [r.code, r.stderr])).toEqual([
      [0, ''],
      [0, ''],
    ]);
    const entry = listed(C)!;
    expect([entry.generation, ...entry.generations.map((g) => g.generation)].sort()).toEqual([1, 2, 3]);
    expect(
      lineage(first)
        .map((c) => c.id)
        .sort(),
    ).toEqual([entry.id, ...entry.generations.map((g) => g.id)].sort());
    expect(toolbox(['rm', '-q', C], { env }).code).toBe(0);
    expect(lineage(first)).toEqual([]);
  });
});

describe('generations: SIGKILL at each step of upgrade and rollback', () => {
  const K = `${P}kill`;
  let identity = '';
  const killAt = (op: string, step: string, ...args: string[]) =>
    toolbox([op, ...args, K], { env: { ...env, TOOLBOX_TEST_KILL_AT: `${op}:${step}` } });
  const named = () =>
    podman(['ps', '-a', '--filter', `name=^${K}$`, '--format', '{{.ID}}', '--no-trunc'])
      .stdout.split('\n')
      .filter(Boolean);

  /** The next command works, says what it did in one line (or nothing), and leaves one consistent toolbox. */
  function nextCommandSettles(message: string | undefined): Listed {
    const next = run(K, 'cat', '/etc/hostname');
    expect(next.stdout).toBe(hostnameFile(K));
    expect(next.stderr).toBe(message === undefined ? '' : `Warning: ${message}\n`);
    expect(next.code).toBe(0);
    expect(named()).toHaveLength(1);
    const entry = listed(K)!;
    expect(named()[0]).toBe(entry.id);
    // nothing half-made is left: every container of the toolbox is it or a kept generation
    expect(
      lineage(identity)
        .map((c) => c.id)
        .sort(),
    ).toEqual([entry.id, ...entry.generations.map((g) => g.id)].sort());
    expect(JSON.parse(toolbox(['tools', '--json', K], { env }).stdout)).toMatchObject({
      name: K,
      generation: entry.generation,
      tools: [],
    });
    return entry;
  }

  beforeAll(() => {
    expect(toolbox(['create', K], { env }).code).toBe(0);
    identity = containerId(K);
  });

  it.each(UPGRADE_STEPS.map((step) => [step]))('upgrade killed at %s', (step) => {
    const before = listed(K)!;
    const r = killAt('upgrade', step);
    expect(r.signal).toBe('SIGKILL');
    const undone = `an upgrade of ${K} was interrupted before its new container was proven; undone: ${K} is as it was before`;
    const finished = `an upgrade of ${K} was interrupted after its new container was proven; finished it: ${K} is generation ${before.generation + 1}`;
    const message = {
      check: undefined,
      pull: undefined,
      create: undone,
      build: undone,
      proven: undone,
      retire: finished,
      switch: finished,
      commit: finished,
      prune: undefined,
    }[step];
    const after = nextCommandSettles(message);
    if (['check', 'pull', 'create', 'build', 'proven'].includes(step)) {
      expect([after.id, after.generation]).toEqual([before.id, before.generation]);
      expect(after.generations.map((g) => g.id)).toEqual(before.generations.map((g) => g.id));
    } else {
      expect(after.generation).toBe(before.generation + 1);
      expect(after.generations[0]!.id).toBe(before.id);
      expect(containerState(before.id)).toBe('exited');
    }
  });

  it.each(ROLLBACK_STEPS.map((step) => [step]))('rollback killed at %s', (step) => {
    const before = listed(K)!;
    const target = before.generations[0]!;
    const r = killAt('rollback', step);
    expect(r.signal).toBe('SIGKILL');
    const finished = `a rollback of ${K} was interrupted; finished it: ${K} is generation ${target.generation} again`;
    const after = nextCommandSettles(step === 'check' || step === 'journal' ? undefined : finished);
    if (step === 'check' || step === 'journal') expect(after.id).toBe(before.id);
    else {
      expect([after.id, after.generation]).toEqual([target.id, target.generation]);
      expect(after.generations.map((g) => g.id)).toContain(before.id);
    }
  });

  afterAll(() => {
    toolbox(['rm', '-q', '--force', K], { env });
  });
});

// ---- issue 21: a toolbox's lineage is written by toolbox, never taken from its image ----------

describe('issue 21: lineage labels inherited from an image count for nothing', () => {
  const images: string[] = [];
  /** Builds TAG from the test image with LABEL lines; returns its id. */
  function labelledImage(tag: string, labels: string): string {
    build(`FROM ${TEST_IMAGE}\nLABEL ${labels}\n`, tag);
    images.push(tag);
    return imageId(tag);
  }

  afterAll(() => {
    removeContainers(P);
    for (const tag of images) podman(['rmi', '-f', tag]);
  });

  it('F1: two toolboxes made from an image labelled io.toolbox.identity=shared: upgrading one never removes the other', () => {
    const IDENT = `localhost/${P}ident:latest`;
    labelledImage(IDENT, 'io.toolbox.identity=shared io.toolbox.generation=1');
    const A = `${P}ia`;
    const B = `${P}ib`;
    expect(toolbox(['create', '-i', IDENT, A], { env }).code).toBe(0);
    expect(toolbox(['create', '-i', IDENT, B], { env }).code).toBe(0);
    const b = containerId(B);
    // -n: B stays running, as a toolbox in use does
    const inB = (...cmd: string[]) => toolbox(['run', '-n', '-i', IDENT, '-c', B, '--', ...cmd], { env });
    expect(inB('sh', '-c', 'echo precious > /root/precious')).toMatchObject({ stderr: '', code: 0 });
    expect(containerState(B)).toBe('running');
    const r = toolbox(['upgrade', '-q', '--json', A], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ oldGeneration: 1, newGeneration: 2, pruned: [] });
    expect([containerId(B), containerState(B)]).toEqual([b, 'running']);
    expect(inB('cat', '/root/precious')).toMatchObject({ stdout: 'precious\n', code: 0 });
    expect(listed(B)!.generations).toEqual([]);
    expect(listed(A)!.generations.map((g) => g.generation)).toEqual([1]);
  });

  it("F1: a toolbox made from `podman commit` of another toolbox's generation 2 is not a generation of that toolbox", () => {
    const C = `${P}ic`;
    const D = `${P}id`;
    const COMMIT = `localhost/${P}commit:latest`;
    expect(toolbox(['create', '-i', TEST_IMAGE, C], { env }).code).toBe(0);
    expect(toolbox(['upgrade', '-q', C], { env }).code).toBe(0);
    expect(commitContainer(C, COMMIT)).toBe(0);
    images.push(COMMIT);
    expect(toolbox(['create', '-i', COMMIT, D], { env }).code).toBe(0);
    const d = containerId(D);
    const r = toolbox(['upgrade', '-q', '--json', C], { env });
    expect(r.code).toBe(0);
    expect(JSON.parse(r.stdout)).toMatchObject({ oldGeneration: 2, newGeneration: 3, pruned: [1] });
    expect(containerId(D)).toBe(d);
    expect(listed(D)).toMatchObject({ generation: 1, generations: [] });
  }, 300_000); // two upgrades and a commit: slow on a loaded machine

  it("F1: rollback of a toolbox never upgraded, made from such an image, takes no other toolbox's generation", () => {
    const IDENT = `localhost/${P}ident2:latest`;
    labelledImage(IDENT, 'io.toolbox.identity=shared2 io.toolbox.generation=1');
    const F = `${P}if`;
    const E = `${P}ie`;
    expect(toolbox(['create', '-i', IDENT, F], { env }).code).toBe(0);
    const f1 = containerId(F);
    expect(toolbox(['upgrade', '-q', F], { env }).code).toBe(0);
    expect(toolbox(['create', '-i', IDENT, E], { env }).code).toBe(0);
    const e = containerId(E);
    const r = toolbox(['rollback', E], { env });
    expect([r.stderr, r.code]).toEqual([
      `Error: toolbox ${E} has no previous generation to roll back to. Hint: toolbox upgrade ${E} keeps one\n`,
      1,
    ]);
    expect(containerId(E)).toBe(e);
    expect(listed(F)!.generations.map((g) => g.id)).toEqual([f1]);
  });

  it('F4: upgrade --check of a toolbox just made from an image with a forged io.toolbox.image-id: up to date (exit 0)', () => {
    const FORGED = `localhost/${P}forged:latest`;
    labelledImage(FORGED, 'io.toolbox.image-id="\\033[2J\\033]0;PWN\\007"');
    const G = `${P}ig`;
    expect(toolbox(['create', '-i', FORGED, G], { env }).code).toBe(0);
    const check = toolbox(['upgrade', '--check', G], { env });
    expect([check.stdout, check.code]).toEqual([`toolbox ${G} is up to date with ${FORGED}\n`, 0]);
  });

  it('F8: pruning removes only the image a pruned generation runs, never one an inherited label names', () => {
    // built untagged (docker has no untag), used by nothing
    const v = build(`FROM ${TEST_IMAGE}\nLABEL toolbox.test.victim=${P}\n`, undefined);
    expect(imageExists(v)).toBe(true);
    images.push(v); // removed after the file even when an assertion below fails
    const NAMING = `localhost/${P}naming:latest`;
    labelledImage(NAMING, `io.toolbox.image-id=${v}`);
    const H = `${P}ih`;
    expect(toolbox(['create', '-i', NAMING, H], { env }).code).toBe(0);
    expect(toolbox(['upgrade', '-q', H], { env }).code).toBe(0);
    const r = toolbox(['upgrade', '-q', '--keep', '1', '--json', H], { env });
    expect(JSON.parse(r.stdout)).toMatchObject({ newGeneration: 3, pruned: [1] });
    expect(imageExists(v)).toBe(true);
  });
});

describe('issue 21 F3: an interrupted upgrade or rollback is seen from the containers, by every config.json', () => {
  const K = `${P}kx`;
  const other = isolatedEnv({ TOOLBOX_IMAGE: IMG });
  const killAt = (op: string, step: string) =>
    toolbox([op, K], { env: { ...env, TOOLBOX_TEST_KILL_AT: `${op}:${step}` } });

  afterAll(() => {
    removeContainers(P);
  });

  it('upgrade killed between retire and switch: run under another XDG_CONFIG_HOME finishes it, and never makes a fresh toolbox', () => {
    expect(toolbox(['create', K], { env }).code).toBe(0);
    const g1 = containerId(K);
    expect(killAt('upgrade', 'switch').signal).toBe('SIGKILL');
    expect(containerState(K)).toBe('missing'); // NAME is between two generations
    const r = toolbox(['run', '-c', K, '--', 'cat', '/etc/hostname'], { env: other });
    expect([r.stdout, r.stderr, r.code]).toEqual([
      hostnameFile(K),
      `Warning: an upgrade of ${K} was interrupted after its new container was proven; finished it: ${K} is generation 2\n`,
      0,
    ]);
    const entry = listed(K)!;
    expect([entry.generation, entry.generations.map((g) => g.id)]).toEqual([2, [g1]]);
    expect(lineage(g1).map((c) => c.name)).toEqual([K, `${K}.gen1`]);
    // the caller whose journal it was commits its own state, and says so once
    const mine = run(K, 'true');
    expect([mine.stderr, mine.code]).toEqual([
      `Warning: an upgrade of ${K} was interrupted after its new container was proven; finished it: ${K} is generation 2\n`,
      0,
    ]);
    expect(run(K, 'true')).toMatchObject({ stderr: '', code: 0 });
  });

  it('rollback killed between retire and switch: create under another XDG_CONFIG_HOME finishes it', () => {
    const g2 = containerId(K);
    expect(killAt('rollback', 'switch').signal).toBe('SIGKILL');
    expect(containerState(K)).toBe('missing');
    const r = toolbox(['create', K], { env: other });
    expect([r.stderr.split('\n')[0], r.code]).toEqual([
      `Warning: a rollback of ${K} was interrupted; finished it: ${K} is generation 1 again`,
      0,
    ]);
    const entry = listed(K)!;
    expect([entry.generation, entry.generations.map((g) => g.id)]).toEqual([1, [g2]]);
    expect(run(K, 'true').code).toBe(0);
  });
});
