// Generations' state in config.json: "journal": {NAME: Journal} for an upgrade or rollback in
// flight, and "retired": {CONTAINER_ID: {declared, retiredAt}} for the generations kept aside.
// Retired generations are keyed by their full container id, never by a name.
import { parseDeclared } from '../core/tools/declared-state.js';
import type { GenerationStore, Journal, RetiredRecord } from '../core/generations/generations.js';
import { BOXES_KEY } from './declared-store.js';
import { objectAt, omit, withSection } from './json-object.js';
import { ConfigStore, loadConfWriter } from './store.js';

const JOURNAL_KEY = 'journal';
const RETIRED_KEY = 'retired';

function parseJournal(raw: unknown): Journal | undefined {
  if (!raw || typeof raw !== 'object') return undefined;
  const j = raw as Record<string, unknown>;
  const ok =
    (j.op === 'upgrade' || j.op === 'rollback') &&
    typeof j.name === 'string' &&
    typeof j.identity === 'string' &&
    typeof j.fromId === 'string' &&
    typeof j.step === 'string';
  if (!ok) return undefined;
  return {
    op: j.op as Journal['op'],
    name: j.name as string,
    identity: j.identity as string,
    fromId: j.fromId as string,
    step: j.step as string,
    ...(typeof j.toId === 'string' ? { toId: j.toId } : {}),
    ...(typeof j.operation === 'string' ? { operation: j.operation } : {}),
  };
}

export class ConfigGenerationStore implements GenerationStore {
  private readonly store: ConfigStore;

  constructor(file: string) {
    this.store = new ConfigStore(file);
  }

  prepareWrites(): Promise<void> {
    return loadConfWriter();
  }

  journal(name: string): Journal | undefined {
    return parseJournal(objectAt(this.store.read(), JOURNAL_KEY)[name]);
  }

  setJournal(name: string, journal: Journal | undefined): void {
    this.store.update((data) => {
      const journals = objectAt(data, JOURNAL_KEY);
      return withSection(data, JOURNAL_KEY, journal ? { ...journals, [name]: journal } : omit(journals, name));
    });
  }

  retired(id: string): RetiredRecord | undefined {
    const raw = objectAt(this.store.read(), RETIRED_KEY)[id];
    if (!raw || typeof raw !== 'object') return undefined;
    const r = raw as Record<string, unknown>;
    return { declared: parseDeclared(r.declared), retiredAt: typeof r.retiredAt === 'string' ? r.retiredAt : '' };
  }

  commit(name: string, change: { retire?: string; restore?: string; forget?: string[] }): void {
    this.store.update((data) => {
      let retired = objectAt(data, RETIRED_KEY);
      let boxes = objectAt(data, BOXES_KEY);
      // What NAME declares now goes with the generation that leaves, read inside the same write.
      if (change.retire)
        retired[change.retire] = { declared: parseDeclared(boxes[name]), retiredAt: new Date().toISOString() };
      if (change.restore !== undefined) {
        const back = retired[change.restore] as { declared?: unknown } | undefined;
        // A generation kept before its declared state was recorded keeps NAME's as it is.
        if (back) {
          const declared = parseDeclared(back.declared);
          if (declared.repos.length || declared.tools.length) boxes[name] = declared;
          else boxes = omit(boxes, name);
        }
        retired = omit(retired, change.restore);
      }
      retired = omit(retired, ...(change.forget ?? []));
      const journals = omit(objectAt(data, JOURNAL_KEY), name);
      return withSection(withSection(withSection(data, JOURNAL_KEY, journals), RETIRED_KEY, retired), BOXES_KEY, boxes);
    });
  }
}
