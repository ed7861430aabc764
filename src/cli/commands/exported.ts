// The wrappers' own entry, `toolbox __exported IDENTITY BOX MODE PATH [ARG...]`, exactly as
// src/core/export/wrapper.ts writes it. Kept apart from export.ts: it is a hot path, as `run` is.
import { UsageError } from '../../core/errors.js';
import { runExported } from '../../core/export/run-exported.js';
import { allStreamsAreTerminals } from '../../ui/terminal.js';
import { buildContext } from '../context.js';

export async function exportedCommand(argv: readonly string[]): Promise<number> {
  const [identity, box, mode, path, ...args] = argv;
  if (!identity || !box || (mode !== 'system' && mode !== 'user') || !path?.startsWith('/'))
    throw new UsageError('toolbox __exported is for the wrappers that toolbox export writes');
  const { deps, settings } = buildContext({ container: box, user: mode === 'user' ? true : undefined });
  return runExported(deps, settings, { identity, box, path, args, tty: allStreamsAreTerminals() });
}
