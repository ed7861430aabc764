// An in-memory engine that records every call, for unit tests of the core.
import type { BoxInfo, BoxSpec, CaptureResult, ContainerEngine, ExecRequest, Reporter, SessionStore, BoxRecord } from '../../../src/core/ports.js';
import type { Deps } from '../../../src/core/deps.js';

export class FakeEngine implements ContainerEngine {
  readonly name = 'podman' as const;
  readonly command = ['podman'];
  readonly rootful = true;
  calls: string[] = [];
  boxes = new Map<string, BoxInfo>();
  images = new Set<string>(['localhost/img:1']);
  execCode = 0;
  pullFails = false;

  async inspectBox(n: string) {
    this.calls.push(`inspect ${n}`);
    return [...this.boxes.values()].find((b) => b.name === n || b.id === n);
  }
  async listBoxes() {
    this.calls.push('ps');
    return [...this.boxes.values()].filter((b) => b.isToolbox);
  }
  async imageExists(i: string) {
    this.calls.push(`image-exists ${i}`);
    return this.images.has(i);
  }
  async imageFacts(i: string) {
    this.calls.push(`image-inspect ${i}`);
    return this.images.has(i) ? { id: `sha-${i}`, tags: [i], digests: [] } : undefined;
  }
  async removeImage(i: string) {
    this.calls.push(`rmi ${i}`);
    return false;
  }
  async remoteDigest(i: string) {
    this.calls.push(`remote-digest ${i}`);
    return `sha256:${i}`;
  }
  async pullImage(i: string) {
    this.calls.push(`pull ${i}`);
    if (this.pullFails) throw new Error('registry unreachable');
    this.images.add(i);
  }
  async createBox(spec: BoxSpec, labels: Record<string, string>) {
    this.calls.push(`create ${spec.name}`);
    const id = `id-${spec.name}`;
    this.boxes.set(id, { name: spec.name, id, image: spec.image, status: 'created', created: '', isToolbox: labels['io.toolbox.managed'] === 'true', mode: spec.mode, version: '1', spec, pid: 0, startedAt: '', imageId: '', labels, workdir: '/' });
    return id;
  }
  private set(id: string, status: BoxInfo['status'], pid: number) {
    const b = this.boxes.get(id);
    if (!b) throw new Error(`no such container ${id}`);
    this.boxes.set(id, { ...b, status, pid });
  }
  async startBox(id: string) {
    this.calls.push(`start ${id}`);
    this.set(id, 'running', process.pid);
  }
  runningPid(id: string) {
    const b = this.boxes.get(id);
    return b?.status === 'running' ? b.pid : undefined;
  }
  async unpauseBox(id: string) {
    this.calls.push(`unpause ${id}`);
    this.set(id, 'running', process.pid);
  }
  async stopBox(id: string) {
    this.calls.push(`stop ${id}`);
    this.set(id, 'exited', 0);
  }
  async removeBox(id: string) {
    this.calls.push(`rm ${id}`);
    this.boxes.delete(id);
  }
  async execInteractive(r: ExecRequest) {
    this.calls.push(`exec ${r.target} ${r.command.join(' ')}`);
    return this.execCode;
  }
  async execCapture(r: ExecRequest): Promise<CaptureResult> {
    this.calls.push(`exec-capture ${r.target}`);
    return { exitCode: 0, stdout: '', stderr: '' };
  }
}

export class MemorySessions implements SessionStore {
  constructor(private readonly engine?: FakeEngine) {}
  names = new Map<string, string>();
  records = new Map<string, BoxRecord>();
  sessions = new Map<string, number>();
  others = 0;
  /** like the engine's index: a cached name counts only while the engine still has id and name */
  resolve(n: string) {
    const id = this.names.get(n);
    return id !== undefined && this.engine?.boxes.get(id)?.name === n ? id : undefined;
  }
  remember(n: string, id: string) {
    this.names.set(n, id);
  }
  async withNameLock<T>(_n: string, fn: () => Promise<T>) {
    return fn();
  }
  async withLock<T>(_id: string, fn: () => Promise<T>) {
    return fn();
  }
  async withWorkLock<T>(_id: string, fn: () => Promise<T>) {
    return fn();
  }
  addSession(id: string) {
    this.sessions.set(id, (this.sessions.get(id) ?? 0) + 1);
  }
  removeSession(id: string) {
    this.sessions.set(id, (this.sessions.get(id) ?? 1) - 1);
  }
  liveSessions(id: string) {
    return (this.sessions.get(id) ?? 0) + this.others;
  }
  readRecord(id: string) {
    return this.records.get(id);
  }
  isLive(r: BoxRecord) {
    return this.engine?.boxes.get(r.id)?.status === 'running';
  }
  processStart() {
    return '123';
  }
  writeRecord(r: BoxRecord) {
    this.records.set(r.id, r);
  }
  forget(id: string) {
    this.records.delete(id);
  }
  removed(id: string) {
    this.records.delete(id);
  }
}

export class SilentReporter implements Reporter {
  lines: string[] = [];
  status(m: string) {
    this.lines.push(`status: ${m}`);
  }
  warn(m: string) {
    this.lines.push(`warn: ${m}`);
  }
  step(m: string) {
    this.lines.push(`step: ${m}`);
    return { done() {}, fail() {} };
  }
}

export function fakeDeps(engine = new FakeEngine(), sessions = new MemorySessions(engine), reporter = new SilentReporter()): Deps & { engine: FakeEngine; sessions: MemorySessions; reporter: SilentReporter } {
  return {
    engine,
    sessions,
    reporter,
    version: '9.9.9',
    hostUser: () => ({ uid: 1000, gid: 1000, name: 'alice', group: 'alice', home: '/home/alice' }),
    env: { LANG: 'C.UTF-8', SECRET: 'x' },
    cwd: '/work',
  };
}
