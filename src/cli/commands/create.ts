// `toolbox create [NAME]`: make the toolbox (pulling its image) and leave it running.
import { ensureRunning, recordOf } from '../../core/ensure-running.js';
import type { GlobalFlags } from '../../core/settings.js';
import { buildContext } from '../context.js';

export async function createCommand(flags: GlobalFlags, name: string | undefined): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  await deps.sessions.withLock(settings.name, async () => {
    const existed = await deps.engine.inspectBox(settings.name);
    const info = await ensureRunning(deps, settings, { create: true });
    const record = recordOf(deps, info);
    if (record) deps.sessions.writeRecord(settings.name, record);
    if (existed) reporter.status(`toolbox ${settings.name} already exists (to start afresh: toolbox rm --force ${settings.name})`);
    else reporter.status(`created toolbox ${settings.name}`);
  });
  process.stdout.write(`${settings.name}\n`);
  return 0;
}
