// `toolbox create [NAME]`: make the toolbox (pulling its image) and leave it running.
import { ensureRunning } from '../../core/ensure-running.js';
import type { GlobalFlags } from '../../core/settings.js';
import { buildContext } from '../context.js';

export async function createCommand(flags: GlobalFlags, name: string | undefined): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  await deps.sessions.withLock(settings.name, async () => {
    const record = await ensureRunning(deps, settings, { create: true, createFirst: true });
    if (record.pid) deps.sessions.writeRecord(settings.name, record);
    reporter.status(`toolbox ${settings.name} is ready`);
  });
  process.stdout.write(`${settings.name}\n`);
  return 0;
}
