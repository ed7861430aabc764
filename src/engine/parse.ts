// Parses engine JSON (podman and docker differ) into BoxInfo.
import { EngineError } from '../core/errors.js';
import type { BoxInfo, BoxStatus } from '../core/ports.js';
import { LABEL_MANAGED, LABEL_VERSION, modeFrom, specFrom } from '../core/box/labels.js';
import { indexFromStaticDir } from '../state/name-index.js';

type Json = Record<string, unknown>;

/**
 * A broken or impostor engine can print anything; that is the engine failing, not a bug in
 * toolbox, so it becomes one line with exit 125 instead of an internal error with a trace.
 */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    const shown = JSON.stringify(text.trim().slice(0, 60));
    throw new EngineError(
      `the container engine printed something that is not JSON: ${shown}`,
      'check that podman works: podman info',
    );
  }
}

/** A JSON scalar as text; anything else (absent, null, an object) as ''. */
function text(raw: unknown): string {
  if (typeof raw === 'string') return raw;
  return typeof raw === 'number' || typeof raw === 'boolean' ? String(raw) : '';
}

const statuses: readonly BoxStatus[] = ['running', 'created', 'exited', 'paused', 'stopping', 'removing', 'configured'];

function toStatus(raw: unknown): BoxStatus {
  const s = text(raw).toLowerCase();
  if (s === 'stopped' || s === 'dead') return 'exited';
  if (s === 'initialized') return 'created';
  return (statuses as readonly string[]).includes(s) ? (s as BoxStatus) : 'unknown';
}

function labelsOf(raw: unknown): Record<string, string> {
  if (raw && typeof raw === 'object') return raw as Record<string, string>;
  if (typeof raw === 'string' && raw) {
    // docker ps prints labels as "k=v,k=v"; our spec label holds JSON with commas, so only
    // the simple labels are trusted from this form.
    const out: Record<string, string> = {};
    for (const part of raw.split(',')) {
      const i = part.indexOf('=');
      if (i > 0) out[part.slice(0, i)] = part.slice(i + 1);
    }
    return out;
  }
  return {};
}

function box(
  name: string,
  id: string,
  image: string,
  status: BoxStatus,
  created: string,
  labels: Record<string, string>,
  pid: number,
  startedAt: string,
  imageId: unknown,
): BoxInfo {
  return {
    name,
    id,
    image,
    status,
    created,
    isToolbox: labels[LABEL_MANAGED] === 'true',
    mode: modeFrom(labels),
    version: labels[LABEL_VERSION],
    spec: specFrom(labels),
    pid,
    startedAt,
    imageId: text(imageId).replace(/^sha256:/, ''),
    labels,
  };
}

/** `podman|docker container inspect` output (a JSON array): its first container */
export function parseInspect(stdout: string): BoxInfo | undefined {
  return parseInspectAll(stdout)[0];
}

/** `podman|docker inspect` of several containers (a JSON array): one BoxInfo each */
export function parseInspectAll(stdout: string): BoxInfo[] {
  const list = parseJson(stdout);
  if (!Array.isArray(list)) return [];
  return (list as unknown[]).filter((c): c is Json => c !== null && typeof c === 'object').map(fromInspect);
}

function fromInspect(c: Json): BoxInfo {
  const state = (c.State ?? {}) as Json;
  const config = (c.Config ?? {}) as Json;
  const name = text(c.Name).replace(/^\//, '');
  const image = text(c.ImageName ?? config.Image ?? c.Image);
  const id = text(c.Id ?? c.ID);
  const info = box(
    name,
    id,
    image,
    toStatus(state.Status),
    isoDate(c.Created),
    labelsOf(config.Labels),
    Number(state.Pid ?? 0),
    text(state.StartedAt),
    c.Image,
  );
  // podman only: where containers/storage lists this container, to confirm its name later
  const storeIndex = typeof c.StaticDir === 'string' ? indexFromStaticDir(c.StaticDir, id) : undefined;
  return storeIndex ? { ...info, storeIndex } : info;
}

/** `podman ps --format json` (an array) or `docker ps --format '{{json .}}'` (one object a line) */
export function parsePs(stdout: string): BoxInfo[] {
  const printed = stdout.trim();
  if (!printed) return [];
  const parsed = printed.startsWith('[') ? parseJson(printed) : printed.split('\n').map((l) => parseJson(l));
  if (!Array.isArray(parsed))
    throw new EngineError(
      'the container engine printed a list that is not a JSON array',
      'check that podman works: podman info',
    );
  const items = (parsed as unknown[]).filter((c): c is Json => c !== null && typeof c === 'object');
  return items.map((c) => {
    const names = Array.isArray(c.Names) ? text(c.Names[0]) : text(c.Names);
    const created =
      typeof c.Created === 'number' ? new Date(c.Created * 1000).toISOString() : isoDate(c.CreatedAt ?? c.Created);
    return box(
      names,
      text(c.Id ?? c.ID),
      text(c.Image),
      toStatus(c.State),
      created,
      labelsOf(c.Labels),
      Number(c.Pid ?? 0),
      text(c.StartedAt),
      c.ImageID,
    );
  });
}

function isoDate(raw: unknown): string {
  if (typeof raw === 'number') return new Date(raw * 1000).toISOString();
  const shown = text(raw);
  // "2024-05-01 10:00:00 +0000 UTC" (docker) or RFC 3339 with nanoseconds (podman)
  const d = new Date(shown.replace(/ [A-Z]{3,4}$/, '').replace(/^(\S+) (\S+) /, '$1T$2'));
  return Number.isNaN(d.getTime()) ? shown : d.toISOString();
}
