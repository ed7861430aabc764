// `toolbox rollback [NAME] [--to GEN]`: a kept generation becomes the toolbox again, and the
// current one is kept in its place, so a rollback can itself be rolled back. The declared tools
// and repositories follow the generation that comes back. Only containers carrying the
// toolbox's identity label are ever considered.
import { ToolboxError } from '../errors.js';
import { announce, finishRollback, refuseKeptGeneration, storeOf, withToolboxLock } from './generation-moves.js';
import {
  comingBackNameFor,
  generationOf,
  identityOf,
  lineageOf,
  retiredGenerations,
  type Journal,
} from './generations.js';
import type { ToolsDeps } from '../tools/install-tools.js';
import type { BoxInfo } from '../ports.js';

export interface RollbackResult {
  name: string;
  oldId: string;
  newId: string;
  oldGeneration: number;
  newGeneration: number;
  tools: string[];
}

export async function rollbackBox(
  deps: ToolsDeps,
  typed: string,
  options: { to?: number | undefined; force: boolean },
): Promise<RollbackResult> {
  const { sessions, engine, reporter } = deps;
  const store = storeOf(deps);
  return withToolboxLock(deps, typed, async (current) => {
    const name = current.name;
    announce(deps, 'rollback', 'check', name);
    await refuseKeptGeneration(deps, current);
    const kept = retiredGenerations(lineageOf(await engine.listBoxes(), current), current, store);
    const target = pickTarget(name, current, kept, options.to);
    const live = sessions.liveSessions(current.id);
    if (live > 0 && !options.force) {
      throw new ToolboxError(
        `toolbox ${name} has ${live} active session${live === 1 ? '' : 's'}; not rolling it back`,
        { hint: 'end them first, or use --force (they end)' },
      );
    }
    announce(deps, 'rollback', 'journal', name);
    const journal: Journal = {
      op: 'rollback',
      name,
      identity: identityOf(current),
      fromId: current.id,
      toId: target.id,
      step: 'retire',
    };
    store.setJournal(name, journal);
    // Coming back, for every caller to see: from this rename on, an interrupted rollback is finished.
    await engine.renameBox(target.id, comingBackNameFor(name, generationOf(target)));
    const { from, to } = await finishRollback(deps, journal);
    sessions.forget(current.id);
    const tools = deps.declared.get(name).tools;
    reporter.status(
      `rolled toolbox ${name} back to generation ${generationOf(to)}; ${from ? `generation ${generationOf(current)} kept (toolbox rollback ${name} returns to it)` : `generation ${generationOf(current)} was removed while the rollback ran, so it is not kept`}`,
    );
    return {
      name,
      oldId: current.id,
      newId: to.id,
      oldGeneration: generationOf(current),
      newGeneration: generationOf(to),
      tools,
    };
  });
}

function pickTarget(name: string, current: BoxInfo, kept: BoxInfo[], to: number | undefined): BoxInfo {
  if (to === undefined) {
    const previous = kept[0];
    if (!previous)
      throw new ToolboxError(`toolbox ${name} has no previous generation to roll back to`, {
        hint: `toolbox upgrade ${name} keeps one`,
      });
    return previous;
  }
  // A valid request that cannot be done: a failure (1), not a usage error (2).
  if (to === generationOf(current))
    throw new ToolboxError(`generation ${to} is already toolbox ${name}`, {
      hint: `see the generations with toolbox list --all`,
    });
  const target = kept.find((b) => generationOf(b) === to);
  if (!target) {
    const have = kept.map(generationOf).sort((a, b) => a - b);
    throw new ToolboxError(
      `toolbox ${name} has no generation ${to}${have.length ? ` (kept: ${have.join(', ')})` : ''}`,
      { hint: `see the generations with toolbox list --all` },
    );
  }
  return target;
}
