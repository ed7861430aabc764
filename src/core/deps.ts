// What every use case receives: the ports, wired by the CLI layer.
import type { GenerationStore } from './generations/generations.js';
import type { ContainerEngine, DirectEntry, HostUser, Reporter, SessionStore } from './ports.js';

export interface Deps {
  engine: ContainerEngine;
  sessions: SessionStore;
  /** present when this process may enter toolboxes directly (root, rootful engine) */
  direct?: DirectEntry | undefined;
  reporter: Reporter;
  version: string;
  /**
   * The single executable that runs now (host-update is the same file), mounted into every
   * toolbox this process creates; undefined in the npm form, which has none; `{ untrusted }`
   * when someone other than root or the caller could change it (then it is never mounted).
   * Asked only when a container is made: its path is checked then, not on every call.
   */
  executable?: (() => string | { untrusted: string } | undefined) | undefined;
  hostUser(): HostUser;
  env: NodeJS.ProcessEnv;
  cwd: string;
  /** journals of upgrades/rollbacks in flight and the kept generations' declared state */
  generations?: GenerationStore | undefined;
  /** called as each step of upgrade or rollback begins (tests kill the process there) */
  onStep?: ((op: 'upgrade' | 'rollback', step: string) => void) | undefined;
}
