// `toolbox create [NAME]`: make the toolbox (pulling its image) and leave it running.
import { refuseConflict } from '../../core/box/box-conflict.js';
import { claimFor } from '../../core/box/claim-box.js';
import { ensureRunning } from '../../core/box/ensure-running.js';
import { interruptedOf, settleInterrupted } from '../../core/generations/generation-moves.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { buildContext } from '../context.js';
import { print } from '../../ui/print.js';

export async function createCommand(flags: GlobalFlags, name: string | undefined): Promise<number> {
  const { deps, settings, reporter } = buildContext(flags, name);
  const { sessions } = deps;
  // Never a new toolbox under a name that an interrupted upgrade or rollback is between generations of.
  const settle = () => settleInterrupted(deps, settings.name, { containers: true });
  const busy = () => interruptedOf(deps, settings.name);
  const target = await claimFor(deps, settings, true, { createFirst: true, settle, busy });
  await sessions.withLock(
    target.id,
    async () => {
      if (!target.created) refuseConflict(settings, target.info?.spec);
      const known = sessions.readRecord(target.id);
      const record = known && sessions.isLive(known) ? known : await ensureRunning(deps, settings, target, known);
      if (record.pid) sessions.writeRecord(record);
      reporter.status(`toolbox ${settings.name} is ready`);
    },
    `toolbox ${settings.name}`,
  );
  print(`${settings.name}\n`);
  return 0;
}
