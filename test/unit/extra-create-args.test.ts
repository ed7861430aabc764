// --podman-args that toolbox owns give confusing results: they are refused, with the split rule.
import { describe, expect, it } from 'vitest';
import { checkExtraCreateArgs } from '../../src/engine/create-args.js';
import { ENGINE_REGISTRY } from '../../src/engine/engines/registry.js';

const refusal = (value: string) => {
  try {
    checkExtraCreateArgs(value);
    return 'accepted';
  } catch (error) {
    return (error as Error).message.replace(`--podman-args ${JSON.stringify(value)}: `, '');
  }
};
const LABELS = "the io.toolbox.* labels are toolbox's own: they mark and describe the toolbox";

describe('--podman-args that toolbox owns', () => {
  it.each([
    ['--label io.toolbox.managed=false', LABELS],
    ['--label=io.toolbox.managed=false', LABELS],
    ['-l io.toolbox.mode=user', LABELS],
    ['-lio.toolbox.mode=user', LABELS],
    ['-itl io.toolbox.mode=user', LABELS],
    ['--name X', "--name is toolbox's own: the toolbox's name is set with -c NAME"],
    ['--name=X', "--name is toolbox's own: the toolbox's name is set with -c NAME"],
    ['--hostname h', "--hostname is toolbox's own: the hostname is always the toolbox's name"],
    ['-h h', "-h is toolbox's own: the hostname is always the toolbox's name"],
    [
      '--label-file f',
      "--label-file is toolbox's own: a label file could set the io.toolbox.* labels; use --label KEY=VALUE",
    ],
    ['--pull always', "--pull is toolbox's own: toolbox pulls the image itself (-P: do not)"],
    ['--replace', "--replace is toolbox's own: it would remove another container of the same name"],
    ['--rm', "--rm is toolbox's own: a toolbox is kept between uses"],
    ['--entrypoint sh', "--entrypoint is toolbox's own: the toolbox's keep-alive process must run"],
    ['--env A=1 --', "-- is toolbox's own: it would end the options, and what follows would become the image"],
    ['--env=A=b c', '"c" is neither an option nor an option\'s value'],
    ['--env A=b c', '"c" is neither an option nor an option\'s value'],
    ['image', '"image" is neither an option nor an option\'s value'],
    // After an option that takes no value, the engine would take the word for the image.
    [
      '--tty localhost/other:latest',
      '"localhost/other:latest" follows --tty, which takes no value: the engine would take it for the image',
    ],
    ['--privileged x', '"x" follows --privileged, which takes no value: the engine would take it for the image'],
    ['-it x', '"x" follows -it, which takes no value: the engine would take it for the image'],
    ['--env A=1 -t x', '"x" follows -t, which takes no value: the engine would take it for the image'],
    [
      '--use-api-socket x',
      '"x" follows --use-api-socket, which takes no value: the engine would take it for the image',
    ],
    // An option toolbox does not know (a newer engine's) takes a value only in the = form.
    [
      '--some-new-option localhost/other:latest',
      '"localhost/other:latest" follows --some-new-option, which toolbox does not know: write --some-new-option=localhost/other:latest if it is its value',
    ],
    ['-Z x', '"x" follows -Z, which toolbox does not know: write -Zx if it is its value'],
  ])('%j is refused: %s', (value, why) => {
    expect(refusal(value)).toBe(why);
  });

  it('the refusal is a usage error whose hint states the split rule', () => {
    expect(() => checkExtraCreateArgs('--name X')).toThrow(
      expect.objectContaining({
        exitCode: 2,
        hint: "--podman-args is split on whitespace, with no quoting and never through a shell; each argument is its own word, e.g. --podman-args '--env A=1 --volume /srv:/srv'",
      }),
    );
  });

  it.each([
    ['--env A=1', ['--env', 'A=1']],
    ['  --env=A=1   --privileged ', ['--env=A=1', '--privileged']],
    ['--label my.label=1 -l other=2', ['--label', 'my.label=1', '-l', 'other=2']],
    ['-it -e A=1 -v /srv:/srv', ['-it', '-e', 'A=1', '-v', '/srv:/srv']],
    ['-eNAME=io.toolbox.x', ['-eNAME=io.toolbox.x']],
    ['--workdir /usr/share --env FROM_CREATE=1', ['--workdir', '/usr/share', '--env', 'FROM_CREATE=1']],
    ['--tty --env A=1', ['--tty', '--env', 'A=1']],
    ['--tty=false', ['--tty=false']],
    ['--some-new-option=x --some-new-switch', ['--some-new-option=x', '--some-new-switch']],
    ['-Zx -P', ['-Zx', '-P']],
    ['--ulimit nofile=1024:1024 --cap-add SYS_PTRACE', ['--ulimit', 'nofile=1024:1024', '--cap-add', 'SYS_PTRACE']],
  ])('%j is accepted as %j', (value, words) => {
    expect(checkExtraCreateArgs(value)).toEqual(words);
  });
});

describe("the engines' create options", () => {
  it('no option takes a value with one engine and none with another', () => {
    const switches = new Set(ENGINE_REGISTRY.flatMap((q) => q.createOptions.switches));
    const values = new Set(ENGINE_REGISTRY.flatMap((q) => q.createOptions.values));
    expect([...switches].filter((o) => values.has(o))).toEqual([]);
  });

  it('every option is one word, long or short', () => {
    for (const q of ENGINE_REGISTRY)
      for (const o of [...q.createOptions.switches, ...q.createOptions.values])
        expect(o).toMatch(/^(--[a-z0-9-]+|-[a-zA-Z])$/);
  });
});
