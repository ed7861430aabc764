// What every use case receives: the ports, wired by the CLI layer.
import type { ContainerEngine, DirectEntry, HostUser, Reporter, SessionStore } from './ports.js';

export interface Deps {
  engine: ContainerEngine;
  sessions: SessionStore;
  /** present when this process may enter toolboxes directly (root, rootful engine) */
  direct?: DirectEntry | undefined;
  reporter: Reporter;
  version: string;
  hostUser(): HostUser;
  env: NodeJS.ProcessEnv;
  cwd: string;
}
