import { describe, expect, it } from 'vitest';
import { objectAt, omit, withSection } from '../../src/config/json-object.js';

describe("config.json's sections", () => {
  it('reads a section as a copy, and anything but an object as an empty one', () => {
    const data = { boxes: { a: 1 }, list: [1], text: 'x', none: null };
    const boxes = objectAt(data, 'boxes');
    boxes.b = 2;
    expect(data.boxes).toEqual({ a: 1 });
    expect([objectAt(data, 'list'), objectAt(data, 'text'), objectAt(data, 'none'), objectAt(data, 'gone')]).toEqual([
      {},
      {},
      {},
      {},
    ]);
  });

  it('leaves keys out and keeps the order of the others', () => {
    expect(JSON.stringify(omit({ c: 1, a: 2, b: 3, d: 4 }, 'a', 'd', 'missing'))).toBe('{"c":1,"b":3}');
  });

  it('writes a section in its place, and leaves an empty one out', () => {
    const data = { journal: { x: 1 }, boxes: { a: 1 } };
    expect(JSON.stringify(withSection(data, 'journal', { y: 2 }))).toBe('{"journal":{"y":2},"boxes":{"a":1}}');
    expect(JSON.stringify(withSection(data, 'journal', {}))).toBe('{"boxes":{"a":1}}');
    expect(JSON.stringify(withSection(data, 'retired', { id: 1 }))).toBe(
      '{"journal":{"x":1},"boxes":{"a":1},"retired":{"id":1}}',
    );
  });
});
