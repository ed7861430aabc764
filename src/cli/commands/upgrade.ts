// `toolbox upgrade [NAME]`.
import type { GlobalFlags } from '../../core/settings.js';
import { upgradeBox } from '../../core/upgrade-box.js';
import { buildToolsContext } from '../tools-context.js';

export async function upgradeCommand(flags: GlobalFlags, name: string | undefined, o: { force: boolean; json: boolean; recommends: boolean | undefined }): Promise<number> {
  const ctx = buildToolsContext(flags, name);
  const result = await upgradeBox(ctx.deps, ctx.settings, { force: o.force, recommends: ctx.recommends(o.recommends) });
  if (o.json) process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return 0;
}
