// The shipped completion files (dist/completions, as the RPM installs them) against the built
// CLI and real podman: toolbox names come from `toolbox __names`, i.e. from the engine.
import { mkdtempSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CLI_FORM, cli, isolatedEnv, SEA, runPrefix, removeContainers } from './helpers.js';
import { must, ROOT, run } from './support/rpm-repo.js';

const P = runPrefix('pk-cmp-');
const BOXES = [`${P}alpha`, `${P}beta`];
// Sealed HOME and XDG directories for toolbox and the shells alike.
const sealed = isolatedEnv();
const toolbox = (...args: string[]) => run(...cli(args), { env: sealed });
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), P));
  // The shells find toolbox on PATH by that name: the form under test, as one file.
  if (CLI_FORM === 'sea') symlinkSync(SEA, join(dir, 'toolbox'));
  else symlinkSync(join(ROOT, 'bin/toolbox.js'), join(dir, 'toolbox'));
  env = { ...sealed, PATH: `${dir}:${sealed.PATH}` };
  removeContainers(P);
  for (const box of BOXES) {
    const r = toolbox('create', box);
    if (r.code !== 0) throw new Error(`toolbox create ${box}: ${r.stderr}`);
  }
});
afterAll(() => {
  removeContainers(P);
  rmSync(dir, { recursive: true, force: true });
});

function bash(line: string): string[] {
  const words = line.split(' ');
  const script =
    'source "$1"; shift; COMP_CWORD=$1; shift; COMP_WORDS=("$@"); _toolbox; printf "%s\\n" "${COMPREPLY[@]}"';
  return must(
    'bash',
    ['-c', script, '_', join(ROOT, 'dist/completions/bash/toolbox'), String(words.length - 1), ...words],
    { env },
  )
    .split('\n')
    .filter(Boolean);
}

describe('toolbox completion', () => {
  it('prints the same scripts that the build ships', () => {
    for (const [shell, file] of [
      ['bash', 'bash/toolbox'],
      ['zsh', 'zsh/_toolbox'],
      ['fish', 'fish/toolbox.fish'],
    ] as const) {
      const r = toolbox('completion', shell);
      expect(r.code).toBe(0);
      expect(r.stdout).toBe(readFileSync(join(ROOT, 'dist/completions', file), 'utf8'));
    }
  });

  it('rejects an unknown shell with a usage error', () => {
    const r = toolbox('completion', 'tcsh');
    expect(r.code).toBe(2);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(
      /^Error: command-argument value 'tcsh' is invalid for argument 'SHELL'\. Allowed choices are bash, zsh, fish\./,
    );
  });

  it('__names prints existing toolboxes, one a line, and nothing else', () => {
    const r = toolbox('__names');
    expect(r.code).toBe(0);
    expect(r.stderr).toBe('');
    expect(r.stdout.split('\n').filter((n) => n.startsWith(P))).toEqual(BOXES);
    expect(r.stdout.endsWith('\n')).toBe(true);
  });

  it('completes the names of real toolboxes in bash', () => {
    expect(bash(`toolbox rm ${P}`)).toEqual(BOXES);
    expect(bash(`toolbox -c ${P}b`)).toEqual([`${P}beta`]);
    expect(bash(`toolbox stop -f ${P}a`)).toEqual([`${P}alpha`]);
  });

  it('completes the names of real toolboxes in fish', () => {
    const out = must(
      'fish',
      [
        '--no-config',
        '-c',
        'source $argv[1]; complete -C $argv[2]',
        join(ROOT, 'dist/completions/fish/toolbox.fish'),
        `toolbox enter ${P}`,
      ],
      { env },
    );
    expect(out).toBe(BOXES.map((b) => `${b}\n`).join(''));
  });
});
