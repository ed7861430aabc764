// upgrade with a fake engine: the order of container operations, and that a failure anywhere
// leaves the old toolbox exactly as it was.
import { describe, expect, it } from 'vitest';
import type { DeclaredBox, DeclaredStore } from '../../src/core/declared-state.js';
import type { ToolsDeps } from '../../src/core/install-tools.js';
import { labelsFor, specFrom } from '../../src/core/labels.js';
import type { BoxInfo, BoxSpec, CaptureResult, ContainerEngine, ExecRequest, SessionStore } from '../../src/core/ports.js';
import type { Progress } from '../../src/core/progress.js';
import type { Settings } from '../../src/core/settings.js';
import { upgradeBox } from '../../src/core/upgrade-box.js';

interface Box { id: string; name: string; status: BoxInfo['status']; labels: Record<string, string>; packages: Set<string> }

class FakeEngine implements ContainerEngine {
  readonly name = 'podman' as const;
  readonly command = ['podman'];
  readonly rootful = true;
  boxes: Box[] = [];
  log: string[] = [];
  zypper: (args: string[], box: Box) => CaptureResult = (args, box) => {
    if (args[0] === 'install') for (const p of args.slice(args.indexOf('--') + 1)) box.packages.add(p);
    return { exitCode: 0, stdout: '', stderr: '' };
  };
  private n = 0;

  find(nameOrId: string): Box | undefined {
    return this.boxes.find((b) => b.id === nameOrId || b.name === nameOrId);
  }
  async inspectBox(nameOrId: string): Promise<BoxInfo | undefined> {
    const b = this.find(nameOrId);
    if (!b) return undefined;
    return { name: b.name, id: b.id, image: 'img', status: b.status, created: '', isToolbox: true, mode: 'system', version: '1', spec: specFrom(b.labels), pid: 0, startedAt: '' };
  }
  async listBoxes(): Promise<BoxInfo[]> { return []; }
  async imageExists(): Promise<boolean> { return true; }
  async pullImage(image: string): Promise<void> { this.log.push(`pull ${image}`); }
  async createBox(spec: BoxSpec, labels: Record<string, string>, containerName?: string): Promise<string> {
    const id = `id${++this.n}`;
    this.boxes.push({ id, name: containerName ?? spec.name, status: 'created', labels, packages: new Set() });
    this.log.push(`create ${containerName ?? spec.name}`);
    return id;
  }
  async renameBox(nameOrId: string, newName: string): Promise<void> {
    this.log.push(`rename ${this.find(nameOrId)!.name} ${newName}`);
    this.find(nameOrId)!.name = newName;
  }
  async startBox(nameOrId: string): Promise<void> { this.find(nameOrId)!.status = 'running'; }
  async unpauseBox(): Promise<void> {}
  async stopBox(nameOrId: string): Promise<void> { const b = this.find(nameOrId); if (b) b.status = 'exited'; }
  async removeBox(nameOrId: string): Promise<void> {
    const b = this.find(nameOrId)!;
    this.log.push(`rm ${b.name}`);
    this.boxes = this.boxes.filter((x) => x !== b);
  }
  async execInteractive(): Promise<number> { return 0; }
  async execCapture(request: ExecRequest): Promise<CaptureResult> {
    const box = this.find(request.target)!;
    const [cmd, ...rest] = request.command;
    if (cmd === 'zypper') return this.zypper(rest.slice(1), box);
    const script = rest[1] ?? '';
    if (script.includes('rpm -q')) {
      const names = rest.slice(3);
      return { exitCode: 0, stdout: names.map((n) => (box.packages.has(n) ? `${n}\n` : `package ${n} is not installed\n`)).join(''), stderr: '' };
    }
    return { exitCode: 0, stdout: '', stderr: '' };
  }
}

const sessions: SessionStore = {
  resolve: () => undefined, remember() {}, withNameLock: (_n, fn) => fn(), withLock: (_n, fn) => fn(), withWorkLock: (_n, fn) => fn(), addSession() {}, removeSession() {}, liveSessions: () => 0, readRecord: () => undefined, processStart: () => undefined, writeRecord() {}, forget() {},
};
const quiet: Progress = { phase() {}, succeed() {}, fail() {}, detail() {}, warn() {} };

function setup(declared: DeclaredBox) {
  const engine = new FakeEngine();
  const spec: BoxSpec = { name: 'tb', image: 'registry.example/tb:latest', mode: 'system', sandbox: false, engineArgs: [] };
  engine.boxes.push({ id: 'old', name: 'tb', status: 'running', labels: labelsFor(spec, '0.1.0'), packages: new Set(declared.tools) });
  const store: DeclaredStore = { get: () => declared, update: (_b, fn) => fn(declared) };
  const deps: ToolsDeps = {
    engine, sessions, reporter: { status() {}, warn() {}, step: () => ({ done() {}, fail() {} }) }, version: '0.2.0',
    hostUser: () => ({ uid: 0, gid: 0, name: 'root', group: 'root', home: '/root' }), env: {}, cwd: '/', declared: store, progress: quiet,
  };
  const settings = { name: 'tb', autostop: true } as Settings;
  return { engine, deps, settings };
}

const DECLARED: DeclaredBox = { repos: [{ alias: 'r', url: 'http://127.0.0.1:1/', key: 'k.asc', keyData: '-----BEGIN PGP PUBLIC KEY BLOCK-----' }], tools: ['tl-hello'] };

describe('upgrade', () => {
  it('builds the new container aside, proves it, then swaps names and removes the old one', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    const result = await upgradeBox(deps, settings, { force: false, recommends: false });
    expect(engine.log).toEqual(['pull registry.example/tb:latest', 'create tb.upgrade-new', 'rename tb tb.upgrade-old', 'rename tb.upgrade-new tb', 'rm tb.upgrade-old']);
    expect(engine.boxes.map((b) => [b.id, b.name])).toEqual([['id1', 'tb']]);
    expect([...engine.boxes[0]!.packages]).toEqual(['tl-hello']);
    expect(result).toEqual({ name: 'tb', image: 'registry.example/tb:latest', oldId: 'old', newId: 'id1', repos: ['r'], tools: ['tl-hello'] });
    // the new container records the toolbox's own name, not the temporary one
    expect(specFrom(engine.boxes[0]!.labels)?.name).toBe('tb');
  });

  it('keeps the old toolbox untouched when a tool cannot be reinstalled', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    engine.zypper = (args) => (args[0] === 'install' ? { exitCode: 104, stdout: '', stderr: "No provider of 'tl-hello' found.\n" } : { exitCode: 0, stdout: '', stderr: '' });
    await expect(upgradeBox(deps, settings, { force: false, recommends: false })).rejects.toThrow(
      'upgrade of toolbox tb failed, the toolbox is unchanged: no package named tl-hello in the repositories of toolbox tb',
    );
    expect(engine.log).toEqual(['pull registry.example/tb:latest', 'create tb.upgrade-new', 'rm tb.upgrade-new']);
    expect(engine.boxes.map((b) => [b.id, b.name, b.status])).toEqual([['old', 'tb', 'running']]);
  });

  it('keeps the old toolbox when a repository no longer passes its signature check', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    engine.zypper = (args) =>
      args[0] === 'refresh' ? { exitCode: 4, stdout: '', stderr: "Signature verification failed for file 'repomd.xml' from repository 'r'.\n" } : { exitCode: 0, stdout: '', stderr: '' };
    await expect(upgradeBox(deps, settings, { force: false, recommends: false })).rejects.toThrow(/^upgrade of toolbox tb failed, the toolbox is unchanged: repository 'r' failed its signature check/);
    expect(engine.boxes.map((b) => b.id)).toEqual(['old']);
  });

  it('gives the name back to the old toolbox when the new one cannot take it', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    const rename = engine.renameBox.bind(engine);
    engine.renameBox = async (id, name) => {
      if (id === 'id1') throw new Error('rename refused');
      return rename(id, name);
    };
    await expect(upgradeBox(deps, settings, { force: false, recommends: false })).rejects.toThrow('rename refused');
    expect(engine.boxes.map((b) => [b.id, b.name])).toEqual([['old', 'tb']]);
  });

  it('refuses while sessions are active, unless forced', async () => {
    const { engine, deps, settings } = setup(DECLARED);
    deps.sessions = { ...sessions, liveSessions: () => 2 };
    await expect(upgradeBox(deps, settings, { force: false, recommends: false })).rejects.toThrow('toolbox tb has 2 active sessions; not upgrading it');
    expect(engine.log).toEqual([]);
  });
});
