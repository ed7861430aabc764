// `toolbox repo add|list|remove`.
import { addRepo, listRepos, removeRepo } from '../../core/tools/manage-repos.js';
import type { GlobalFlags } from '../../core/settings/settings.js';
import { renderTable } from '../../ui/table.js';
import { readKey } from '../read-key.js';
import { buildToolsContext } from '../tools-context.js';
import { note, print, printJson } from '../../ui/print.js';

export async function repoAddCommand(
  flags: GlobalFlags,
  alias: string,
  url: string,
  o: { key: string | undefined },
): Promise<number> {
  const ctx = buildToolsContext(flags);
  const key = o.key !== undefined ? await readKey(o.key) : undefined;
  await addRepo(ctx.deps, ctx.settings, alias, url, key);
  return 0;
}

export function repoListCommand(flags: GlobalFlags, o: { json: boolean }): number {
  const ctx = buildToolsContext(flags);
  const repos = listRepos(ctx.deps, ctx.settings);
  if (o.json) {
    printJson(repos.map((r) => ({ alias: r.alias, url: r.url, key: r.key ?? null })));
  } else if (repos.length) {
    print(
      renderTable(
        ['ALIAS', 'URL', 'KEY'],
        repos.map((r) => [r.alias, r.url, r.key ?? '-']),
      ),
    );
  } else {
    note(
      `toolbox ${ctx.settings.name} has no added repositories; add one with: toolbox repo add ALIAS URL --key KEY\n`,
    );
  }
  return 0;
}

export async function repoRemoveCommand(flags: GlobalFlags, alias: string): Promise<number> {
  const ctx = buildToolsContext(flags);
  await removeRepo(ctx.deps, ctx.settings, alias);
  return 0;
}
