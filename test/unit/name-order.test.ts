import { describe, expect, it, vi } from 'vitest';
import { nameOrder } from '../../src/core/box/name-order.js';

// Every string of up to three characters from a set that holds each kind of character a name
// may have: lowercase and capital letters (both ends of the alphabet), digits and the three marks.
function names(chars: string[], max: number): string[] {
  let level = [''];
  const all: string[] = [];
  for (let n = 1; n <= max; n++) {
    level = level.flatMap((prefix) => chars.map((c) => prefix + c));
    all.push(...level);
  }
  return all;
}

describe('nameOrder', () => {
  const root = new Intl.Collator('und');
  const all = names(['a', 'A', 'b', 'z', 'Z', '0', '9', '_', '.', '-'], 3);

  it("sorts every short name exactly as the root locale's collation does", () => {
    const order = nameOrder({});
    const differ: string[] = [];
    for (const a of all)
      for (const b of all) if (Math.sign(order(a, b)) !== Math.sign(root.compare(a, b))) differ.push(`${a} ${b}`);
    expect(differ.slice(0, 5)).toEqual([]);
  });

  it('sorts a list as localeCompare does under C, POSIX and English locales', () => {
    const list = ['b-2', 'B', 'a_1', 'a.1', 'a-1', 'A1', 'a1', 'toolbox-user', 'toolbox', 'Toolbox', '9', '0x'];
    const expected = [...list].sort((a, b) => root.compare(a, b));
    for (const env of [{}, { LANG: 'C.UTF-8' }, { LC_ALL: 'POSIX' }, { LANG: 'en_US.UTF-8', LC_COLLATE: 'en_GB' }])
      expect([...list].sort(nameOrder(env))).toEqual(expected);
    expect(expected).toEqual([
      '0x',
      '9',
      'a_1',
      'a-1',
      'a.1',
      'a1',
      'A1',
      'B',
      'b-2',
      'toolbox',
      'Toolbox',
      'toolbox-user',
    ]);
  });

  it('leaves a locale that may tailor the order, and a name outside the charset, to localeCompare', () => {
    const spy = vi.spyOn(String.prototype, 'localeCompare');
    const calls: string[] = [];
    try {
      nameOrder({ LC_ALL: 'da_DK.UTF-8' })('aa', 'z');
      nameOrder({ LANG: 'C.UTF-8', LC_MESSAGES: 'sv_SE' })('v', 'w');
      nameOrder({})('é', 'e');
      nameOrder({})('a', 'b');
      calls.push(...spy.mock.contexts.map((self, i) => `${String(self)} ${String(spy.mock.calls[i]?.[0])}`));
    } finally {
      spy.mockRestore();
    }
    expect(calls).toEqual(['aa z', 'v w', 'é e']);
  });
});
