// `toolbox collect`: runs the diagnostics inside the toolbox (started, or created, as `run` would,
// and counted as a session so auto-stop still works) and packs a support bundle.
import { withSession } from '../box/box-session.js';
import { generationOf } from '../generations/generations.js';
import type { Deps } from '../deps.js';
import type { BoxRecord, OutputSinks } from '../ports.js';
import type { Settings } from '../settings/settings.js';
import { bundleName, type BundleSink } from './bundle.js';
import { identityCommand, parseIdentity } from './identity.js';
import { MANIFEST_FORMAT, type CommandRecord, type Manifest } from './manifest.js';
import type { ProfileName } from './profile-names.js';
import { builtinCollectors, type Collector, type HostTarget } from './profiles.js';
import { renderManifest } from './render-manifest.js';
import { runCollectors, type BoxExec } from './run-collectors.js';

export interface CollectRequest {
  profiles: ProfileName[];
  /** the custom collectors from config; they run when the "custom" profile is chosen */
  custom: Collector[];
  target: HostTarget;
  timeoutSeconds: number;
  /** the most kept of each output file, in bytes */
  maxOutputBytes: number;
  /** where the bundle's files go as they are collected */
  bundle: BundleSink;
  onStart?: (total: number) => void;
  onDone?: (done: number, total: number, record: CommandRecord) => void;
}

export interface Collected {
  /** the bundle's base name, also its top directory */
  name: string;
  manifest: Manifest;
  /** the packed bundle's size and checksum */
  bytes: number;
  sha256: string;
}

const PARALLEL = 4;
const IDENTITY_TIMEOUT_MS = 15_000;

export async function collect(
  deps: Deps,
  settings: Settings,
  request: CollectRequest,
  now: () => Date = () => new Date(),
): Promise<Collected> {
  // The shared opener: the session is counted under the container's id, like run's.
  return withSession(deps, settings, true, (record) => collectIn(deps, settings, record, request, now));
}

async function collectIn(
  deps: Deps,
  settings: Settings,
  record: BoxRecord,
  request: CollectRequest,
  now: () => Date,
): Promise<Collected> {
  const createdAt = now();
  let serial = 0;
  // Each command carries its own marker, by which a command killed at its deadline is found and
  // ended inside the toolbox together with its children.
  const run = (command: string[], timeoutMs: number, sinks?: OutputSinks) =>
    deps.engine.execCapture(
      {
        target: record.id,
        command,
        tty: false,
        env: { LC_ALL: 'C.UTF-8', TOOLBOX_SESSION: `${process.pid}-collect-${++serial}-${Date.now()}` },
      },
      undefined,
      { timeoutMs, ...(sinks ? { sinks } : {}) },
    );
  // Collectors stream their output (it may be of any size); the identity's few lines are captured.
  const exec: BoxExec = run;

  const identityRun = await run(identityCommand(request.target), IDENTITY_TIMEOUT_MS).catch(() => ({
    exitCode: -1,
    stdout: '',
    stderr: '',
  }));
  const host = parseIdentity(identityRun.stdout);
  const info = await deps.engine.inspectBox(record.id);

  const collectors = [
    ...builtinCollectors(request.profiles),
    ...(request.profiles.includes('custom') ? request.custom : []),
  ];
  request.onStart?.(collectors.length);
  const records = await runCollectors(exec, request.bundle, collectors, {
    target: request.target,
    timeoutSeconds: request.timeoutSeconds,
    maxOutputBytes: request.maxOutputBytes,
    parallel: PARALLEL,
    now: () => now().getTime(),
    ...(request.onDone ? { onDone: request.onDone } : {}),
  });

  const finishedAt = now();
  const draft: Manifest = {
    format: MANIFEST_FORMAT,
    createdAt: createdAt.toISOString(),
    finishedAt: finishedAt.toISOString(),
    toolbox: {
      name: settings.name,
      id: record.id,
      image: info?.image ?? settings.image,
      version: deps.version,
      generation: info ? generationOf(info) : 1,
    },
    host: { ...host, root: request.target.root, pid: request.target.pid },
    profiles: request.profiles,
    maxOutputBytes: request.maxOutputBytes,
    commands: records,
    redacted: records.flatMap((r) => r.redactions),
    failed: records.filter((r) => r.status !== 'ok').map((r) => r.id),
    truncated: records.filter((r) => r.truncated).map((r) => r.id),
  };
  const { manifest, text } = renderManifest(draft);
  const file = request.bundle.create('manifest.json');
  file.write(text);
  file.end();
  const name = bundleName(host.hostname, createdAt);
  const paths = ['manifest.json', ...records.flatMap((r) => [r.output.path, ...(r.stderr ? [r.stderr.path] : [])])];
  const packed = await request.bundle.pack(name, paths, Math.floor(finishedAt.getTime() / 1000));
  return { name, manifest, ...packed };
}
