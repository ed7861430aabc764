import { describe, expect, it } from 'vitest';
import { counterProgress } from '../../src/ui/counter-progress.js';
import { StderrProgress } from '../../src/ui/progress.js';
import { StderrReporter } from '../../src/ui/reporter.js';
import { canSpin, colorEnabled } from '../../src/ui/terminal.js';
import { fakeStream } from './fakes/stream.js';

describe('progress without a terminal', () => {
  it('install, search and update print no progress on stderr without a terminal: only warnings and problem lines', () => {
    const s = fakeStream(false);
    const p = new StderrProgress({ quiet: false, stream: s.stream, env: {} });
    p.phase('refreshing repository r');
    p.warn('careful');
    p.detail('Problem: x');
    p.succeed('installed a in toolbox tb');
    expect(s.text()).toBe('Warning: careful\nProblem: x\n');
  });

  it('with --verbose, prints one plain line per new phase, then the summary', () => {
    const s = fakeStream(false);
    const p = new StderrProgress({ quiet: false, verbose: true, stream: s.stream, env: {} });
    p.phase('refreshing repository r');
    p.phase('refreshing repository r');
    p.phase('installing a (1/1)');
    p.warn('careful');
    p.detail('Problem: x');
    p.succeed('installed a in toolbox tb');
    expect(s.text()).toBe(
      'refreshing repository r...\ninstalling a (1/1)...\nWarning: careful\nProblem: x\ninstalled a in toolbox tb\n',
    );
  });

  it('--quiet keeps only the lines an error needs', () => {
    const s = fakeStream(false);
    const p = new StderrProgress({ quiet: true, stream: s.stream, env: {} });
    p.phase('installing');
    p.warn('careful');
    p.detail('Problem: x');
    p.succeed('done');
    expect(s.text()).toBe('Problem: x\n');
  });

  it('a terminal that reports no width gets plain lines, not a spinner', () => {
    const s = fakeStream(true, 0);
    const p = new StderrProgress({ quiet: false, stream: s.stream, env: {} });
    p.phase('installing');
    p.succeed('done');
    expect(s.text()).toBe('installing...\ndone\n');
  });
});

describe('one rule for every spinner: a terminal that can redraw a line and reports a width', () => {
  it.each([
    ['not a terminal', false, 80, {}, false],
    ['a terminal that reports no width', true, 0, {}, false],
    ['a terminal whose width is unknown', true, undefined, {}, false],
    ['a dumb terminal', true, 80, { TERM: 'dumb' }, false],
    ['a terminal with a width', true, 80, { TERM: 'xterm' }, true],
    ['a terminal with a width, under NO_COLOR', true, 80, { NO_COLOR: '1' }, true],
  ])('%s: spinner %s', (_what, tty, columns, env, spins) => {
    expect(canSpin(fakeStream(tty, columns).stream, env)).toBe(spins);
  });

  it.each([
    ['a terminal', true, {}, true],
    ['not a terminal', false, {}, false],
    ['NO_COLOR', true, { NO_COLOR: '1' }, false],
    ['an empty NO_COLOR', true, { NO_COLOR: '' }, true],
    ['TERM=dumb', true, { TERM: 'dumb' }, false],
  ])('colour on %s: %s', (_what, tty, env, color) => {
    expect(colorEnabled(fakeStream(tty, 80).stream, env)).toBe(color);
  });

  it('a package operation on a dumb terminal gets plain lines, not a spinner', () => {
    const s = fakeStream(true, 80);
    const p = new StderrProgress({ quiet: false, stream: s.stream, env: { TERM: 'dumb' } });
    p.phase('installing');
    p.succeed('done');
    expect(s.text()).toBe('installing...\ndone\n');
  });

  it.each([
    ['reports no width', 0, { NO_COLOR: '1' }],
    ['is dumb', 80, { TERM: 'dumb' }],
  ])('a step on a terminal that %s is one plain line, and its end a status line', (_what, columns, env) => {
    const s = fakeStream(true, columns);
    const r = new StderrReporter({ quiet: false, verbose: false, stream: s.stream, env });
    r.step('pulling img').done('pulled img');
    r.step('pulling img2').fail('could not pull img2');
    expect(s.text()).toBe('pulling img...\npulled img\npulling img2...\nWarning: could not pull img2\n');
  });

  it('a step is silent off a terminal unless --verbose', () => {
    const s = fakeStream(false);
    new StderrReporter({ quiet: false, verbose: false, stream: s.stream, env: {} }).step('pulling img').done('pulled');
    expect(s.text()).toBe('');
    new StderrReporter({ quiet: false, verbose: true, stream: s.stream, env: {} }).step('pulling img').done('pulled');
    expect(s.text()).toBe('pulling img...\npulled\n');
  });

  it.each([
    ['not a terminal', false, 80],
    ['a terminal that reports no width', true, 0],
  ])('a count shows nothing on %s', (_what, tty, columns) => {
    const s = fakeStream(tty, columns);
    const p = counterProgress('collecting', { quiet: false, stream: s.stream });
    p.start(2);
    p.tick(1, 2, 'a');
    p.tick(2, 2, 'b');
    p.stop();
    expect(s.text()).toBe('');
  });
});
