// create, stop, rm and list, including concurrency and containers that are not toolboxes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containerState,
  ENGINE,
  containersNamed,
  DOCKER_HOST,
  isolatedEnv,
  podman,
  RUN_LABEL_ARGS,
  removeContainers,
  runPrefix,
  toolbox,
  toolboxAsync,
  waitFor,
} from './helpers.js';

const P = runPrefix('e2e-life-');
const env = isolatedEnv();

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
});

describe('stop', () => {
  const BOX = `${P}stop`;

  it('is idempotent: stopping a stopped toolbox is success', () => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    expect(containerState(BOX)).toBe('exited');
    const again = toolbox(['stop', BOX], { env });
    expect(again.code).toBe(0);
    expect(again.stderr).toBe('');
  });

  it('refuses while a session is active, unless --force', async () => {
    const session = toolboxAsync(['run', '-c', BOX, '--', 'sh', '-c', 'echo ready; sleep 60'], { env });
    await waitFor(() => session.output().includes('ready'), 'the session to start');
    const refused = toolbox(['stop', BOX], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `Error: toolbox ${BOX} has 1 active session; not stopping it. Hint: end them first, or use --force to stop it anyway\n`,
    );
    expect(containerState(BOX)).toBe('running');
    const forced = toolbox(['stop', '--force', BOX], { env });
    expect(forced.code).toBe(0);
    expect(containerState(BOX)).toBe('exited');
    await session.done;
  });

  it('a missing toolbox is exit 1 with a clear line', () => {
    const r = toolbox(['stop', `${P}nope`], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: no such toolbox: ${P}nope. Hint: 'toolbox list' shows the toolboxes there are\n`);
  });
});

describe('rm', () => {
  it('refuses a running toolbox without --force, removes it with', () => {
    const BOX = `${P}rm`;
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    const refused = toolbox(['rm', BOX], { env });
    expect(refused.code).toBe(1);
    expect(refused.stderr).toBe(
      `Error: toolbox ${BOX} is running; not removing it. Hint: stop it with 'toolbox stop ${BOX}', or use --force\n`,
    );
    expect(containerState(BOX)).toBe('running');
    expect(toolbox(['rm', '--force', BOX], { env }).code).toBe(0);
    expect(containerState(BOX)).toBe('missing');
  });

  it('removes a stopped toolbox', () => {
    const BOX = `${P}rm2`;
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    expect(toolbox(['rm', '--force', BOX], { env }).code).toBe(0);
    expect(containerState(BOX)).toBe('missing');
  });

  it('always refuses a container that is not a toolbox, even with --force, and leaves it untouched', () => {
    const OTHER = `${P}not-a-toolbox`;
    expect(
      podman(['run', '-d', '--name', OTHER, ...RUN_LABEL_ARGS, 'localhost/toolbox-test:latest', 'sleep', 'infinity'])
        .code,
    ).toBe(0);
    for (const args of [
      ['rm', OTHER],
      ['rm', '--force', OTHER],
      ['stop', OTHER],
      ['run', '-c', OTHER, 'true'],
    ]) {
      const r = toolbox(args, { env });
      expect(r.code).toBe(1);
      expect(r.stderr).toBe(
        `Error: container ${OTHER} is not a toolbox (it has no toolbox label); refusing to touch it. Hint: choose another name with -c NAME, or manage it with '${ENGINE}' directly\n`,
      );
      expect(containerState(OTHER)).toBe('running');
    }
  });

  it('a missing toolbox is exit 1', () => {
    const r = toolbox(['rm', `${P}nope`], { env });
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(`Error: no such toolbox: ${P}nope. Hint: 'toolbox list' shows the toolboxes there are\n`);
  });
});

describe('concurrency', () => {
  it('eight parallel first calls create exactly one container, and all succeed', async () => {
    const BOX = `${P}race`;
    const runs = Array.from({ length: 8 }, (_, i) =>
      toolboxAsync(['run', '-c', BOX, '--', 'echo', `run-${i}`], { env }),
    );
    const results = await Promise.all(runs.map((r) => r.done));
    results.forEach((r, i) => {
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe(`run-${i}\n`);
      expect(r.code).toBe(0);
    });
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  it('sessions starting and ending at the same moment never kill each other', async () => {
    const BOX = `${P}race`;
    const long = toolboxAsync(['run', '-c', BOX, '--', 'sh', '-c', 'echo ready; sleep 3; echo survived'], { env });
    await waitFor(() => long.output().includes('ready'), 'the long session');
    const shorts = await Promise.all(
      Array.from({ length: 6 }, () => toolboxAsync(['run', '-c', BOX, 'true'], { env }).done),
    );
    for (const r of shorts) expect(r.code).toBe(0);
    const r = await long.done;
    expect(r.stdout).toBe('ready\nsurvived\n');
    expect(r.code).toBe(0);
    expect(containerState(BOX)).toBe('exited'); // the last one out stopped it
  });
});

describe('list', () => {
  // Its own toolboxes, one stopped and one as create leaves it, next to a container that is not one: whatever else the
  // machine has, these are listed exactly so.
  const L = `${P}list-`;
  beforeAll(() => {
    for (const name of [`${L}a`, `${L}b`]) expect(toolbox(['create', name], { env }).code).toBe(0);
    expect(toolbox(['stop', `${L}a`], { env }).code).toBe(0);
    expect(
      podman(['create', '--name', `${L}other`, ...RUN_LABEL_ARGS, 'localhost/toolbox-test:latest', 'true']).code,
    ).toBe(0);
  });

  it('shows only toolboxes, as JSON with the documented fields', () => {
    const r = toolbox(['list', '--json'], { env });
    expect(r.code).toBe(0);
    const boxes = (JSON.parse(r.stdout) as Record<string, unknown>[]).filter((b) => String(b.name).startsWith(L));
    expect(boxes.map((b) => [b.name, b.status])).toEqual([
      [`${L}a`, 'exited'],
      [`${L}b`, 'running'],
    ]);
    for (const b of boxes) {
      expect(Object.keys(b)).toEqual([
        'name',
        'id',
        'image',
        'status',
        'created',
        'mode',
        'version',
        'engine',
        'generation',
        'generations',
      ]);
      expect([b.engine, b.generation, b.generations]).toEqual([ENGINE, 1, []]);
      expect(b.image).toBe('localhost/toolbox-test:latest');
      expect(b.mode).toBe('system');
      expect(b.id).toMatch(/^[0-9a-f]{64}$/);
      expect(new Date(String(b.created)).toISOString()).toBe(b.created);
    }
    expect(r.stdout).not.toContain(`${L}other`);
  });

  it('prints a table with a header', () => {
    const r = toolbox(['list'], { env });
    expect(r.code).toBe(0);
    const lines = r.stdout.split('\n');
    expect(lines[0]).toMatch(/^NAME +STATUS +IMAGE +CREATED +MODE +ENGINE$/);
    const ours = lines.filter((l) => l.startsWith(L));
    expect(ours).toHaveLength(2);
    expect(ours[0]).toMatch(
      new RegExp(`^${L}a +exited +localhost/toolbox-test:latest +\\d{4}-\\d\\d-\\d\\dT\\S+Z +system +${ENGINE}$`),
    );
    expect(ours[1]).toMatch(
      new RegExp(`^${L}b +running +localhost/toolbox-test:latest +\\d{4}-\\d\\d-\\d\\dT\\S+Z +system +${ENGINE}$`),
    );
    expect(r.stdout).not.toContain(`${L}other`);
  });
});

describe('the two engines never mix', () => {
  // The other engine, asked the way a user would: --engine, and the engine in the config file.
  const other = ENGINE === 'docker' ? 'podman' : 'docker';
  const BOX = `${P}mix`;
  const otherEnv = isolatedEnv({ TOOLBOX_ENGINE: undefined, DOCKER_HOST });

  it(`a toolbox made with ${ENGINE} is invisible to ${other}`, () => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    expect(toolbox(['config', 'set', 'engine', other], { env: otherEnv }).code).toBe(0);
    const listed = toolbox(['list', '--json'], { env: otherEnv });
    expect(listed.code).toBe(0);
    const names = (JSON.parse(listed.stdout) as { name: string; engine: string }[]).map((b) => [b.name, b.engine]);
    expect(names.filter(([n]) => n?.startsWith(P))).toEqual([]);
    expect(names.every(([, e]) => e === other)).toBe(true);
    // The other engine where CI runs it (DOCKER_HOST): the same daemon list asked above.
    const r = toolbox(['--engine', other, 'rm', '--force', BOX], { env: otherEnv });
    expect([r.code, r.stderr]).toEqual([
      1,
      `Error: no such toolbox: ${BOX}. Hint: 'toolbox list' shows the toolboxes there are\n`,
    ]);
    expect(containerState(BOX)).not.toBe('missing');
    expect(toolbox(['rm', '--force', BOX], { env }).code).toBe(0);
  });
});
