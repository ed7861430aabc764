// Issue 21 F4: text from outside toolbox (labels, names, an engine's words) reaches a terminal
// with every control character shown as an escape, never obeyed.
import { describe, expect, it } from 'vitest';
import { StderrProgress } from '../../src/ui/progress.js';
import { StderrReporter } from '../../src/ui/reporter.js';
import { isUnsafe, safeJson, safeLine, safeLines } from '../../src/ui/safe-text.js';
import { renderTable } from '../../src/ui/table.js';
import { fakeStream } from './fakes/stream.js';

/** The label of the red team's image: clear the screen, retitle the window, ring the bell. */
const HOSTILE = '\x1b[2J\x1b]0;PWN\x07';
const HOSTILE_SHOWN = '\\x1b[2J\\x1b]0;PWN\\x07';
/** Anything a terminal could act on: C0 but newline and tab, DEL, C1, bidi controls, separators. */
const hasRawControl = (text: string): boolean =>
  Array.from(text).some((c) => {
    const n = c.charCodeAt(0);
    return (
      (n < 0x20 && n !== 0x0a && n !== 0x09) || (n >= 0x7f && n <= 0x9f) || /[\p{Bidi_Control}\u2028\u2029]/u.test(c)
    );
  });

describe('isUnsafe', () => {
  it('is true for exactly the Unicode control and bidi control characters and the two separators', () => {
    const named = /[\p{Cc}\p{Bidi_Control}\u2028\u2029]/u;
    const differ: number[] = [];
    for (let c = 0; c <= 0x10ffff; c++) {
      const char = String.fromCodePoint(c);
      if (isUnsafe(char) !== named.test(char)) differ.push(c);
    }
    expect(differ).toEqual([]);
  });
});

describe('safeLine: one line, every unsafe character escaped', () => {
  it.each([
    ['plain text, ünïcödé and emoji 🎉 stay', 'plain text, ünïcödé and emoji 🎉 stay'],
    [HOSTILE, HOSTILE_SHOWN],
    ['a\nb\tc\rd', 'a\\nb\\tc\\rd'],
    ['nul\x00 bs\x08 del\x7f', 'nul\\x00 bs\\x08 del\\x7f'],
    ['8-bit CSI \x9b2J and NEL \x85', '8-bit CSI \\u009b2J and NEL \\u0085'],
    ['evil\u202egnp.exe', 'evil\\u202egnp.exe'],
    [
      '\u2066isolate\u2069 \u200eLRM \u200fRLM \u061cALM \u202aLRE',
      '\\u2066isolate\\u2069 \\u200eLRM \\u200fRLM \\u061cALM \\u202aLRE',
    ],
    ['line\u2028sep\u2029para', 'line\\u2028sep\\u2029para'],
    ['a backslash \\x1b stays as typed', 'a backslash \\x1b stays as typed'],
  ])('%j is shown as %s', (text, shown) => {
    expect(safeLine(text)).toBe(shown);
    expect(safeLine(text)).not.toSatisfy(hasRawControl);
    expect(safeLine(text)).not.toMatch(/[\n\t]/);
  });

  it('escapes every C0, DEL and C1 character and nothing printable in U+0000-U+00FF', () => {
    for (let code = 0; code <= 0xff; code++) {
      const c = String.fromCharCode(code);
      const control = code < 0x20 || (code >= 0x7f && code <= 0x9f);
      expect(safeLine(c) !== c).toBe(control);
      expect(safeLine(c)).not.toSatisfy(hasRawControl);
    }
  });

  it('is idempotent', () => {
    const once = safeLine(`${HOSTILE}\n\u202e`);
    expect(safeLine(once)).toBe(once);
  });
});

describe('safeLines: newlines and tabs lay out the text, the rest is escaped', () => {
  it('keeps lines and tabs, escapes CR, ESC and bidi controls', () => {
    expect(safeLines(`a\tb\nc${HOSTILE}\r\n\u202ed\n`)).toBe(`a\tb\nc${HOSTILE_SHOWN}\\r\n\\u202ed\n`);
  });
});

describe('safeJson: still JSON, with nothing raw a terminal could act on', () => {
  it.each([
    [HOSTILE],
    ['c1 \x9b and \x85'],
    ['del \x7f'],
    ['bidi \u202e \u2066 \u200f \u061c'],
    ['separators \u2028 \u2029'],
    ['plain ü 🎉'],
  ])('%j', (value) => {
    const doc = { image: value, list: [value] };
    for (const indent of [undefined, 2]) {
      const text = safeJson(doc, indent);
      expect(text).not.toSatisfy(hasRawControl);
      expect(JSON.parse(text)).toEqual(doc);
    }
  });

  it('escapes C1 and bidi controls as \\u escapes, as JSON.stringify does C0', () => {
    expect(safeJson({ a: `${HOSTILE}\x9b\u202e` })).toBe('{"a":"\\u001b[2J\\u001b]0;PWN\\u0007\\u009b\\u202e"}');
    expect(safeJson({ a: 'plain' }, 2)).toBe(JSON.stringify({ a: 'plain' }, null, 2));
  });
});

describe('the table renderer', () => {
  it('shows each cell on its line with its control characters escaped, aligned by what is shown', () => {
    expect(
      renderTable(
        ['NAME', 'IMAGE'],
        [
          ['a\nb', `localhost/x${HOSTILE}`],
          ['c', 'd'],
        ],
      ),
    ).toBe(`NAME  IMAGE\na\\nb  localhost/x${HOSTILE_SHOWN}\nc     d\n`);
  });
});

describe('the reporter', () => {
  it('shows an error from the engine on one line, its control characters escaped', () => {
    const s = fakeStream();
    new StderrReporter({ quiet: false, verbose: false, stream: s.stream, env: {} }).error(
      `podman inspect failed: no such image ${HOSTILE}\r\nsecond\u202eline`,
      `retry ${HOSTILE}`,
    );
    expect(s.text()).toBe(
      `Error: podman inspect failed: no such image ${HOSTILE_SHOWN}\\r second\\u202eline. Hint: retry ${HOSTILE_SHOWN}\n`,
    );
  });

  it('escapes status lines, warnings and steps', () => {
    const s = fakeStream();
    const r = new StderrReporter({ quiet: false, verbose: true, stream: s.stream, env: {} });
    r.status(`created toolbox from ${HOSTILE}`);
    r.warn(`label ${HOSTILE}`);
    const step = r.step(`pulling ${HOSTILE}`);
    step.done(`pulled ${HOSTILE}`);
    r.step('checking').fail(`failed ${HOSTILE}`);
    r.trace(['podman', 'inspect', HOSTILE, 'x\u202ey']);
    expect(s.text()).toBe(
      [
        `created toolbox from ${HOSTILE_SHOWN}`,
        `Warning: label ${HOSTILE_SHOWN}`,
        `pulling ${HOSTILE_SHOWN}...`,
        `pulled ${HOSTILE_SHOWN}`,
        'checking...',
        `Warning: failed ${HOSTILE_SHOWN}`,
        `+ podman inspect $'${HOSTILE_SHOWN}' $'x\\u202ey'`,
        '',
      ].join('\n'),
    );
  });
});

describe('package progress', () => {
  it("escapes zypper's phase, detail, warning and summary lines", () => {
    const s = fakeStream();
    const p = new StderrProgress({ quiet: false, verbose: true, stream: s.stream, env: {} });
    p.phase(`refreshing repository ${HOSTILE}`);
    p.detail(`Problem: nothing provides ${HOSTILE}`);
    p.warn(`repository ${HOSTILE}`);
    p.succeed(`installed ${HOSTILE}`);
    expect(s.text()).toBe(
      [
        `refreshing repository ${HOSTILE_SHOWN}...`,
        `Problem: nothing provides ${HOSTILE_SHOWN}`,
        `Warning: repository ${HOSTILE_SHOWN}`,
        `installed ${HOSTILE_SHOWN}`,
        '',
      ].join('\n'),
    );
  });
});
