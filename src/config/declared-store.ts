// The declared state of toolboxes in config.json, under "boxes": {NAME: {repos, tools}}.
// Written through ConfigStore.update, so each change is one atomic write.
import { parseDeclared, type DeclaredBox, type DeclaredStore } from '../core/tools/declared-state.js';
import { objectAt, omit } from './json-object.js';
import { ConfigStore } from './store.js';

export const BOXES_KEY = 'boxes';

export class ConfigDeclaredStore implements DeclaredStore {
  private readonly store: ConfigStore;

  constructor(file: string) {
    this.store = new ConfigStore(file);
  }

  get(box: string): DeclaredBox {
    return parseDeclared(objectAt(this.store.read(), BOXES_KEY)[box]);
  }

  update(box: string, change: (current: DeclaredBox) => DeclaredBox): DeclaredBox {
    let next: DeclaredBox = { repos: [], tools: [] };
    this.store.update((data) => {
      const boxes = objectAt(data, BOXES_KEY);
      next = change(parseDeclared(boxes[box]));
      const empty = next.repos.length === 0 && next.tools.length === 0;
      return { ...data, [BOXES_KEY]: empty ? omit(boxes, box) : { ...boxes, [box]: next } };
    });
    return next;
  }
}
