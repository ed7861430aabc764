// config.json's declared state and generation state, in memory, with the same commit semantics
// (src/config/generation-store.ts): one commit clears the journal and moves declared state.
import type { DeclaredBox, DeclaredStore } from '../../../src/core/tools/declared-state.js';
import type { GenerationStore, Journal, RetiredRecord } from '../../../src/core/generations/generations.js';

/** One toolbox's declared state; `current` is what config.json would hold. */
export class MemoryDeclared implements DeclaredStore {
  constructor(public current: DeclaredBox) {}
  get(): DeclaredBox {
    return this.current;
  }
  update(_box: string, change: (current: DeclaredBox) => DeclaredBox): DeclaredBox {
    return (this.current = change(this.current));
  }
}

export class MemoryGenerations implements GenerationStore {
  prepared = 0;
  prepareWrites(): Promise<void> {
    this.prepared++;
    return Promise.resolve();
  }
  journals = new Map<string, Journal>();
  kept = new Map<string, RetiredRecord>();
  private tick = 0;
  constructor(private readonly declared: MemoryDeclared) {}

  journal(name: string): Journal | undefined {
    return this.journals.get(name);
  }
  setJournal(name: string, journal: Journal | undefined): void {
    if (journal) this.journals.set(name, journal);
    else this.journals.delete(name);
  }
  retired(id: string): RetiredRecord | undefined {
    return this.kept.get(id);
  }
  commit(name: string, change: { retire?: string; restore?: string; forget?: string[] }): void {
    if (change.retire)
      this.kept.set(change.retire, {
        declared: this.declared.current,
        retiredAt: `t${String(++this.tick).padStart(4, '0')}`,
      });
    if (change.restore) {
      const back = this.kept.get(change.restore);
      if (back) this.declared.current = back.declared;
      this.kept.delete(change.restore);
    }
    for (const id of change.forget ?? []) this.kept.delete(id);
    this.journals.delete(name);
  }
}
