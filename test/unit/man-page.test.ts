// The man page is rendered from the same command tree as --help; man(1) itself must accept it.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { describeCommand } from '../../src/cli/command-tree.js';
import { renderManPage, roff } from '../../src/cli/man-page.js';
import { buildProgram } from '../../src/cli/program.js';

let dir: string;
let page: string;
let rendered: string;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pk-man-'));
  const tree = describeCommand(buildProgram({ exitCode: 0 }, () => {}));
  page = renderManPage(tree, {
    version: '9.8.7',
    summary: 'a debugging container',
    seeAlso: ['host-update(1)', 'podman(1)'],
  });
  writeFileSync(join(dir, 'toolbox.1'), page);
  rendered = execFileSync('man', ['-l', join(dir, 'toolbox.1')], {
    env: { ...process.env, MANWIDTH: '100', MAN_KEEP_FORMATTING: '' },
    encoding: 'utf8',
  });
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

describe('roff', () => {
  it('escapes backslashes, minus signs and leading control characters', () => {
    expect(roff("a\\b -c\n.x\n'y")).toBe("a\\eb \\-c\n\\&.x\n\\&'y");
  });
});

describe('the toolbox man page', () => {
  it('renders with man -l and no groff warnings', () => {
    const r = spawnSync('man', ['--warnings', '-l', join(dir, 'toolbox.1')], {
      env: { ...process.env, MANWIDTH: '100' },
      encoding: 'utf8',
    });
    expect(r.status).toBe(0);
    expect(r.stderr).toBe('');
  });

  it('has the standard sections in order', () => {
    const headings = rendered.split('\n').filter((l) => /^[A-Z][A-Z ]+$/.test(l));
    expect(headings).toEqual([
      'NAME',
      'SYNOPSIS',
      'DESCRIPTION',
      'ARGUMENTS',
      'OPTIONS',
      'COMMANDS',
      'EXAMPLES',
      'NOTES',
      'SEE ALSO',
    ]);
    expect(rendered.split('\n')[0]).toMatch(/^TOOLBOX\(1\) +User Commands +TOOLBOX\(1\)$/);
    expect(rendered).toContain('NAME\n       toolbox - a debugging container\n');
    expect(rendered).toContain('SYNOPSIS\n       toolbox [options] [CMD...]\n       toolbox <command> [options]\n');
    expect(rendered).toContain('SEE ALSO\n       host-update(1), podman(1)\n');
    expect(rendered.trimEnd().split('\n').at(-1)).toMatch(/^toolbox 9\.8\.7 +TOOLBOX\(1\)$/);
  });

  it('lists every option and command that --help lists', () => {
    expect(rendered).toContain('       -c, --container <name>\n              use the toolbox named <name>\n');
    expect(rendered).toContain('       --engine <engine>\n              container engine (one of: podman, docker)\n');
    for (const cmd of [
      'run',
      'enter',
      'create',
      'list',
      'stop',
      'rm',
      'config',
      'config get',
      'config set',
      'config unset',
      'config list',
      'config path',
      'completion',
    ]) {
      expect(rendered).toMatch(new RegExp(`^   toolbox ${cmd} \\[options\\]`, 'm'));
    }
    expect(rendered).not.toContain('__names');
  });

  it('keeps the examples as typed', () => {
    expect(rendered).toContain(
      'EXAMPLES\n       toolbox                     a root shell in toolbox-$USER (created on first use)\n',
    );
    expect(rendered).toContain('       toolbox run -c dbg -- grep -n x /etc/fstab\n');
  });
});
