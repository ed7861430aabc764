// What every use case receives: the ports, wired by the CLI layer.
import type { ContainerEngine, HostUser, Reporter, SessionStore } from './ports.js';

export interface Deps {
  engine: ContainerEngine;
  sessions: SessionStore;
  reporter: Reporter;
  version: string;
  hostUser(): HostUser;
  env: NodeJS.ProcessEnv;
  cwd: string;
}
