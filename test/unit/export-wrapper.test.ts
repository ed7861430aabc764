// The wrapper that `toolbox export` writes: exact text, arguments quoted for sh, and a file is
// ours only when it is exactly what toolbox writes for what it says of itself.
import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { parseWrapper, renderWrapper, shQuote, type ExportRecord } from '../../src/core/export/wrapper.js';

const RECORD: ExportRecord = {
  name: 'tcpdump',
  box: 'dbg',
  identity: 'abc123',
  mode: 'system',
  path: '/usr/sbin/tcpdump',
  toolbox: ['/usr/bin/toolbox'],
};

describe('renderWrapper', () => {
  it('writes exactly this script', () => {
    expect(renderWrapper(RECORD)).toBe(
      [
        '#!/bin/sh',
        '# Written by toolbox: runs /usr/sbin/tcpdump in the toolbox dbg. Do not edit;',
        '# remove it with: toolbox unexport tcpdump',
        '# toolbox-export: {"v":1,"name":"tcpdump","box":"dbg","identity":"abc123","mode":"system","path":"/usr/sbin/tcpdump","toolbox":["/usr/bin/toolbox"]}',
        "exec '/usr/bin/toolbox' '__exported' 'abc123' 'dbg' 'system' '/usr/sbin/tcpdump' \"$@\"",
        '',
      ].join('\n'),
    );
  });

  it('user mode says how to remove it with -u', () => {
    expect(renderWrapper({ ...RECORD, mode: 'user' })).toContain('# remove it with: toolbox unexport -u tcpdump\n');
  });

  it('sh reads every word back exactly, quotes and newlines included', () => {
    const words = ["it's", 'a b', '$(touch /tmp/x)', '`id`', '"q"', 'new\nline', '\\', '*'];
    for (const word of words) {
      const r = spawnSync('/bin/sh', ['-c', `printf '%s' ${shQuote(word)}`], { encoding: 'utf8' });
      expect(r.stdout).toBe(word);
    }
  });

  it('a path with a newline cannot break out of the comment line', () => {
    const text = renderWrapper({ ...RECORD, path: '/opt/a\nrm -rf /' });
    expect(text.split('\n').filter((l) => !l.startsWith('#') && l !== '')).toEqual([
      `exec '/usr/bin/toolbox' '__exported' 'abc123' 'dbg' 'system' '/opt/a`,
      `rm -rf /' "$@"`,
    ]);
    expect(parseWrapper(text)).toEqual({ ...RECORD, path: '/opt/a\nrm -rf /' });
  });
});

describe('parseWrapper', () => {
  it('reads back what renderWrapper wrote', () => {
    expect(parseWrapper(renderWrapper(RECORD))).toEqual(RECORD);
    const npm = { ...RECORD, toolbox: ['/usr/bin/node', '/usr/lib/node_modules/toolbox/bin/toolbox.js'] };
    expect(parseWrapper(renderWrapper(npm))).toEqual(npm);
  });

  it.each([
    [
      'an edited exec line',
      (t: string) => t.replace('\'/usr/sbin/tcpdump\' "$@"', '\'/usr/sbin/tcpdump\' -i any "$@"'),
    ],
    ['a line added', (t: string) => `${t}echo extra\n`],
    ['a marker that says something else', (t: string) => t.replace('"box":"dbg"', '"box":"other"')],
    ['another version', (t: string) => t.replace('{"v":1', '{"v":2')],
    ['no marker', (t: string) => t.replace('# toolbox-export: ', '# ')],
    ['not JSON', (t: string) => t.replace('{"v":1', '{v:1')],
    ['CRLF line ends', (t: string) => t.replaceAll('\n', '\r\n')],
    ['a huge file', (t: string) => `${t}${'#'.repeat(9000)}\n`],
  ])('is not ours: %s', (_what, change) => {
    expect(parseWrapper(change(renderWrapper(RECORD)))).toBeUndefined();
  });

  it('is not ours: any other script', () => {
    expect(parseWrapper('#!/bin/sh\nexec tcpdump "$@"\n')).toBeUndefined();
    expect(parseWrapper('')).toBeUndefined();
  });
});
