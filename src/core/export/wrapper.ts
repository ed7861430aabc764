// The wrapper `toolbox export` writes on the host for a tool in a toolbox: a small sh script that
// execs toolbox with the toolbox's identity and the tool's path inside, passing every argument
// exactly ("$@"). The file describes itself in one comment line (JSON), and is ours only when it
// is byte for byte what render() makes of that description: a file anyone edited, or wrote in a
// look-alike shape, is never overwritten or removed by toolbox. It is read, never run.
import type { Mode } from '../ports.js';

export const WRAPPER_VERSION = 1;
const MARKER = '# toolbox-export: ';
/** A wrapper is a few hundred bytes; anything bigger is not one of ours. */
export const WRAPPER_MAX_BYTES = 8192;

export interface ExportRecord {
  /** the command's name on the host (the wrapper's file name) */
  name: string;
  /** the toolbox's name when it was exported (messages; the identity decides) */
  box: string;
  /** the toolbox's identity (its lineage: stable across rename, upgrade and rollback) */
  identity: string;
  mode: Mode;
  /** the tool's absolute path inside the toolbox */
  path: string;
  /** how the wrapper starts toolbox: the executable, or node and the npm form's script */
  toolbox: string[];
}

/** A word as sh reads it literally: single quotes, a quote inside as '\''. */
export function shQuote(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

export function renderWrapper(r: ExportRecord): string {
  const meta = JSON.stringify({
    v: WRAPPER_VERSION,
    name: r.name,
    box: r.box,
    identity: r.identity,
    mode: r.mode,
    path: r.path,
    toolbox: r.toolbox,
  });
  const argv = [...r.toolbox, '__exported', r.identity, r.box, r.mode, r.path].map(shQuote).join(' ');
  return [
    '#!/bin/sh',
    `# Written by toolbox: runs ${oneLine(r.path)} in the toolbox ${oneLine(r.box)}. Do not edit;`,
    `# remove it with: toolbox unexport${r.mode === 'user' ? ' -u' : ''} ${oneLine(r.name)}`,
    `${MARKER}${meta}`,
    `exec ${argv} "$@"`,
    '',
  ].join('\n');
}

/** What a wrapper says of itself, when the text is exactly a wrapper of ours; else undefined. */
export function parseWrapper(text: string): ExportRecord | undefined {
  if (text.length > WRAPPER_MAX_BYTES || !text.startsWith('#!/bin/sh\n')) return undefined;
  const line = text.split('\n').find((l) => l.startsWith(MARKER));
  if (line === undefined) return undefined;
  let meta: unknown;
  try {
    meta = JSON.parse(line.slice(MARKER.length));
  } catch {
    return undefined;
  }
  const record = recordFrom(meta);
  return record && renderWrapper(record) === text ? record : undefined;
}

function recordFrom(meta: unknown): ExportRecord | undefined {
  if (typeof meta !== 'object' || meta === null) return undefined;
  const m = meta as Record<string, unknown>;
  const strings = [m.name, m.box, m.identity, m.path].every((v) => typeof v === 'string' && v !== '');
  const toolbox = Array.isArray(m.toolbox) && m.toolbox.length > 0 && m.toolbox.every((v) => typeof v === 'string');
  if (m.v !== WRAPPER_VERSION || !strings || !toolbox || (m.mode !== 'system' && m.mode !== 'user')) return undefined;
  return {
    name: m.name as string,
    box: m.box as string,
    identity: m.identity as string,
    mode: m.mode,
    path: m.path as string,
    toolbox: m.toolbox as string[],
  };
}

/** A comment line must stay one line whatever a name holds: control characters as JSON escapes. */
const oneLine = (text: string) => JSON.stringify(text).slice(1, -1);
