// The engine killed (SIGKILL to the podman or docker process, not to toolbox) at each of its
// calls in create, upgrade and rollback, before it acted and after; and the toolbox's container
// removed by someone else at each step of an upgrade. Toolbox ends with one line or its result, no
// container or generation is lost, and the next call works. (toolbox itself killed at each step
// is in generations.test.ts; killed during create in hardening-faults.test.ts.)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import {
  ENGINE,
  containerId,
  containerState,
  containersNamed,
  forceRemove,
  isolatedEnv,
  podman,
  removeContainers,
  runPrefix,
  toolbox,
  toolboxAsync,
  waitFor,
  type Result,
} from './helpers.js';

// Each case runs several upgrades' worth of engine calls: minutes on a busy machine.
vi.setConfig({ testTimeout: 600_000, hookTimeout: 600_000 });

const P = runPrefix('hd-kil-');
const env = isolatedEnv({ TOOLBOX_IMAGE: 'localhost/toolbox-test:latest' });
/** The engine under test's binary, found on PATH as toolbox finds it. */
const REAL_ENGINE = spawnSync('sh', ['-c', `command -v ${ENGINE}`], { encoding: 'utf8' }).stdout.trim();
const tmp = mkdtempSync(`/tmp/${P}`);
const MACRO = '/usr/lib/rpm/macros.d/macros.toolbox';
/** What `cat /etc/hostname` prints in toolbox NAME: docker ends the file with a newline, podman does not. */
const hostname = (name: string): string => (ENGINE === 'docker' ? `${name}\n` : name);
const HINT = `Hint: run with -v to see the ${ENGINE} commands`;
/**
 * Where docker's calls differ from podman's: each toolbox call confirms the name with one
 * `container inspect` more, and reads the listed toolboxes again with one after each `ps`, so
 * the same inspect of an upgrade or rollback is a later one. The calls that change something
 * come in the same order on both.
 */
const onEngine = (at: string, docker: Record<string, string>): string =>
  ENGINE === 'docker' ? (docker[at] ?? at) : at;

// The engine (podman, or docker) in front of the real one. It counts its calls by subcommand; at
// call HD_AT ("rename#2": the second rename) it does HD_DO: kill-before (dies of SIGKILL before
// acting), kill-after (acts, then dies of SIGKILL, its output lost), or rm-box (someone else
// removes the container HD_BOX first, by its full id). It notes what it hit in $HD_DIR/hit.
const SHIM = `#!/bin/sh
REAL=${REAL_ENGINE}
sub=$1; [ "$sub" = container ] && sub=$2
n=$(( $(cat "$HD_DIR/count.$sub" 2>/dev/null || echo 0) + 1 )); echo $n > "$HD_DIR/count.$sub"
if [ "$sub#$n" = "$HD_AT" ]; then
  echo "$*" > "$HD_DIR/hit"
  case $HD_DO in
    kill-before) kill -9 $$;;
    kill-after) "$REAL" "$@" >/dev/null 2>&1 </dev/null; kill -9 $$;;
    rm-box) "$REAL" rm --force ${ENGINE === 'docker' ? '' : '--time 0 '}"$HD_BOX" >/dev/null 2>&1;;
  esac
fi
exec "$REAL" "$@"
`;
const shimDir = join(tmp, 'bin');
mkdirSync(shimDir);
writeFileSync(join(shimDir, ENGINE), SHIM, { mode: 0o755 });

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
  rmSync(tmp, { recursive: true, force: true });
});

let faults = 0;
/** Runs toolbox ARGS with the fault DO at the engine call AT; returns its result and the call it hit. */
function withFault(
  at: string,
  what: 'kill-before' | 'kill-after' | 'rm-box',
  args: string[],
  box = '',
): Result & { hit: string } {
  const dir = join(tmp, `fault-${faults++}`);
  mkdirSync(dir);
  const r = toolbox(args, {
    env: { ...env, PATH: `${shimDir}:${env.PATH}`, HD_DIR: dir, HD_AT: at, HD_DO: what, HD_BOX: box },
  });
  const hit = existsSync(join(dir, 'hit')) ? readFileSync(join(dir, 'hit'), 'utf8').trim() : '';
  return { ...r, hit };
}

/** The one line a command gives (stderr), with its exit code; '' and 0 for a success that says nothing. */
function outcome(r: Result): { code: number | null; stderr: string } {
  expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
  return { code: r.code, stderr: r.stderr };
}

interface Listed {
  name: string;
  id: string;
  generation: number;
  generations: { generation: number; id: string }[];
}
const listed = (name: string): Listed | undefined =>
  (JSON.parse(toolbox(['list', '--json'], { env }).stdout) as Listed[]).find((b) => b.name === name);

/** Every container whose identity label is `identity`, and that container itself. */
function lineage(identity: string): string[] {
  const ids = (filter: string) =>
    podman(['ps', '-a', '--filter', filter, '--format', '{{.ID}}', '--no-trunc']).stdout.split('\n').filter(Boolean);
  return [...new Set([...ids(`id=${identity}`), ...ids(`label=io.toolbox.identity=${identity}`)])].sort();
}

/**
 * The next call works (saying at most one warning line), the toolbox is set up, and it is one
 * consistent toolbox: one container under its name, and every container of its lineage is it or
 * a kept generation, nothing half-made.
 */
function nextCallWorks(box: string, identity: string, warning?: string): Listed {
  const next = toolbox(['run', '-c', box, 'cat', '/etc/hostname', MACRO], { env });
  expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
    code: 0,
    stdout: `${hostname(box)}%_netsharedpath /dev:/etc/hosts\n`,
    stderr: warning === undefined ? '' : `Warning: ${warning}\n`,
  });
  expect(containersNamed(box).filter((n) => n === box)).toEqual([box]);
  const entry = listed(box)!;
  expect(lineage(identity)).toEqual([entry.id, ...entry.generations.map((g) => g.id)].sort());
  return entry;
}

describe('the engine killed during create', () => {
  // every engine call of a first create: the container made, started, and set up (through the
  // engine with --exec podman; direct entry makes no engine call for the setup)
  const CASES: [string, 'kill-before' | 'kill-after', number, string][] = [
    ['create#1', 'kill-before', 125, `Error: ${ENGINE} create BOX failed: killed by SIGKILL. ${HINT}`],
    // podman made it, then died: the name is taken by a toolbox being made, which is then used
    ['create#1', 'kill-after', 0, ''],
    ['start#1', 'kill-before', 125, `Error: ${ENGINE} start ID failed: killed by SIGKILL. ${HINT}`],
    ['start#1', 'kill-after', 125, `Error: ${ENGINE} start ID failed: killed by SIGKILL. ${HINT}`],
    ['exec#1', 'kill-before', 0, 'Warning: setting up BOX failed (exit 137): killed by signal 9'],
    ['exec#1', 'kill-after', 0, 'Warning: setting up BOX failed (exit 137): killed by signal 9'],
  ];
  it.each(CASES)('%s %s', (at, what, code, line) => {
    const BOX = `${P}c-${at.replace('#', '')}-${what}`;
    const r = withFault(at, what, ['create', '--exec', 'podman', BOX]);
    expect(r.hit.split(' ')[0]).toBe(at.split('#')[0]);
    // A create whose start failed removes the container it made (issue 21 F6): its id is in the call.
    const removed = at === 'start#1';
    const id = removed ? (/[0-9a-f]{64}/.exec(r.hit)?.[0] ?? '') : containersNamed(BOX).length ? containerId(BOX) : '';
    expect(outcome(r)).toEqual({ code, stderr: line ? `${line.replace('BOX', BOX).replace('ID', id)}\n` : '' });
    if (removed) expect(containerState(id)).toBe('missing');
    // nothing half-made stays unusable: the next call starts and sets up what is there, or makes it
    const next = toolbox(['run', '-c', BOX, 'cat', '/etc/hostname', MACRO], { env });
    expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
      code: 0,
      stdout: `${hostname(BOX)}%_netsharedpath /dev:/etc/hosts\n`,
      stderr: '',
    });
    expect(containersNamed(BOX)).toEqual([BOX]);
    if (id && !removed) expect(containerId(BOX)).toBe(id); // the container it made is the one kept
  });
});

describe('the engine killed during upgrade and rollback', () => {
  const BOX = `${P}gen`;
  let identity = '';
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
    identity = containerId(BOX);
    expect(toolbox(['upgrade', BOX], { env }).code).toBe(0); // a kept generation to roll back to
  });
  afterAll(() => {
    toolbox(['rm', '-q', '--force', BOX], { env });
  });

  const killedWhy = (call: string) => `${ENGINE} ${call} failed: killed by SIGKILL. ${HINT}`;
  const killed = (call: string) => `Error: ${killedWhy(call)}`;
  const unchanged = (why: string) => `Error: upgrade of toolbox BOX failed, the toolbox is unchanged: ${why}`;
  // Every engine call of an upgrade of a running toolbox that changes something or decides,
  // in order: the call hit, the exit code and line, and what the next call then does with the
  // upgrade: undoes it, finishes it, or nothing (it undid itself, or it was done).
  type After = 'undone' | 'finished' | 'failed' | 'done';
  // The proven rename (NEW to NAME.genN-OP-proven) is the line between undone and finished: killed
  // before it acts, the upgrade is undone; after, finished (generations.ts, issue 21 F3).
  const UPGRADE: [string, string, number, string, After | Record<'kill-before' | 'kill-after', After>][] = [
    ['create#1', 'create', 125, killed('create BOX'), 'undone'],
    ['start#1', 'start NEW', 125, unchanged(killedWhy('start NEW')), 'failed'],
    ['inspect#2', 'container inspect NEW', 125, unchanged(killedWhy('inspect NEW')), 'failed'],
    [
      'exec#1',
      'exec --interactive --user root NEW',
      1,
      unchanged(
        'setting up NEWNAME failed (exit 137): killed by signal 9. Hint: fix the cause and run toolbox upgrade again',
      ),
      'failed',
    ],
    ['inspect#3', 'container inspect NEW', 125, killed('inspect NEW'), 'finished'],
    ['inspect#4', 'container inspect OLD', 125, killed('inspect OLD'), 'finished'],
    ['stop#1', 'stop --time 1 OLD', 125, killed('stop OLD'), 'finished'],
    ['rename#1', 'rename NEW', 125, killed('rename NEW'), { 'kill-before': 'undone', 'kill-after': 'finished' }],
    ['rename#2', 'rename OLD', 125, killed('rename OLD'), 'finished'],
    ['inspect#5', 'container inspect BOX', 125, killed('inspect BOX'), 'finished'],
    ['rename#3', 'rename NEW BOX', 125, killed('rename NEW'), 'finished'],
    ['stop#2', 'stop --time 1 NEW', 0, '', 'done'],
  ];
  const DOCKER_UPGRADE = {
    'inspect#2': 'inspect#6',
    'inspect#3': 'inspect#7',
    'inspect#4': 'inspect#8',
    'inspect#5': 'inspect#10',
  };
  const cases = UPGRADE.flatMap(([at, call, code, line, after]) =>
    (['kill-before', 'kill-after'] as const).map(
      (w) => [onEngine(at, DOCKER_UPGRADE), w, call, code, line, typeof after === 'string' ? after : after[w]] as const,
    ),
  );
  it.each(cases)('upgrade: %s %s', (at, what, call, code, line, after) => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0); // running, as a toolbox in use is
    const before = listed(BOX)!;
    const r = withFault(at, what, ['upgrade', BOX]);
    // the new container's id: in the call hit, or (when that call named none) the one made
    const known = new Set([before.id, ...before.generations.map((g) => g.id)]);
    const fresh =
      /[0-9a-f]{64}/.exec(r.hit.replace(before.id, ''))?.[0] ?? lineage(identity).find((id) => !known.has(id)) ?? '';
    const fill = (text: string) =>
      text
        .replaceAll('BOX', BOX)
        .replaceAll('NEWNAME', `${BOX}.gen${before.generation + 1}-`)
        .replaceAll('NEW', fresh)
        .replaceAll('OLD', before.id);
    expect(r.hit.startsWith(fill(call))).toBe(true);
    const o = outcome(r);
    if (at.startsWith('exec#')) {
      // the new container's temporary name ends in its operation's tag
      const [head, tail] = fill(line).split(`${BOX}.gen${before.generation + 1}-`) as [string, string];
      expect(o.stderr.startsWith(`${head}${BOX}.gen${before.generation + 1}-`)).toBe(true);
      expect(o.stderr.endsWith(`${tail}\n`)).toBe(true);
      expect(o.stderr.split('\n')).toHaveLength(2);
      expect(o.code).toBe(code);
    } else expect(o).toEqual({ code, stderr: line ? `${fill(line)}\n` : '' });
    const warning = {
      undone: `an upgrade of ${BOX} was interrupted before its new container was proven; undone: ${BOX} is as it was before`,
      finished: `an upgrade of ${BOX} was interrupted after its new container was proven; finished it: ${BOX} is generation ${before.generation + 1}`,
      failed: undefined,
      done: undefined,
    }[after];
    const entry = nextCallWorks(BOX, identity, warning);
    // nothing lost: every generation there was is still there, but for what a finished
    // upgrade prunes itself (it keeps one by default: the one it replaced)
    const all = [entry.id, ...entry.generations.map((g) => g.id)];
    if (after === 'done') expect(entry.generations.map((g) => g.id)).toEqual([before.id]);
    else for (const id of known) expect(all).toContain(id);
    expect(entry.generation).toBe(after === 'finished' || after === 'done' ? before.generation + 1 : before.generation);
  });

  // Every engine call of a rollback of a running toolbox once its journal is written, in order.
  // rename#1 names the generation coming back NAME.genN-back, for every caller to see (issue 21
  // F3): killed before it acts, nothing has moved and the next call drops the rollback quietly
  // (the toolbox is as it was); from then on, the next call finishes it.
  type RollbackAfter = 'finished' | 'unchanged';
  const ROLLBACK: [string, string, string, Record<'kill-before' | 'kill-after', RollbackAfter>][] = [
    ['rename#1', 'rename TARGET', killed('rename TARGET'), { 'kill-before': 'unchanged', 'kill-after': 'finished' }],
    [
      'inspect#2',
      'container inspect TARGET',
      killed('inspect TARGET'),
      { 'kill-before': 'finished', 'kill-after': 'finished' },
    ],
    [
      'inspect#3',
      'container inspect OLD',
      killed('inspect OLD'),
      { 'kill-before': 'finished', 'kill-after': 'finished' },
    ],
    ['stop#1', 'stop --time 1 OLD', killed('stop OLD'), { 'kill-before': 'finished', 'kill-after': 'finished' }],
    ['rename#2', 'rename OLD', killed('rename OLD'), { 'kill-before': 'finished', 'kill-after': 'finished' }],
    [
      'inspect#4',
      'container inspect BOX',
      killed('inspect BOX'),
      { 'kill-before': 'finished', 'kill-after': 'finished' },
    ],
    ['rename#3', 'rename TARGET BOX', killed('rename TARGET'), { 'kill-before': 'finished', 'kill-after': 'finished' }],
  ];
  const DOCKER_ROLLBACK = { 'inspect#2': 'inspect#6', 'inspect#3': 'inspect#7', 'inspect#4': 'inspect#9' };
  const rcases = ROLLBACK.flatMap(([at, call, line, after]) =>
    (['kill-before', 'kill-after'] as const).map(
      (w) => [onEngine(at, DOCKER_ROLLBACK), w, call, line, after[w]] as const,
    ),
  );
  it.each(rcases)('rollback: %s %s', (at, what, call, line, after) => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    const before = listed(BOX)!;
    const target = before.generations[0]!;
    const r = withFault(at, what, ['rollback', BOX]);
    const fill = (text: string) =>
      text.replaceAll('BOX', BOX).replaceAll('TARGET', target.id).replaceAll('OLD', before.id);
    expect(r.hit.startsWith(fill(call))).toBe(true);
    expect(outcome(r)).toEqual({ code: 125, stderr: `${fill(line)}\n` });
    const entry = nextCallWorks(
      BOX,
      identity,
      after === 'finished'
        ? `a rollback of ${BOX} was interrupted; finished it: ${BOX} is generation ${target.generation} again`
        : undefined,
    );
    expect([entry.id, ...entry.generations.map((g) => g.id)].sort()).toEqual(
      [before.id, ...before.generations.map((g) => g.id)].sort(),
    );
    expect(entry.id).toBe(after === 'finished' ? target.id : before.id);
  });
});

describe('the container removed by someone else while upgrade runs', () => {
  // At each engine call of the upgrade, the toolbox's current container goes first (the engine's
  // rm --force with its full id).
  // (At the last rename the old one is already aside: removed then, it is as gone.)
  const STEPS = ['create#1', 'start#1', 'exec#1', 'stop#1', 'rename#2', 'rename#3'];
  it.each(STEPS.map((s) => [s]))('at %s: the upgrade succeeds, and the toolbox is its new generation', (at) => {
    const BOX = `${P}rm-${at.replace('#', '')}`;
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    const old = containerId(BOX);
    const r = withFault(at, 'rm-box', ['upgrade', '--json', BOX], old);
    expect(r.hit.split(' ')[0]).toBe(at.split('#')[0]);
    expect(outcome(r)).toEqual({ code: 0, stderr: '' });
    const json = JSON.parse(r.stdout) as { oldId: string; newId: string; oldGeneration: number; newGeneration: number };
    expect([json.oldId, json.oldGeneration, json.newGeneration]).toEqual([old, 1, 2]);
    // the new generation is the toolbox, working; the old one is gone, as its remover wanted
    const entry = nextCallWorks(BOX, old);
    expect([entry.id, entry.generation, entry.generations]).toEqual([json.newId, 2, []]);
    expect(containerState(old)).toBe('missing');
    expect(toolbox(['rm', '-q', '--force', BOX], { env }).code).toBe(0);
  });

  it('the text result says the old generation is gone, not kept', () => {
    const BOX = `${P}rm-text`;
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    const r = withFault('create#1', 'rm-box', ['upgrade', '-v', BOX], containerId(BOX));
    expect(r.code).toBe(0);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      `upgraded toolbox ${BOX} to generation 2: 0 repositories and 0 tools restored; generation 1 was removed while the upgrade ran, so none is kept`,
    );
    expect(toolbox(['rm', '-q', '--force', BOX], { env }).code).toBe(0);
  });
});

describe('the container removed by someone else while a session runs', () => {
  it.each([['direct'], ['podman']])(
    'through %s entry: the session ends, one line says so, the next call makes it anew',
    async (exec) => {
      // (hardening-faults.test.ts removes it by name through the default entry; here by full id, both entries)
      const BOX = `${P}sess-${exec}`;
      expect(toolbox(['create', BOX], { env }).code).toBe(0);
      const id = containerId(BOX);
      const session = toolboxAsync(
        ['run', '--exec', exec, '-c', BOX, '--', 'sh', '-c', 'echo ready; sleep 60; echo never'],
        {
          env,
        },
      );
      await waitFor(() => session.output().includes('ready'), 'the session');
      expect(forceRemove(id)).toBe(0);
      const r = await session.done;
      expect(r.stdout).toBe('ready\n');
      expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
      const warning = `Warning: toolbox ${BOX} was removed while this session ran; the next call creates it anew\n`;
      // killed (137) with the warning or without it (the stop raced the removal), or podman's own line first (255)
      expect([
        { code: 137, stderr: warning },
        { code: 137, stderr: '' },
        ...(ENGINE === 'podman'
          ? [{ code: 255, stderr: `Error: container has already been removed\n${warning}` }]
          : []),
      ]).toContainEqual({ code: r.code, stderr: r.stderr });
      const next = toolbox(['run', '-c', BOX, 'echo', 'anew'], { env });
      expect({ code: next.code, stdout: next.stdout, stderr: next.stderr }).toEqual({
        code: 0,
        stdout: 'anew\n',
        stderr: '',
      });
      expect(containersNamed(BOX)).toEqual([BOX]);
      expect(containerId(BOX)).not.toBe(id);
    },
  );
});
