// upgrade and rollback with a fake engine: the order of container operations, that a failure
// anywhere leaves the old toolbox exactly as it was, and that generations are found by label.
import { describe, expect, it } from 'vitest';
import type { DeclaredBox } from '../../src/core/tools/declared-state.js';
import type { ToolsDeps } from '../../src/core/tools/install-tools.js';
import { labelsFor, specFrom } from '../../src/core/box/labels.js';
import type { BoxSpec, BoxStatus, CaptureResult, ExecRequest } from '../../src/core/ports.js';
import type { Settings } from '../../src/core/settings/settings.js';
import { upgradeBox } from '../../src/core/generations/upgrade-box.js';
import { rollbackBox } from '../../src/core/generations/rollback-box.js';
import { checkUpgrade } from '../../src/core/generations/check-upgrade.js';
import { interruptedOf, settleInterrupted } from '../../src/core/generations/generation-moves.js';
import { claimFor } from '../../src/core/box/claim-box.js';
import { box as boxInfo, FakeEngine } from './fakes/engine.js';
import { MemoryDeclared, MemoryGenerations } from './fakes/generations.js';
import { SilentProgress, SilentReporter } from './fakes/reporter.js';
import { MemorySessions } from './fakes/sessions.js';

/** The shared fake engine, with the packages installed in each container and zypper/rpm answering for them. */
class PackageEngine extends FakeEngine {
  packages = new Map<string, Set<string>>();
  zypper: (args: string[], packages: Set<string>) => CaptureResult = (args, packages) => {
    if (args[0] === 'install') for (const p of args.slice(args.indexOf('--') + 1)) packages.add(p);
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  private n = 0;

  override nextId(): string {
    return `id${++this.n}`;
  }
  /** a container made before the test, as upgrade and rollback find it */
  add(
    id: string,
    name: string,
    status: BoxStatus,
    labels: Record<string, string>,
    packages: Iterable<string> = [],
  ): void {
    this.boxes.set(id, boxInfo({ id, name, status, labels, imageId: 'img-id' }));
    this.packages.set(id, new Set(packages));
  }
  override async execCapture(request: ExecRequest): Promise<CaptureResult> {
    await super.execCapture(request);
    const id = this.find(request.target)!.id;
    const packages = this.packages.get(id) ?? this.packages.set(id, new Set()).get(id)!;
    const [cmd, ...rest] = request.command;
    if (cmd === 'zypper') return this.zypper(rest.slice(1), packages);
    const script = rest[1] ?? '';
    if (script.includes('rpm -q')) {
      const names = rest.slice(3);
      return {
        exitCode: 0,
        stdout: names.map((n) => (packages.has(n) ? `${n}\n` : `package ${n} is not installed\n`)).join(''),
        stderr: '',
      };
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  }
  /** what changed containers or images, in order */
  changes(): string[] {
    return this.calls.filter((c) => /^(pull|create|rename|rm|rmi) /.test(c));
  }
}

/** The toolbox 'tb' as created from IMAGE. */
function tbSpec(image = 'registry.example/tb:latest'): BoxSpec {
  return { name: 'tb', image, mode: 'system', sandbox: false, engineArgs: [] };
}

function setup(declared: DeclaredBox, image = 'registry.example/tb:latest') {
  const engine = new PackageEngine();
  const spec = tbSpec(image);
  engine.add('old', 'tb', 'running', labelsFor(spec, '0.1.0'), declared.tools);
  const box = new MemoryDeclared(declared);
  const generations = new MemoryGenerations(box);
  const sessions = new MemorySessions(engine);
  const deps: ToolsDeps & { sessions: MemorySessions } = {
    engine,
    sessions,
    reporter: new SilentReporter(),
    version: '0.2.0',
    hostUser: () => ({ uid: 0, gid: 0, name: 'root', group: 'root', home: '/root' }),
    env: {},
    cwd: '/',
    declared: box,
    progress: new SilentProgress(),
    generations,
  };
  const settings = { name: 'tb', autostop: true } as Settings;
  return { engine, deps, settings, box, generations };
}

const DECLARED: DeclaredBox = {
  repos: [{ alias: 'r', url: 'http://127.0.0.1:1/', key: 'k.asc', keyData: '-----BEGIN PGP PUBLIC KEY BLOCK-----' }],
  tools: ['tl-hello'],
};

const upgrade = (deps: ToolsDeps, settings: Settings, keep = 1) =>
  upgradeBox(deps, settings, { force: false, recommends: false, keep });
const names = (engine: FakeEngine) => [...engine.boxes.values()].map((b) => [b.id, b.name, b.status]);

/**
 * An upgrade interrupted after its new container was proven: 'new' under its proven name, and
 * the old one already put aside (stopped first, then renamed, as putAside does).
 */
function provenWithOldAside(engine: PackageEngine): void {
  const spec = tbSpec();
  engine.add(
    'new',
    'tb.gen2-op1-proven',
    'running',
    labelsFor(spec, '0.2.0', { identity: 'old', generation: 2, imageId: 'img-id', operation: 'op1' }),
  );
  Object.assign(engine.find('old')!, { name: 'tb.gen1', status: 'exited' });
}

describe('upgrade', () => {
  it('builds the new generation aside, proves it, then gives it the name and keeps the old one stopped', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    const result = await upgrade(deps, settings);
    expect(engine.changes().map((l) => l.replace(/-[0-9a-f]{8}\b/, '-OP'))).toEqual([
      'pull registry.example/tb:latest',
      'create tb.gen2-OP',
      'rename id1 tb.gen2-OP-proven',
      'rename old tb.gen1',
      'rename id1 tb',
    ]);
    expect(names(engine)).toEqual([
      ['old', 'tb.gen1', 'exited'],
      ['id1', 'tb', 'exited'],
    ]);
    expect([...engine.packages.get('id1')!]).toEqual(['tl-hello']);
    expect(result).toEqual({
      name: 'tb',
      image: 'registry.example/tb:latest',
      oldId: 'old',
      newId: 'id1',
      oldGeneration: 1,
      newGeneration: 2,
      repos: ['r'],
      tools: ['tl-hello'],
      pruned: [],
    });
    // the new container records the toolbox's own name, and its identity is the first container's id
    expect(specFrom(engine.boxes.get('id1')!.labels)?.name).toBe('tb');
    expect(engine.boxes.get('id1')!.labels).toMatchObject({
      'io.toolbox.identity': 'old',
      'io.toolbox.generation': '2',
      'io.toolbox.image-id': 'id-of-registry.example/tb:latest',
    });
  });

  it('issue 21 F1: containers whose lineage labels came from an image, or that name another toolbox, are never pruned', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    const spec = specFrom(
      labelsFor(
        { name: 'tb', image: 'registry.example/tb:latest', mode: 'system', sandbox: false, engineArgs: [] },
        '0.1.0',
      ),
    )!;
    const claim = { 'io.toolbox.identity': 'old', 'io.toolbox.generation': '1' };
    // inherited: its image-id label is not the image it runs (an image cannot carry its own id)
    engine.add('inherited', 'tb-b', 'running', {
      ...labelsFor(spec, '0.1.0'),
      ...claim,
      'io.toolbox.image-id': 'forged',
    });
    // labels that would pass, but the toolbox's name in its spec is another's
    engine.add('other', 'tb-c', 'running', {
      ...labelsFor({ ...spec, name: 'tb-c' }, '0.1.0'),
      ...claim,
      'io.toolbox.image-id': 'img-id',
    });
    const result = await upgrade(deps, settings, 1);
    expect(result.pruned).toEqual([]);
    expect(engine.changes().filter((c) => c.startsWith('rm '))).toEqual([]);
    expect(names(engine).filter(([id]) => id === 'inherited' || id === 'other')).toEqual([
      ['inherited', 'tb-b', 'running'],
      ['other', 'tb-c', 'running'],
    ]);
  });

  it('keeps the old toolbox untouched when a tool cannot be reinstalled', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    engine.zypper = (args) =>
      args[0] === 'install'
        ? { exitCode: 104, stdout: '', stderr: "No provider of 'tl-hello' found.\n" }
        : { exitCode: 0, stdout: '', stderr: '' };
    await expect(upgrade(deps, settings)).rejects.toThrow(
      'upgrade of toolbox tb failed, the toolbox is unchanged: no package named tl-hello in the repositories of toolbox tb',
    );
    expect(engine.changes().map((l) => l.replace(/-[0-9a-f]{8}\b/, '-OP'))).toEqual([
      'pull registry.example/tb:latest',
      'create tb.gen2-OP',
      'rm id1',
    ]);
    expect(names(engine)).toEqual([['old', 'tb', 'running']]);
  });

  it('keeps the old toolbox when a repository no longer passes its signature check', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    engine.zypper = (args) =>
      args[0] === 'refresh'
        ? {
            exitCode: 4,
            stdout: '',
            stderr: "Signature verification failed for file 'repomd.xml' from repository 'r'.\n",
          }
        : { exitCode: 0, stdout: '', stderr: '' };
    await expect(upgrade(deps, settings)).rejects.toThrow(
      /^upgrade of toolbox tb failed, the toolbox is unchanged: repository 'r' failed its signature check/,
    );
    expect([...engine.boxes.keys()]).toEqual(['old']);
  });

  it('refuses while sessions are active, unless forced', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    deps.sessions.others = 2;
    await expect(upgrade(deps, settings)).rejects.toThrow('toolbox tb has 2 active sessions; not upgrading it');
    expect(engine.changes()).toEqual([]);
  });

  it('13.6: never pulls a localhost/ image, and says so when its tag is gone', async () => {
    const { engine, deps, settings } = setup(DECLARED, 'localhost/tb:latest');
    await expect(upgrade(deps, settings)).rejects.toThrow(
      'image not found: localhost/tb:latest (localhost/ images are never pulled)',
    );
    engine.images.add('localhost/tb:latest');
    await upgrade(deps, settings);
    expect(engine.changes().filter((l) => l.startsWith('pull'))).toEqual([]);
  });

  it('13.4: containers named like its temporary ones, but not of this toolbox, are never touched', async () => {
    const { engine, deps, settings } = setup({ repos: [], tools: [] });
    const other: BoxSpec = {
      name: 'tb.upgrade-new',
      image: 'registry.example/tb:latest',
      mode: 'system',
      sandbox: false,
      engineArgs: [],
    };
    engine.add('user1', 'tb.upgrade-new', 'running', labelsFor(other, '0.1.0'));
    engine.add('user2', 'tb.upgrade-old', 'running', labelsFor({ ...other, name: 'tb.upgrade-old' }, '0.1.0'));
    engine.add('user3', 'tb.gen1', 'running', labelsFor({ ...other, name: 'tb.gen1' }, '0.1.0'));
    await upgrade(deps, settings);
    expect(names(engine).filter(([id]) => String(id).startsWith('user'))).toEqual([
      ['user1', 'tb.upgrade-new', 'running'],
      ['user2', 'tb.upgrade-old', 'running'],
      ['user3', 'tb.gen1', 'running'],
    ]);
    // the old generation took another free name
    expect(engine.find('old')!.name).toBe('tb.gen1-2');
  });

  it('--keep prunes the oldest generations after a successful upgrade, never the one just kept', async () => {
    const { engine, deps, settings } = setup({ repos: [], tools: [] });
    await upgrade(deps, settings, 2);
    await upgrade(deps, settings, 2);
    expect(names(engine).map(([, n]) => n)).toEqual(['tb.gen1', 'tb.gen2', 'tb']);
    const r = await upgrade(deps, settings, 2);
    expect(r.pruned).toEqual([1]);
    expect(names(engine).map(([, n]) => n)).toEqual(['tb.gen2', 'tb.gen3', 'tb']);
  });
});

describe('rollback', () => {
  it('brings the previous generation back under the same id, with its declared tools, and can itself be rolled back', async () => {
    const { engine, deps, settings, box } = setup(DECLARED);
    await upgrade(deps, settings);
    box.current = { ...box.current, tools: ['tl-hello', 'tl-new'] };
    const back = await rollbackBox(deps, 'tb', { force: false });
    expect(back).toEqual({
      name: 'tb',
      oldId: 'id1',
      newId: 'old',
      oldGeneration: 2,
      newGeneration: 1,
      tools: ['tl-hello'],
    });
    expect(names(engine)).toEqual([
      ['old', 'tb', 'exited'],
      ['id1', 'tb.gen2', 'exited'],
    ]);
    const again = await rollbackBox(deps, 'tb', { force: false });
    expect([again.newId, again.newGeneration]).toEqual(['id1', 2]);
    expect(box.current.tools).toEqual(['tl-hello', 'tl-new']);
  });

  it('refuses without a kept generation, an unknown --to, and active sessions', async () => {
    const { deps, settings } = setup(DECLARED);
    await expect(rollbackBox(deps, 'tb', { force: false })).rejects.toThrow(
      'toolbox tb has no previous generation to roll back to',
    );
    await upgrade(deps, settings);
    await expect(rollbackBox(deps, 'tb', { force: false, to: 7 })).rejects.toThrow(
      'toolbox tb has no generation 7 (kept: 1)',
    );
    await expect(rollbackBox(deps, 'tb', { force: false, to: 2 })).rejects.toThrow(
      'generation 2 is already toolbox tb',
    );
    deps.sessions.others = 1;
    await expect(rollbackBox(deps, 'tb', { force: false })).rejects.toThrow(
      'toolbox tb has 1 active session; not rolling it back',
    );
  });

  it('a kept generation named directly is not upgraded or rolled back as if it were a toolbox', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    await upgrade(deps, settings);
    const log = engine.changes().length;
    const refusal = 'tb.gen1 is generation 1 kept for toolbox tb, not a toolbox in use';
    await expect(upgrade(deps, { ...settings, name: 'tb.gen1' })).rejects.toThrow(refusal);
    await expect(rollbackBox(deps, 'tb.gen1', { force: false })).rejects.toThrow(refusal);
    expect(engine.changes().length).toBe(log);
  });
});

describe('an interrupted upgrade', () => {
  it('before the new container was proven is undone: it goes, the old one keeps its name', async () => {
    const { engine, deps, generations } = setup(DECLARED);
    const spec = tbSpec();
    engine.add(
      'half',
      'tb.gen2-op1',
      'running',
      labelsFor(spec, '0.2.0', { identity: 'old', generation: 2, imageId: 'img-id', operation: 'op1' }),
    );
    generations.setJournal('tb', {
      op: 'upgrade',
      name: 'tb',
      identity: 'old',
      fromId: 'old',
      operation: 'op1',
      step: 'create',
    });
    await settleInterrupted(deps, 'tb');
    expect(names(engine)).toEqual([['old', 'tb', 'running']]);
    expect(generations.journal('tb')).toBeUndefined();
  });

  it('after it was proven is finished, even when the old one was already put aside', async () => {
    const { engine, deps, generations } = setup(DECLARED);
    provenWithOldAside(engine);
    generations.setJournal('tb', {
      op: 'upgrade',
      name: 'tb',
      identity: 'old',
      fromId: 'old',
      toId: 'new',
      operation: 'op1',
      step: 'proven',
    });
    await settleInterrupted(deps, 'tb');
    expect(names(engine)).toEqual([
      ['old', 'tb.gen1', 'exited'],
      ['new', 'tb', 'running'],
    ]);
    expect(generations.retired('old')?.declared).toEqual(DECLARED);
  });

  it('never touches a container the journal names but that is not of this toolbox', async () => {
    const { engine, deps, generations } = setup(DECLARED);
    const spec: BoxSpec = {
      name: 'other',
      image: 'registry.example/tb:latest',
      mode: 'system',
      sandbox: false,
      engineArgs: [],
    };
    engine.add(
      'foreign',
      'other',
      'running',
      labelsFor(spec, '0.2.0', { identity: 'zzz', generation: 2, imageId: 'img-id', operation: 'op1' }),
    );
    generations.setJournal('tb', {
      op: 'upgrade',
      name: 'tb',
      identity: 'old',
      fromId: 'old',
      toId: 'foreign',
      operation: 'op1',
      step: 'create',
    });
    await settleInterrupted(deps, 'tb');
    expect(names(engine)).toEqual([
      ['old', 'tb', 'running'],
      ['foreign', 'other', 'running'],
    ]);
  });
});

describe('upgrade --check', () => {
  it('a registry image: up to date when the registry serves the digest the toolbox was pulled as, else an upgrade is available', async () => {
    const { engine, deps } = setup(DECLARED);
    engine.imageFacts = (image: string) =>
      Promise.resolve({ id: 'img-id', tags: [image], digests: ['registry.example/tb@sha256:aaa'] });
    engine.remoteDigest = () => Promise.resolve('sha256:aaa');
    expect(await checkUpgrade(deps, 'tb')).toEqual({
      name: 'tb',
      image: 'registry.example/tb:latest',
      generation: 1,
      current: 'sha256:aaa',
      available: 'sha256:aaa',
      upToDate: true,
    });
    engine.remoteDigest = () => Promise.resolve('sha256:bbb');
    expect(await checkUpgrade(deps, 'tb')).toMatchObject({
      current: 'sha256:aaa',
      available: 'sha256:bbb',
      upToDate: false,
    });
    expect(engine.changes()).toEqual([]); // nothing pulled, created or renamed
  });

  it('a localhost/ image: compares image ids, and a missing tag is an error, never a pull', async () => {
    const { engine, deps } = setup(DECLARED, 'localhost/tb:latest');
    await expect(checkUpgrade(deps, 'tb')).rejects.toThrow(
      'image not found: localhost/tb:latest (localhost/ images are never pulled)',
    );
    engine.images.add('localhost/tb:latest');
    expect(await checkUpgrade(deps, 'tb')).toMatchObject({
      current: 'img-id',
      available: 'id-of-localhost/tb:latest',
      upToDate: false,
    });
    expect(engine.changes()).toEqual([]);
  });
});

describe('create beside an interrupted upgrade (toolbox create looks while it creates)', () => {
  const createSettings = {
    name: 'tb',
    image: 'localhost/img:1',
    mode: 'system',
    sandbox: false,
    engineArgs: [],
    pull: false,
  } as unknown as Settings;
  const claim = (deps: ToolsDeps) =>
    claimFor(deps, createSettings, true, {
      createFirst: true,
      settle: () => settleInterrupted(deps, 'tb', { containers: true }),
      busy: () => interruptedOf(deps, 'tb'),
    });

  it('nothing under way: one create and one look, side by side, and the new toolbox is kept', async () => {
    const { engine, deps } = setup(DECLARED);
    engine.boxes.clear();
    const claimed = await claim(deps);
    expect([claimed.id, claimed.created]).toEqual(['id1', true]);
    expect(engine.calls).toEqual(['create tb', 'ps']);
  });

  it('a proven upgrade left NAME free: the container it just made goes, and the upgrade is finished', async () => {
    const { engine, deps, generations } = setup(DECLARED);
    provenWithOldAside(engine);
    const claimed = await claim(deps);
    expect([claimed.id, claimed.created]).toEqual(['new', false]);
    expect(engine.changes()).toEqual(['create tb', 'rm id1', 'rename new tb']);
    expect(names(engine)).toEqual([
      ['old', 'tb.gen1', 'exited'],
      ['new', 'tb', 'running'],
    ]);
    expect(generations.journal('tb')).toBeUndefined();
  });

  it('a look that fails removes what the create made, and says why', async () => {
    const { engine, deps } = setup(DECLARED);
    engine.boxes.clear();
    engine.listBoxes = () => Promise.reject(new Error('podman ps failed'));
    await expect(claim(deps)).rejects.toThrow('podman ps failed');
    expect(engine.changes()).toEqual(['create tb', 'rm id1']);
    expect(engine.boxes.size).toBe(0);
  });
});
