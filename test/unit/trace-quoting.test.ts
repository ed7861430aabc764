// -v traces every engine command on one line of stderr, in a form bash reads back as the argv.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { quoteForDisplay } from '../../src/ui/reporter.js';

describe('quoteForDisplay', () => {
  it.each([
    ['plain', 'plain'],
    ['a b', "'a b'"],
    ["it's", "'it'\\''s'"],
    ['line 1\nline 2', "$'line 1\\nline 2'"],
    ["tab\there 'q' \\", "$'tab\\there \\'q\\' \\\\'"],
    ['bell\x07', "$'bell\\x07'"],
    ['esc \x1b[2J', "$'esc \\x1b[2J'"],
    ['csi \x9b2J', "$'csi \\u009b2J'"],
    ['rlo \u202e', "$'rlo \\u202e'"],
  ])('%j is shown as %s, on one line, and bash reads it back unchanged', (arg, shown) => {
    expect(quoteForDisplay(arg)).toBe(shown);
    expect(shown).not.toContain('\n');
    const back = spawnSync('bash', ['-c', `printf %s ${shown}`], {
      encoding: 'utf8',
      env: { ...process.env, LC_ALL: 'C.UTF-8' },
    });
    expect(back.stdout).toBe(arg);
  });
});
