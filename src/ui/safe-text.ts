// What toolbox writes for people is shown by a terminal, never obeyed by it. Text from outside
// toolbox reaches our messages: an image's labels, container and image names, what podman, docker
// or zypper printed. A control character in it could clear the screen, retitle the window, hide
// or rewrite a line (ESC sequences, CR, BS), or reorder what is read (bidi overrides). Every such
// character becomes a visible escape here, at the edge: `\x1b`, `\r`, `\u202e`.
//
// Covered: C0 controls (U+0000-U+001F), DEL (U+007F), C1 controls (U+0080-U+009F, CSI among
// them), the bidi controls (U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069) and the line and
// paragraph separators (U+2028-U+2029). A backslash stays as it is: the escapes are for reading,
// not a reversible encoding.
//
// Not here: what `toolbox run` (and host-update's log and transaction output) pass through from
// the command they run. That is the command's own stream, passed byte for byte.

// The sets are spelled out rather than named (\p{Cc}, \p{Bidi_Control}): both are fixed by Unicode
// (test/unit/safe-text.test.ts checks every code point against the named form), and a property
// class makes V8 ask ICU for the set when the expression is first used, about 8 M instructions
// on every call that prints a table or a message.
const C0_DEL_C1 = '\\0-\\x1f\\x7f-\\x9f';
const BIDI = '\\u061c\\u200e\\u200f\\u202a-\\u202e\\u2066-\\u2069';
const SEPARATORS = '\\u2028\\u2029';
/** One character that must not reach a terminal as it is. */
const UNSAFE = new RegExp(`[${C0_DEL_C1}${BIDI}${SEPARATORS}]`, 'u');
const UNSAFE_ALL = new RegExp(`[${C0_DEL_C1}${BIDI}${SEPARATORS}]`, 'gu');
/** The same, but a newline and a tab are text: they lay out a multi-line message or a table. */
const UNSAFE_IN_LINES = new RegExp(`(?![\\n\\t])[${C0_DEL_C1}${BIDI}${SEPARATORS}]`, 'gu');
/** What JSON.stringify leaves raw that a terminal could act on (it escapes C0 itself). */
const UNSAFE_IN_JSON = new RegExp(`[\\u007f-\\u009f${BIDI}${SEPARATORS}]`, 'gu');

const NAMED: Record<string, string> = { '\n': '\\n', '\t': '\\t', '\r': '\\r' };

export function isUnsafe(char: string): boolean {
  return UNSAFE.test(char);
}

/**
 * The visible escape of one unsafe character: `\n`, `\x1b`, `\u009b`, `\u202e` (above ASCII
 * always \u, as bash's $'...' reads it back: \x would be a byte there).
 */
export function escapeChar(char: string): string {
  const named = NAMED[char];
  if (named) return named;
  const code = char.charCodeAt(0);
  return code < 0x80 ? `\\x${hex(code, 2)}` : `\\u${hex(code, 4)}`;
}

/** A text that is shown on one line (a name, a table cell, a field): every unsafe character escaped. */
export function safeLine(text: string): string {
  return text.replace(UNSAFE_ALL, escapeChar);
}

/** A text of whole lines (a message, a table, zypper's output): newlines and tabs stay. */
export function safeLines(text: string): string {
  return text.replace(UNSAFE_IN_LINES, escapeChar);
}

/**
 * JSON for stdout. JSON.stringify escapes C0 itself; DEL, C1, bidi controls and the separators
 * it leaves raw, inside strings, the only place they can be. Each becomes its \uXXXX escape:
 * still JSON, and a parser reads the very same string back.
 */
export function safeJson(value: unknown, indent?: number): string {
  return JSON.stringify(value, null, indent).replace(UNSAFE_IN_JSON, (c) => `\\u${hex(c.charCodeAt(0), 4)}`);
}

const hex = (code: number, width: number) => code.toString(16).padStart(width, '0');
