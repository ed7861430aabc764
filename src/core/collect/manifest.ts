// What manifest.json says about a bundle. Its shape is a contract with support staff and their
// scripts: "format" changes when a field changes meaning (fields may be added without it).
import type { HostIdentity } from './identity.js';
import type { ProfileName } from './profile-names.js';
import type { RedactionRule } from './redact.js';

export const MANIFEST_FORMAT = 'toolbox-collect/1';

export interface FileRecord {
  /** path inside the bundle, below its top directory */
  path: string;
  /** size in the bundle: after redaction and the cap */
  bytes: number;
  sha256: string;
  /** the command wrote more than the cap; the rest was read and dropped */
  truncated: boolean;
  /** what the command wrote on this stream, before redaction and the cap */
  producedBytes: number;
  /** redactions made in this file past the first MAX_LISTED_REDACTIONS, which alone are listed */
  unlistedRedactions?: number;
}

/** what was taken out, where: never the secret itself */
export interface RedactionRecord {
  file: string;
  rule: RedactionRule;
  /** 1-based line in that file */
  line: number;
}

export type CommandStatus = 'ok' | 'failed' | 'timeout';

export interface CommandRecord {
  /** PROFILE/NAME */
  id: string;
  profile: ProfileName;
  name: string;
  /** the argv as run inside the toolbox, redacted */
  command: string[];
  /** the command's own result: a cut output does not change it */
  status: CommandStatus;
  /** null when a deadline killed it, or it could not be started */
  exitCode: number | null;
  timedOut: boolean;
  timeoutSeconds: number;
  durationMs: number;
  /** stdout, after redaction */
  output: FileRecord;
  /** stderr after redaction, when there was any (or a note of ours) */
  stderr: FileRecord | null;
  /** output or stderr was cut at maxOutputBytes */
  truncated: boolean;
  redactions: RedactionRecord[];
}

export interface Manifest {
  format: typeof MANIFEST_FORMAT;
  createdAt: string;
  finishedAt: string;
  /** generation: which of the toolbox's generations ran the collectors (toolbox upgrade/rollback) */
  toolbox: { name: string; id: string; image: string; version: string; generation: number };
  host: HostIdentity & { root: string; pid: number };
  profiles: ProfileName[];
  /** the cap on each output file (--max-output) */
  maxOutputBytes: number;
  commands: CommandRecord[];
  /** every redaction, for a reader who wants the list without walking the commands */
  redacted: RedactionRecord[];
  /** ids of the commands that did not succeed */
  failed: string[];
  /** ids of the commands whose output was cut */
  truncated: string[];
}
