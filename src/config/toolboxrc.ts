// Reads microos-toolbox's toolboxrc files as data. They are shell syntax in the original, which
// sources them; here a value is a literal string, and anything a shell would expand or run is an
// error that names the file and line. Nothing in them is ever executed.
import { ToolboxError } from '../core/errors.js';

const RC_KEYS = ['REGISTRY', 'IMAGE', 'TOOLBOX_NAME', 'TOOLBOX_SHELL'] as const;
export type RcKey = (typeof RC_KEYS)[number];
export type RcValues = Partial<Record<RcKey, string>>;

/** The values of the keys toolbox knows; other keys are valid shell that means nothing to toolbox. */
export function parseToolboxrc(text: string, file: string): RcValues {
  const values: RcValues = {};
  const lines = text.split(/\r?\n/);
  lines.forEach((raw, index) => {
    const fail = (why: string): never => {
      throw new ToolboxError(`${file}:${index + 1}: ${why}`, {
        hint: 'toolboxrc lines are KEY=VALUE with a literal value; fix or remove the line',
      });
    };
    let line = raw.trim();
    if (line === '' || line.startsWith('#')) return;
    line = line.replace(/^export\s+/, '');
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m) return fail(`not a KEY=VALUE line: ${JSON.stringify(raw.slice(0, 80))}`);
    const [, key = '', rawValue = ''] = m;
    const value = parseValue(rawValue, fail);
    if (isRcKey(key)) values[key] = value;
  });
  return values;
}

function isRcKey(key: string): key is RcKey {
  return (RC_KEYS as readonly string[]).includes(key);
}

function parseValue(text: string, fail: (why: string) => never): string {
  let out = '';
  let i = 0;
  while (i < text.length) {
    const c = text.charAt(i);
    if (c === "'") {
      const end = text.indexOf("'", i + 1);
      if (end === -1) fail('unbalanced single quote');
      out += text.slice(i + 1, end);
      i = end + 1;
    } else if (c === '"') {
      i++;
      let closed = false;
      while (i < text.length) {
        const d = text.charAt(i);
        if (d === '"') {
          closed = true;
          i++;
          break;
        }
        if (d === '\\' && i + 1 < text.length && '"\\$`'.includes(text.charAt(i + 1))) {
          out += text.charAt(i + 1);
          i += 2;
          continue;
        }
        if (d === '$' || d === '`')
          fail(`the value uses shell expansion (${d}), which toolbox never runs; write the literal value`);
        out += d;
        i++;
      }
      if (!closed) fail('unbalanced double quote');
    } else if (c === '#' && (i === 0 || /\s/.test(text.charAt(i - 1)))) {
      break; // trailing comment
    } else if (/\s/.test(c)) {
      const rest = text.slice(i).trim();
      if (rest === '' || rest.startsWith('#')) break;
      fail('unquoted whitespace in the value (a shell would run the rest as a command); quote the value');
    } else if ('$`'.includes(c)) {
      fail(`the value uses shell expansion (${c}), which toolbox never runs; write the literal value`);
    } else if (';&|<>()'.includes(c)) {
      fail(`the value contains the shell operator ${JSON.stringify(c)}; quote it if it is meant literally`);
    } else if (c === '\\' && i + 1 < text.length) {
      out += text.charAt(i + 1);
      i += 2;
    } else {
      out += c;
      i++;
    }
  }
  return out;
}
