import { describe, expect, it } from 'vitest';
import { parseToolboxrc } from '../../src/config/toolboxrc.js';

describe('parseToolboxrc', () => {
  it('reads KEY=VALUE lines with quotes, export, comments and blank lines; other keys mean nothing', () => {
    const text = [
      '# comment',
      '',
      'REGISTRY=my.registry.example.com',
      'IMAGE="debug:latest"',
      "TOOLBOX_NAME='special-debug'",
      'export TOOLBOX_SHELL=/bin/zsh   # trailing',
      'OTHER=ignored',
    ].join('\n');
    expect(parseToolboxrc(text, 'rc')).toEqual({
      REGISTRY: 'my.registry.example.com',
      IMAGE: 'debug:latest',
      TOOLBOX_NAME: 'special-debug',
      TOOLBOX_SHELL: '/bin/zsh',
    });
  });

  it('keeps $ and backticks literal inside single quotes, and escaped ones in double quotes', () => {
    expect(parseToolboxrc(`IMAGE='$(x)\`y\`'`, 'rc').IMAGE).toBe('$(x)`y`');
    expect(parseToolboxrc('IMAGE="a\\$b\\"c"', 'rc').IMAGE).toBe('a$b"c');
    expect(parseToolboxrc('IMAGE=a\\ b', 'rc').IMAGE).toBe('a b');
    expect(parseToolboxrc('IMAGE=', 'rc').IMAGE).toBe('');
    expect(parseToolboxrc('IMAGE=a#b', 'rc').IMAGE).toBe('a#b');
  });

  it.each([
    ['IMAGE=$(id)', 'rc:1: the value uses shell expansion ($), which toolbox never runs; write the literal value'],
    ['IMAGE=${HOME}', 'rc:1: the value uses shell expansion ($), which toolbox never runs; write the literal value'],
    ['IMAGE="$(id)"', 'rc:1: the value uses shell expansion ($), which toolbox never runs; write the literal value'],
    ['IMAGE=`id`', 'rc:1: the value uses shell expansion (`), which toolbox never runs; write the literal value'],
    ['IMAGE=a;id', 'rc:1: the value contains the shell operator ";"; quote it if it is meant literally'],
    ['IMAGE=a|id', 'rc:1: the value contains the shell operator "|"; quote it if it is meant literally'],
    ['IMAGE=a&&id', 'rc:1: the value contains the shell operator "&"; quote it if it is meant literally'],
    ['IMAGE="abc', 'rc:1: unbalanced double quote'],
    ["IMAGE='abc", 'rc:1: unbalanced single quote'],
    ['IMAGE=a b', 'rc:1: unquoted whitespace in the value (a shell would run the rest as a command); quote the value'],
    ['source /etc/evil', 'rc:1: not a KEY=VALUE line: "source /etc/evil"'],
    ['. /etc/evil', 'rc:1: not a KEY=VALUE line: ". /etc/evil"'],
  ])('refuses %s', (line, message) => {
    expect(() => parseToolboxrc(line, 'rc')).toThrow(message);
  });

  it('names the right line', () => {
    expect(() => parseToolboxrc('A=1\n\nIMAGE=$(x)\n', '/etc/toolboxrc')).toThrow(/^\/etc\/toolboxrc:3: /);
  });
});
