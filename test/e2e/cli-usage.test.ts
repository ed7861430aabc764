// The command line's own behaviour, as a user and a script see it: settings refused where they
// come in, usage errors that point to the right help, --json failures, and honest messages.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { allCommands, describeCommand } from '../../src/cli/command-tree.js';
import { buildProgram } from '../../src/cli/program.js';
import {
  ENGINE,
  MINIMAL_IMAGE,
  containersNamed,
  forceRemove,
  isolatedEnv,
  podman,
  removeContainers,
  toolbox,
  runPrefix,
} from './helpers.js';

const P = runPrefix('cli-e2e-');
/** an invalid name; were it ever created, the container would carry this run's prefix */
const BAD_NAME = `${P}x;id`;
beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
});

const NAME_RULE = "use letters, digits, '_', '.' and '-', starting with a letter or digit";
const SPLIT_RULE = '--podman-args is split on whitespace, with no quoting and never through a shell';
const configOf = (env: NodeJS.ProcessEnv) => join(env.XDG_CONFIG_HOME!, 'toolbox/config.json');
/** the status lines of stderr, without the engine commands (some of several lines) that -v traces */
const statusLines = (stderr: string) =>
  stderr.split('\n').filter((l) => /^(pulling|creating|starting|entering|stopping) /.test(l));

describe('13.10: config set stores invalid values', () => {
  it.each([
    [
      'name',
      'rt-x;id',
      `Error: invalid toolbox name "rt-x;id": ${NAME_RULE}. Hint: run 'toolbox config set --help' for usage\n`,
    ],
    [
      'image',
      'localhost/x:$(id)',
      'Error: invalid image reference "localhost/x:$(id)". Hint: an image looks like registry.opensuse.org/opensuse/toolbox:latest\n',
    ],
    [
      'registry',
      'a b',
      'Error: invalid registry "a b". Hint: a registry looks like registry.opensuse.org or localhost:5000\n',
    ],
    [
      'shell',
      'bash',
      'Error: invalid shell "bash": expected an absolute path. Hint: run \'toolbox config set --help\' for usage\n',
    ],
    [
      'engine',
      'lxc',
      'Error: invalid engine "lxc": expected podman or docker. Hint: run \'toolbox config set --help\' for usage\n',
    ],
    [
      'autostop',
      'maybe',
      'Error: invalid autostop: expected true or false, got "maybe". Hint: run \'toolbox config set --help\' for usage\n',
    ],
  ])("config set %s %j is refused with the flag's rule, and nothing is stored", (key, value, stderr) => {
    const env = isolatedEnv();
    const r = toolbox(['config', 'set', key, value], { env });
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
    expect(toolbox(['config', 'get', key], { env }).code).toBe(1);
  });

  it('the same rule refuses the value as a flag and as a TOOLBOX_* variable', () => {
    const flag = toolbox(['list', '-c', BAD_NAME], { env: isolatedEnv() });
    expect(flag.stderr).toBe(
      `Error: invalid toolbox name "${BAD_NAME}": ${NAME_RULE}. Hint: run 'toolbox list --help' for usage\n`,
    );
    expect(flag.code).toBe(2);
    const variable = toolbox(['list'], { env: isolatedEnv({ TOOLBOX_NAME: BAD_NAME }) });
    expect(variable.stderr).toBe(
      `Error: TOOLBOX_NAME: invalid toolbox name "${BAD_NAME}": ${NAME_RULE}. Hint: fix or unset TOOLBOX_NAME\n`,
    );
    expect(variable.code).toBe(2);
  });

  it('a hand-edited invalid value is reported naming the file and the key, and how to fix it', () => {
    const env = isolatedEnv();
    const file = configOf(env);
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'toolbox'));
    writeFileSync(file, JSON.stringify({ name: BAD_NAME, autostop: 'no' }));
    for (const args of [['list'], ['run', 'true'], ['create']]) {
      const r = toolbox(args, { env });
      expect(r.stderr).toBe(
        `Error: ${file}: name: invalid toolbox name "${BAD_NAME}": ${NAME_RULE}. Hint: fix it with 'toolbox config set name VALUE', or remove it with 'toolbox config unset name'\n`,
      );
      expect(r.code).toBe(1);
    }
    expect(toolbox(['config', 'unset', 'name'], { env }).code).toBe(0);
    const bool = toolbox(['list'], { env });
    expect(bool.stderr).toBe(
      `Error: ${file}: autostop: expected a JSON boolean, got "no". Hint: fix it with 'toolbox config set autostop VALUE', or remove it with 'toolbox config unset autostop'\n`,
    );
    expect(bool.code).toBe(1);
    expect(toolbox(['config', 'set', 'autostop', 'no'], { env }).code).toBe(0);
    expect(toolbox(['config', 'get', 'autostop'], { env }).stdout).toBe('false\n');
    expect(toolbox(['list', '--json'], { env }).code).toBe(0);
    expect(containersNamed(`${P}x`)).toEqual([]);
  });
});

describe('the pull-failure hint suggests -P when -P was given', () => {
  it('a missing remote image that cannot be pulled, with -P: the hint says what can help', () => {
    const image = 'registry.invalid/cli-e2e/none:1';
    const r = toolbox(['run', '-P', '-c', `${P}nopull`, '-i', image, 'true']);
    expect(r.code).toBe(1);
    const [line, ...rest] = r.stderr.split('\n');
    expect(rest).toEqual(['']);
    expect(line).toMatch(
      /^Error: cannot pull registry\.invalid\/cli-e2e\/none:1: the registry registry\.invalid is unreachable \(.+\)\. Hint: (.+)$/,
    );
    expect(line!.replace(/^.*\. Hint: /, '')).toBe(
      `check the network; there is no local copy of the image (see '${ENGINE} images'), so load one or choose another with -i`,
    );
    expect(containersNamed(`${P}nopull`)).toEqual([]);
  });
});

describe('--json prints nothing on stdout on errors', () => {
  // Every command that has --json, drawn from the program itself, so a new one cannot be missed.
  const jsonCommands = allCommands(describeCommand(buildProgram({ exitCode: 0 }, () => {})))
    .filter((c) => c.options.some((o) => o.long === '--json'))
    .map((c) => c.path.slice(1));

  it('the sweep finds every --json command', () => {
    expect(jsonCommands.map((p) => p.join(' ')).sort()).toEqual([
      'collect',
      'config list',
      'export',
      'install',
      'list',
      'remove',
      'repo list',
      'rollback',
      'tools',
      'upgrade',
    ]);
  });

  it.each(jsonCommands.map((p) => [p.join(' '), p]))(
    '%s --json: a failure is a JSON object on stdout, with the same exit code',
    (_name, path) => {
      const args = [
        ...path,
        ...(path[0] === 'install' || path[0] === 'remove' ? ['x'] : []),
        '--json',
        '--no-such-option',
      ];
      const r = toolbox(args);
      const hint = `run 'toolbox ${path.join(' ')} --help' for usage`;
      expect(r.stderr).toBe(`Error: unknown option '--no-such-option'. Hint: ${hint}\n`);
      expect(r.stdout).toBe(
        `${JSON.stringify({ ok: false, result: 'failed', error: "unknown option '--no-such-option'", hint })}\n`,
      );
      expect(r.code).toBe(2);
    },
  );

  it('a failure after parsing: list --json with a corrupt config.json, exit 1', () => {
    const env = isolatedEnv();
    mkdirSync(join(env.XDG_CONFIG_HOME!, 'toolbox'));
    writeFileSync(configOf(env), '[1]');
    const r = toolbox(['list', '--json'], { env });
    const error = `${configOf(env)} is corrupt: not a JSON object`;
    const hint = 'fix the file, or move it away to start over (it was left untouched)';
    expect(r.stdout).toBe(`${JSON.stringify({ ok: false, result: 'failed', error, hint })}\n`);
    expect(r.stderr).toBe(`Error: ${error}. Hint: ${hint}\n`);
    expect(r.code).toBe(1);
  });

  it('run never prints JSON, even when its command has a --json argument', () => {
    const r = toolbox(['run', '-c', 'bad;x', 'echo', '--json']);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('rm MISSING hints "create it"', () => {
  it.each(['rm', 'stop'])('%s of a missing toolbox points to the list', (verb) => {
    const r = toolbox([verb, `${P}nope`]);
    expect(r.stderr).toBe(`Error: no such toolbox: ${P}nope. Hint: 'toolbox list' shows the toolboxes there are\n`);
    expect(r.code).toBe(1);
    expect(containersNamed(`${P}nope`)).toEqual([]);
  });

  it.each(['upgrade', 'upgrade --check', 'rollback'])(
    '%s of a missing toolbox points to the list, not to create',
    (verb) => {
      const r = toolbox([...verb.split(' '), `${P}nope`]);
      expect(r.stderr).toBe(`Error: no such toolbox: ${P}nope. Hint: 'toolbox list' shows the toolboxes there are\n`);
      expect(r.code).toBe(1);
      expect(containersNamed(`${P}nope`)).toEqual([]);
    },
  );
});

describe("unknown-option errors point to the top-level help, not the subcommand's", () => {
  it.each([
    [['list', '--bogus'], "Error: unknown option '--bogus'. Hint: run 'toolbox list --help' for usage\n"],
    [
      ['repo', 'add', 'a', 'b', '--bogus'],
      "Error: unknown option '--bogus'. Hint: run 'toolbox repo add --help' for usage\n",
    ],
    [['config', 'get'], "Error: missing required argument 'KEY'. Hint: run 'toolbox config get --help' for usage\n"],
    [['--bogus'], "Error: unknown option '--bogus'. Hint: run 'toolbox --help' for usage\n"],
    [['repo'], "Error: 'toolbox repo' needs a subcommand. Hint: run 'toolbox repo --help' for the list\n"],
  ])('%j', (args, stderr) => {
    const r = toolbox(args);
    expect(r.stderr).toBe(stderr);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(2);
  });
});

describe('toolbox help runs help inside a toolbox', () => {
  it.each([[[]], [['list']], [['repo', 'add']], [['config']]])(
    'toolbox help %j shows the same help as --help, and creates nothing',
    (words) => {
      const env = isolatedEnv({ TOOLBOX_NAME: `${P}help` });
      const r = toolbox(['help', ...words], { env });
      const help = toolbox([...words, '--help'], { env });
      expect(help.code).toBe(0);
      expect(r.stdout).toBe(help.stdout);
      expect(r.stdout).toMatch(/^Usage: toolbox/);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(containersNamed(`${P}help`)).toEqual([]);
    },
  );

  it('help for a command that does not exist is a usage error', () => {
    const env = isolatedEnv({ TOOLBOX_NAME: `${P}help` });
    const r = toolbox(['help', 'frobnicate'], { env });
    expect(r.stderr).toBe("Error: no such command: toolbox frobnicate. Hint: run 'toolbox help' for the list\n");
    expect(r.code).toBe(2);
    expect(containersNamed(`${P}help`)).toEqual([]);
  });
});

describe('-c a -c b silently takes the last one', () => {
  it.each([
    [
      ['-c', `${P}a`, '-c', `${P}b`, 'true'],
      `Error: -c/--container given twice, as "${P}a" and "${P}b". Hint: give -c/--container once\n`,
    ],
    [
      ['-c', `${P}a`, 'run', '-c', `${P}b`, 'true'],
      `Error: -c/--container given twice, as "${P}a" and "${P}b". Hint: give -c/--container once\n`,
    ],
    [
      ['list', '--engine', 'podman', '--engine', 'docker'],
      'Error: --engine given twice, as "podman" and "docker". Hint: give --engine once\n',
    ],
    [
      ['-i', 'localhost/a:1', 'create', '-i', 'localhost/b:1'],
      'Error: -i/--image given twice, as "localhost/a:1" and "localhost/b:1". Hint: give -i/--image once\n',
    ],
  ])('%j is refused naming the option (exit 2)', (args, stderr) => {
    const r = toolbox(args);
    expect(r.stderr).toBe(stderr);
    expect(r.code).toBe(2);
    expect(containersNamed(P)).toEqual([]);
  });

  it('the same value twice is what was meant', () => {
    const r = toolbox(['-c', `${P}same`, '-n', 'run', '-c', `${P}same`, 'hostname']);
    expect(r.stdout).toBe(`${P}same\n`);
    expect(r.code).toBe(0);
  });
});

describe('--podman-args that toolbox owns give confusing results', () => {
  it.each([
    [
      '--label io.toolbox.managed=false',
      "the io.toolbox.* labels are toolbox's own: they mark and describe the toolbox",
    ],
    ['--label=io.toolbox.mode=user', "the io.toolbox.* labels are toolbox's own: they mark and describe the toolbox"],
    ['-l io.toolbox.spec={}', "the io.toolbox.* labels are toolbox's own: they mark and describe the toolbox"],
    ['--name X', "--name is toolbox's own: the toolbox's name is set with -c NAME"],
    ['--replace', "--replace is toolbox's own: it would remove another container of the same name"],
    ['--env=A=b c', '"c" is neither an option nor an option\'s value'],
  ])('%j is refused in one line that explains the split rule', (args, why) => {
    const r = toolbox(['create', `${P}owned`, '--podman-args', args]);
    expect(r.stderr).toBe(
      `Error: --podman-args ${JSON.stringify(args)}: ${why}. Hint: ${SPLIT_RULE}; each argument is its own word, e.g. --podman-args '--env A=1 --volume /srv:/srv'\n`,
    );
    expect(r.code).toBe(2);
    expect(containersNamed(`${P}owned`)).toEqual([]);
  });

  it.each([
    [
      `--tty ${MINIMAL_IMAGE}`,
      `"${MINIMAL_IMAGE}" follows --tty, which takes no value: the engine would take it for the image`,
    ],
    [
      '--some-new-option localhost/other:latest',
      '"localhost/other:latest" follows --some-new-option, which toolbox does not know: write --some-new-option=localhost/other:latest if it is its value',
    ],
  ])('%j is refused: a word after an option that takes no value would become the image', (args, why) => {
    // run's options come before its command: what follows the command is the command's.
    for (const command of [
      ['create', `${P}image`, '--podman-args', args],
      ['run', '-c', `${P}image`, '--podman-args', args, 'true'],
    ]) {
      const r = toolbox(command);
      expect(r.stdout).toBe('');
      expect(r.stderr).toBe(
        `Error: --podman-args ${JSON.stringify(args)}: ${why}. Hint: ${SPLIT_RULE}; each argument is its own word, e.g. --podman-args '--env A=1 --volume /srv:/srv'\n`,
      );
      expect(r.code).toBe(2);
      expect(containersNamed(`${P}image`)).toEqual([]);
    }
  });

  it('a create that the engine cannot start leaves no container behind', () => {
    // The engine's create accepts the group; its start cannot find it in the image. podman says
    // which container it could not start; docker says only why.
    const why = ENGINE === 'docker' ? '' : 'unable to start container "\\1": ';
    for (const command of [
      ['create', `${P}nostart`, '--podman-args', '--user root:nosuchgroup'],
      ['run', '-c', `${P}nostart`, '--podman-args', '--user root:nosuchgroup', 'true'],
    ]) {
      const r = toolbox(command);
      expect(r.stdout).toBe('');
      expect(r.stderr).toMatch(
        new RegExp(
          `^Error: ${ENGINE} start ([0-9a-f]{64}) failed: ${why}unable to find group nosuchgroup: no matching entries in group file\\. Hint: run with -v to see the ${ENGINE} commands\n$`,
        ),
      );
      expect(r.code).toBe(125);
      expect(podman(['ps', '-a', '--filter', `name=${P}nostart`, '--format', '{{.Names}}']).stdout).toBe('');
    }
  });

  it('--help states the split rule', () => {
    const r = toolbox(['--help']);
    expect(r.stdout).toContain(`${SPLIT_RULE}.\n`);
    expect(r.stdout.replace(/\s+/g, ' ')).toContain(
      "--podman-args <args> extra arguments for the engine's create (repeatable); split on whitespace, no quoting, never through a shell",
    );
  });
});

describe('"entering toolbox" is printed before "creating"', () => {
  /** A first enter, in the order things happen: created, started, entered, stopped on exit. */
  const firstEnterLines = (box: string) => [
    `creating toolbox ${box} from localhost/toolbox-test:latest`,
    `starting toolbox ${box}`,
    `entering toolbox ${box}; type 'exit' to leave`,
    `stopping toolbox ${box} (last session ended; -n keeps it running)`,
  ];

  it('the status lines of a first enter come in the order things happen', () => {
    // A name never used before, so no state is left from an earlier run.
    const box = `${P}enter-${process.pid}`;
    const r = toolbox(['enter', '-v', box], { env: isolatedEnv(), input: 'exit 0\n' });
    expect(r.code).toBe(0);
    expect(statusLines(r.stderr)).toEqual(firstEnterLines(box));
  });

  it("a toolbox removed behind toolbox's back is not said to be starting before it is created again", () => {
    const box = `${P}again-${process.pid}`;
    const env = isolatedEnv();
    expect(toolbox(['run', '-c', box, 'true'], { env }).code).toBe(0);
    expect(forceRemove(box)).toBe(0);
    const r = toolbox(['enter', '-v', box], { env, input: 'exit 0\n' });
    expect(r.code).toBe(0);
    expect(statusLines(r.stderr)).toEqual(firstEnterLines(box));
  });
});
