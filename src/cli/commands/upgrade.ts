// `toolbox upgrade [NAME] [--check] [--keep N]` and `toolbox rollback [NAME] [--to GEN]`.
import { configFile } from '../../config/paths.js';
import { storedSetting } from '../../core/settings/setting-rules.js';
import { readConfigFile } from '../../config/read-config.js';
import { checkUpgrade } from '../../core/generations/check-upgrade.js';
import { UsageError } from '../../core/errors.js';
import { rollbackBox } from '../../core/generations/rollback-box.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { upgradeBox } from '../../core/generations/upgrade-box.js';
import { buildToolsContext } from '../tools-context.js';
import { existing } from './manage.js';
import { print, printJson } from '../../ui/print.js';

/** zypper's convention for "updates are available" (zypper patch-check exits 100). */
export const UPGRADE_AVAILABLE = 100;

export function parseGeneration(raw: string, what: string): number {
  if (!/^[1-9][0-9]{0,8}$/.test(raw))
    throw new UsageError(`invalid ${what} ${JSON.stringify(raw)}: expected a whole number from 1`);
  return Number(raw);
}

export async function upgradeCommand(
  flags: GlobalFlags,
  name: string | undefined,
  o: { force: boolean; json: boolean; recommends: boolean | undefined; check: boolean; keep: string | undefined },
): Promise<number> {
  const ctx = buildToolsContext(flags, name);
  if (o.check) {
    const result = await existing(ctx.settings.name, checkUpgrade(ctx.deps, ctx.settings.name));
    if (o.json) printJson(result);
    else if (result.upToDate) print(`toolbox ${result.name} is up to date with ${result.image}\n`);
    else
      print(
        `an upgrade is available for toolbox ${result.name}: ${result.image} is ${short(result.available)}, the toolbox has ${short(result.current)}\n`,
      );
    return result.upToDate ? 0 : UPGRADE_AVAILABLE;
  }
  const keep = o.keep !== undefined ? parseGeneration(o.keep, '--keep') : keepFromConfig();
  const result = await existing(
    ctx.settings.name,
    upgradeBox(ctx.deps, ctx.settings, { force: o.force, recommends: ctx.recommends(o.recommends), keep }),
  );
  if (o.json) printJson(result);
  return 0;
}

export async function rollbackCommand(
  flags: GlobalFlags,
  name: string | undefined,
  o: { force: boolean; json: boolean; to: string | undefined },
): Promise<number> {
  const ctx = buildToolsContext(flags, name);
  const to = o.to !== undefined ? parseGeneration(o.to, '--to') : undefined;
  const result = await existing(ctx.settings.name, rollbackBox(ctx.deps, ctx.settings.name, { to, force: o.force }));
  if (o.json) printJson(result);
  return 0;
}

const short = (id: string) => id.replace(/^sha256:/, '').slice(0, 12);

/** The `keep` config key, checked by its one rule: a hand-edited bad value is named, not ignored. */
function keepFromConfig(): number {
  const file = configFile();
  return (storedSetting(readConfigFile(file), 'keep', file) as number | undefined) ?? 1;
}
