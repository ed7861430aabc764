// The completion scripts, run in the real shells against a stand-in `toolbox` on PATH that
// answers `__names` (the real one is exercised in test/e2e/completion.test.ts).
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { completionScript } from '../../src/cli/commands/completion.js';
import { SHELLS } from '../../src/cli/grammar.js';

const program = () => buildProgram({ exitCode: 0 }, () => {});
let dir: string;
let env: NodeJS.ProcessEnv;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'pk-completion-'));
  writeFileSync(join(dir, 'toolbox'), '#!/bin/sh\n[ "$1" = __names ] && printf "%s\\n" toolbox-root dbg dev2\n');
  chmodSync(join(dir, 'toolbox'), 0o755);
  for (const shell of SHELLS) writeFileSync(join(dir, `toolbox.${shell}`), completionScript(program(), shell));
  writeFileSync(join(dir, 'some-file'), '');
  env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
});
afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** COMPREPLY after completing the last word of `line` (split on spaces; a trailing space starts a new word). */
function bash(line: string): string[] {
  const words = line.split(' ');
  const out = execFileSync(
    'bash',
    [
      '-c',
      'source "$1"; shift; COMP_CWORD=$1; shift; COMP_WORDS=("$@"); _toolbox; printf "%s\\n" "${COMPREPLY[@]}"',
      '_',
      join(dir, 'toolbox.bash'),
      String(words.length - 1),
      ...words,
    ],
    { env, cwd: dir, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('bash completion', () => {
  it('completes subcommands, and nested ones', () => {
    expect(bash('toolbox ')).toEqual(
      program()
        .commands.map((c) => c.name())
        .filter((n) => !n.startsWith('__')),
    );
    expect(bash('toolbox ')).toEqual(
      expect.arrayContaining(['run', 'enter', 'create', 'list', 'stop', 'rm', 'config', 'completion']),
    );
    expect(bash('toolbox ru')).toEqual(['run']);
    expect(bash('toolbox rm')).toEqual(['rm']);
    expect(bash('toolbox config ')).toEqual(['get', 'set', 'unset', 'list', 'path']);
    expect(bash('toolbox -u -c dbg config u')).toEqual(['unset']);
  });

  it('completes the options of the command being typed', () => {
    expect(bash('toolbox rm --f')).toEqual(['--force']);
    expect(bash('toolbox list --j')).toEqual(['--json']);
    expect(bash('toolbox config list -')).toEqual(['--json', '-h', '--help']);
    expect(bash('toolbox --n')).toEqual(['--nostop', '--no-pull']);
  });

  it('completes toolbox names for NAME arguments and for -c', () => {
    expect(bash('toolbox rm ')).toEqual(['toolbox-root', 'dbg', 'dev2']);
    expect(bash('toolbox rm -f d')).toEqual(['dbg', 'dev2']);
    expect(bash('toolbox -c d')).toEqual(['dbg', 'dev2']);
    expect(bash('toolbox run --container t')).toEqual(['toolbox-root']);
    expect(bash('toolbox enter dbg ')).toEqual([]);
  });

  it('completes the choices of options and arguments', () => {
    expect(bash('toolbox --engine ')).toEqual(['podman', 'docker']);
    expect(bash('toolbox run --exec d')).toEqual(['direct']);
    expect(bash('toolbox completion ')).toEqual(['bash', 'zsh', 'fish']);
    expect(bash('toolbox completion f')).toEqual(['fish']);
    // bash splits --engine=d into three words.
    expect(bash('toolbox --engine = d')).toEqual(['docker']);
    expect(bash('toolbox --exec = ')).toEqual(['auto', 'podman', 'direct']);
    expect(bash('toolbox --engine = podman ru')).toEqual(['run']);
  });

  it('skips option values when finding the subcommand', () => {
    // "rm" here is the value of -t, so the next word is still a subcommand.
    expect(bash('toolbox -t rm co')).toEqual(['collect', 'config', 'completion']);
  });

  it('completes a command after run or --, and files for its arguments', () => {
    expect(bash('toolbox run -c dbg toolbo')).toEqual(['toolbox']);
    expect(bash('toolbox -- toolbo')).toEqual(['toolbox']);
    expect(bash('toolbox run ls some-')).toEqual(['some-file']);
    expect(bash('toolbox -- ls --f')).toEqual([]);
    expect(bash('toolbox ls -c some-')).toEqual(['some-file']);
  });

  it('offers nothing for free-form values', () => {
    expect(bash('toolbox -i ')).toEqual([]);
    expect(bash('toolbox config get ')).toEqual([]);
  });
});

/** Candidates from fish's own completion engine (`complete -C`), word and description. */
function fish(line: string): string[] {
  const out = execFileSync(
    'fish',
    ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', join(dir, 'toolbox.fish'), line],
    { env, cwd: dir, encoding: 'utf8' },
  );
  return out.split('\n').filter(Boolean);
}

describe('fish completion', () => {
  it('passes fish -n', () => {
    expect(execFileSync('fish', ['-n', join(dir, 'toolbox.fish')], { encoding: 'utf8' })).toBe('');
  });

  it('completes subcommands with descriptions, options, names and choices', () => {
    expect(fish('toolbox ru')).toEqual(['run\trun a command in the toolbox (a shell when none is given)']);
    expect(fish('toolbox rm')).toEqual([
      'rm\tremove the toolbox and its kept generations (never a container that is not a toolbox)',
    ]);
    expect(fish('toolbox rm --f')).toEqual(['--force\tremove even when running']);
    expect(fish('toolbox rm d')).toEqual(['dbg', 'dev2']);
    expect(fish('toolbox -c tool')).toEqual(['toolbox-root']);
    expect(fish('toolbox --engine d')).toEqual(['docker']);
    expect(fish('toolbox config u')).toEqual(['unset\tremove a stored setting']);
    expect(fish('toolbox completion z')).toEqual(['zsh']);
  });
});

/**
 * zsh's completion builtins only work inside its completion system, so _describe, compadd and
 * friends are replaced by functions that print what they were given.
 */
function zsh(line: string): string[] {
  const words = line.split(' ');
  const script = [
    'compdef() { :; }',
    '_describe() { print -l -- "${(@P)4}"; }',
    'compadd() { print -l -- "${(@P)2}"; }',
    '_files() { print -- "<files>"; }',
    '_command_names() { print -- "<commands>"; }',
    'source "$1"; shift',
    'CURRENT=$1; shift; words=("$@")',
    '_toolbox',
  ].join('\n');
  const out = execFileSync('zsh', ['-f', '-c', script, '_', join(dir, 'toolbox.zsh'), String(words.length), ...words], {
    env,
    cwd: dir,
    encoding: 'utf8',
  });
  return out.split('\n').filter(Boolean);
}

describe('zsh completion', () => {
  it('passes zsh -n', () => {
    expect(execFileSync('zsh', ['-n', join(dir, 'toolbox.zsh')], { encoding: 'utf8' })).toBe('');
  });

  it('walks the words the same way as bash', () => {
    expect(zsh('toolbox config ')).toEqual([
      'get:print a stored setting (exit 1 when unset)',
      'set:store a setting',
      'unset:remove a stored setting',
      'list:print stored settings',
      'path:print the config file path',
    ]);
    expect(zsh('toolbox list --')).toEqual(
      expect.arrayContaining(['--json:print a JSON array', '-c:use the toolbox named <name>']),
    );
    expect(zsh('toolbox rm -f ')).toEqual(['toolbox-root', 'dbg', 'dev2']);
    expect(zsh('toolbox --engine ')).toEqual(['podman', 'docker']);
    expect(zsh('toolbox -- ')).toEqual(['<commands>']);
    expect(zsh('toolbox run ls ')).toEqual(['<files>']);
  });
});
