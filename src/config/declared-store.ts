// The declared state of toolboxes in config.json, under "boxes": {NAME: {repos, tools}}.
// Written through ConfigStore.update, so each change is one atomic write.
import { parseDeclared, type DeclaredBox, type DeclaredStore } from '../core/declared-state.js';
import { ConfigStore } from './store.js';

export const BOXES_KEY = 'boxes';

export class ConfigDeclaredStore implements DeclaredStore {
  private readonly store: ConfigStore;

  constructor(file: string) {
    this.store = new ConfigStore(file);
  }

  get(box: string): DeclaredBox {
    return parseDeclared(boxesOf(this.store.read())[box]);
  }

  update(box: string, change: (current: DeclaredBox) => DeclaredBox): DeclaredBox {
    let next: DeclaredBox = { repos: [], tools: [] };
    this.store.update((data) => {
      const boxes = boxesOf(data);
      next = change(parseDeclared(boxes[box]));
      if (next.repos.length === 0 && next.tools.length === 0) delete boxes[box];
      else boxes[box] = next;
      return { ...data, [BOXES_KEY]: boxes };
    });
    return next;
  }
}

function boxesOf(data: Record<string, unknown>): Record<string, unknown> {
  const raw = data[BOXES_KEY];
  return raw && typeof raw === 'object' && !Array.isArray(raw) ? { ...(raw as Record<string, unknown>) } : {};
}
