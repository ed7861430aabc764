// What manifest.json says about a bundle. Its shape is a contract with support staff and their
// scripts: "format" changes when a field changes meaning.
import type { HostIdentity } from './identity.js';
import type { ProfileName } from './profiles.js';
import type { RedactionRule } from './redact.js';

export const MANIFEST_FORMAT = 'toolbox-collect/1';

export interface FileRecord {
  /** path inside the bundle, below its top directory */
  path: string;
  bytes: number;
  sha256: string;
}

export type CommandStatus = 'ok' | 'failed' | 'timeout';

export interface CommandRecord {
  /** PROFILE/NAME */
  id: string;
  profile: ProfileName;
  name: string;
  /** the argv as run inside the toolbox */
  command: string[];
  status: CommandStatus;
  /** null when a deadline killed it, or it could not be started */
  exitCode: number | null;
  timedOut: boolean;
  timeoutSeconds: number;
  durationMs: number;
  /** stdout, after redaction */
  output: FileRecord;
  /** stderr after redaction, when there was any */
  stderr: FileRecord | null;
  redactions: { file: string; rule: RedactionRule; line: number }[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  finishedAt: string;
  /** generation: which of the toolbox's generations ran the collectors (toolbox upgrade/rollback) */
  toolbox: { name: string; id: string; image: string; version: string; generation: number };
  host: HostIdentity & { root: string; pid: number };
  profiles: ProfileName[];
  commands: CommandRecord[];
  /** every redaction, for a reader who wants the list without walking the commands */
  redacted: { file: string; rule: RedactionRule; line: number }[];
  /** ids of the commands that did not succeed */
  failed: string[];
}
