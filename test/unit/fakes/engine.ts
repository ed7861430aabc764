// An in-memory ContainerEngine that records every call, for unit tests of the core. It is the
// only fake engine: it implements the port, so a changed port fails to compile here first.
import { specFrom } from '../../../src/core/box/labels.js';
import type {
  BoxInfo,
  BoxSpec,
  BoxStatus,
  CaptureResult,
  ContainerEngine,
  ExecRequest,
  ImageFacts,
} from '../../../src/core/ports.js';

/** A complete BoxInfo from the fields a test cares about; the rest as a fresh container has them. */
export function box(fields: Partial<BoxInfo> & Pick<BoxInfo, 'id' | 'name'>): BoxInfo {
  const labels = fields.labels ?? {};
  const spec = fields.spec ?? specFrom(labels);
  return {
    image: spec?.image ?? 'localhost/img:1',
    status: 'created',
    created: '',
    isToolbox: labels['io.toolbox.managed'] === 'true',
    mode: spec?.mode,
    version: labels['io.toolbox.version'],
    spec,
    pid: 0,
    startedAt: '',
    imageId: '',
    labels,
    ...fields,
  };
}

/**
 * The port's methods are async: a fake that fails must reject, as the engine does, never throw
 * where it is called.
 */
export function settle<T>(fn: () => T): Promise<T> {
  try {
    return Promise.resolve(fn());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}

export class FakeEngine implements ContainerEngine {
  readonly name = 'podman' as const;
  readonly command = ['podman'] as const;
  readonly rootful = true;
  /** every call, in order, with the name or id it was given */
  calls: string[] = [];
  /** containers by full id, in creation order */
  boxes = new Map<string, BoxInfo>();
  /** local images by name; an image's id is `id-of-NAME` */
  images = new Set<string>(['localhost/img:1']);
  execCode = 0;
  /** the exit code of every execCapture */
  captureCode = 0;
  /** true: the pull fails as an unreachable registry would; an Error: with that error */
  pullFails: boolean | Error = false;

  /** The id a new container gets (tests that create several of one name count instead). */
  nextId(_spec: BoxSpec, name: string): string {
    return `id-${name}`;
  }

  /** The container named or with the id `nameOrId`, as stored (tests may change it in place). */
  find(nameOrId: string): BoxInfo | undefined {
    return this.boxes.get(nameOrId) ?? [...this.boxes.values()].find((b) => b.name === nameOrId);
  }

  private existing(nameOrId: string): BoxInfo {
    const b = this.find(nameOrId);
    if (!b) throw new Error(`no such container ${nameOrId}`);
    return b;
  }

  private imageNamed(nameOrId: string): string | undefined {
    return [...this.images].find((i) => i === nameOrId || `id-of-${i}` === nameOrId);
  }

  inspectBox(nameOrId: string): Promise<BoxInfo | undefined> {
    this.calls.push(`inspect ${nameOrId}`);
    return Promise.resolve(this.find(nameOrId));
  }
  listBoxes(): Promise<BoxInfo[]> {
    this.calls.push('ps');
    return Promise.resolve([...this.boxes.values()].filter((b) => b.isToolbox));
  }
  imageExists(image: string): Promise<boolean> {
    this.calls.push(`image-exists ${image}`);
    return Promise.resolve(this.imageNamed(image) !== undefined);
  }
  imageFacts(image: string): Promise<ImageFacts | undefined> {
    this.calls.push(`image-inspect ${image}`);
    const name = this.imageNamed(image);
    return Promise.resolve(name === undefined ? undefined : { id: `id-of-${name}`, tags: [name], digests: [] });
  }
  removeImage(id: string): Promise<boolean> {
    this.calls.push(`rmi ${id}`);
    const name = this.imageNamed(id);
    if (name === undefined || [...this.boxes.values()].some((b) => b.imageId === `id-of-${name}`))
      return Promise.resolve(false);
    return Promise.resolve(this.images.delete(name));
  }
  remoteDigest(image: string): Promise<string> {
    this.calls.push(`remote-digest ${image}`);
    return Promise.resolve(`sha256:${image}`);
  }
  pullImage(image: string): Promise<void> {
    this.calls.push(`pull ${image}`);
    return settle(() => {
      if (this.pullFails) throw this.pullFails instanceof Error ? this.pullFails : new Error('registry unreachable');
      this.images.add(image);
    });
  }
  createBox(spec: BoxSpec, labels: Record<string, string>, containerName?: string): Promise<string> {
    const name = containerName ?? spec.name;
    this.calls.push(`create ${name}`);
    return settle(() => {
      if (this.find(name)) throw new Error(`the container name "${name}" is already in use`);
      const id = this.nextId(spec, name);
      const image = this.imageNamed(spec.image);
      this.boxes.set(
        id,
        box({
          id,
          name,
          image: spec.image,
          spec,
          mode: spec.mode,
          version: '1',
          labels,
          imageId: image === undefined ? '' : `id-of-${image}`,
        }),
      );
      return id;
    });
  }
  renameBox(nameOrId: string, newName: string): Promise<void> {
    this.calls.push(`rename ${nameOrId} ${newName}`);
    return settle(() => {
      this.existing(nameOrId).name = newName;
    });
  }
  private set(nameOrId: string, status: BoxStatus, pid: number): Promise<void> {
    return settle(() => {
      Object.assign(this.existing(nameOrId), { status, pid });
    });
  }
  startBox(nameOrId: string): Promise<void> {
    this.calls.push(`start ${nameOrId}`);
    return this.set(nameOrId, 'running', process.pid);
  }
  unpauseBox(nameOrId: string): Promise<void> {
    this.calls.push(`unpause ${nameOrId}`);
    return this.set(nameOrId, 'running', process.pid);
  }
  stopBox(nameOrId: string): Promise<void> {
    this.calls.push(`stop ${nameOrId}`);
    return this.set(nameOrId, 'exited', 0);
  }
  removeBox(nameOrId: string): Promise<void> {
    this.calls.push(`rm ${nameOrId}`);
    return settle(() => {
      this.boxes.delete(this.existing(nameOrId).id);
    });
  }
  runningPid(id: string): number | undefined {
    const b = this.boxes.get(id);
    return b?.status === 'running' ? b.pid : undefined;
  }
  execInteractive(request: ExecRequest): Promise<number> {
    this.calls.push(`exec ${request.target} ${request.command.join(' ')}`);
    return Promise.resolve(this.execCode);
  }
  execCapture(request: ExecRequest): Promise<CaptureResult> {
    this.calls.push(`exec-capture ${request.target}`);
    return Promise.resolve({ exitCode: this.captureCode, stdout: '', stderr: '' });
  }
}
