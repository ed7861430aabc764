import { describe, expect, it } from 'vitest';
import { StderrProgress } from '../../src/ui/progress.js';

function fakeStream(tty: boolean, columns?: number) {
  let text = '';
  const stream = { isTTY: tty, columns, write: (s: string) => ((text += s), true) } as unknown as NodeJS.WriteStream;
  return { stream, text: () => text };
}

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
