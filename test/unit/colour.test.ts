// Colour appears only on a terminal that shows it, and chalk is loaded only then (src/ui/colour.ts).
import { describe, expect, it } from 'vitest';
import { loadColour, paletteFor } from '../../src/ui/colour.js';
import { StderrReporter } from '../../src/ui/reporter.js';
import { fakeStream } from './fakes/stream.js';

const RED_ERROR = '\x1b[31mError:\x1b[39m';

describe('colour', () => {
  // The order matters: chalk is loaded once per process, by the first loadColour.
  it('is plain on a terminal until chalk was loaded (a message before prepareColour is never wrong)', () => {
    expect(paletteFor({ isTTY: true }, {}).red('Error:')).toBe('Error:');
  });

  it('once loaded: on a terminal only, and never with NO_COLOR or TERM=dumb', async () => {
    await loadColour();
    expect(paletteFor({ isTTY: true }, {}).red('Error:')).toBe(RED_ERROR);
    expect(paletteFor({ isTTY: true }, { NO_COLOR: '1' }).red('Error:')).toBe('Error:');
    expect(paletteFor({ isTTY: true }, { NO_COLOR: '' }).red('Error:')).toBe(RED_ERROR);
    expect(paletteFor({ isTTY: true }, { TERM: 'dumb' }).red('Error:')).toBe('Error:');
    expect(paletteFor({ isTTY: false }, {}).red('Error:')).toBe('Error:');
  });

  it("colours the reporter's error line on a terminal, and leaves it plain elsewhere", async () => {
    await loadColour();
    const tty = fakeStream(true, 80);
    new StderrReporter({ quiet: false, verbose: false, stream: tty.stream, env: {} }).error('it broke', 'fix it');
    expect(tty.text()).toBe(`${RED_ERROR} it broke. \x1b[1mHint:\x1b[22m fix it\n`);
    const pipe = fakeStream(false, 80);
    new StderrReporter({ quiet: false, verbose: false, stream: pipe.stream, env: {} }).error('it broke', 'fix it');
    expect(pipe.text()).toBe('Error: it broke. Hint: fix it\n');
  });
});
