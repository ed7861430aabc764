import { describe, expect, it } from 'vitest';
import { KEEP_ALIVE, createArgs } from '../../src/engine/create-args.js';
import { docker } from '../../src/engine/engines/docker.js';
import { podman } from '../../src/engine/engines/podman.js';
import { engineFailure, lastErrorLine } from '../../src/engine/errors.js';
import { parseInspect, parseInspectAll, parsePs } from '../../src/engine/parse.js';
import { routeDoubleDash, VALUE_OPTIONS } from '../../src/cli/program.js';
import type { BoxSpec } from '../../src/core/ports.js';

const spec: BoxSpec = { name: 'tb', image: 'img:1', mode: 'system', sandbox: false, engineArgs: [] };

describe('createArgs', () => {
  it('matches microos-toolbox for a system toolbox', () => {
    expect(createArgs(podman, spec, { l: 'v' }, true, () => true)).toEqual([
      'create',
      '--pull',
      'never',
      '--name',
      'tb',
      '--hostname',
      'tb',
      '--network',
      'host',
      '--privileged',
      '--security-opt',
      'label=disable',
      '--pid',
      'host',
      '--ipc',
      'host',
      '--volume',
      '/:/media/root:rslave',
      '--volume',
      '/sys:/sys:rslave',
      '--mount',
      'type=devpts,destination=/dev/pts',
      '--add-host',
      'tb:127.0.1.1',
      '--volume',
      '/etc/machine-id:/etc/machine-id:ro',
      '--volume',
      '/etc/localtime:/etc/localtime:ro',
      '--label',
      'l=v',
      'img:1',
      ...KEEP_ALIVE,
    ]);
  });

  it('docker quirk: no devpts mount (podman-only type; docker gives a privileged container its own /dev/pts)', () => {
    const args = createArgs(docker, spec, {}, true, () => true);
    expect(args.join(' ')).not.toContain('devpts');
    expect(args.slice(args.indexOf('/sys:/sys:rslave') + 1, args.indexOf('/sys:/sys:rslave') + 3)).toEqual([
      '--add-host',
      'tb:127.0.1.1',
    ]);
  });

  it('user mode: keep-id only rootless on podman, runtime dir only when it exists', () => {
    const user = {
      ...spec,
      mode: 'user' as const,
      user: { uid: 1000, gid: 100, name: 'u', group: 'users', home: '/home/u' },
    };
    const rootless = createArgs(podman, user, {}, false, () => false);
    expect(rootless).toContain('keep-id');
    expect(rootless.join(' ')).not.toContain('/run/user/1000');
    expect(createArgs(podman, user, {}, true, () => true)).not.toContain('keep-id');
    expect(createArgs(podman, user, {}, true, () => true).join(' ')).toContain(
      '--volume /run/user/1000:/run/user/1000:rslave',
    );
    expect(createArgs(docker, user, {}, false, () => true)).not.toContain('--annotation');
  });

  it("adds each engine's own user-mode arguments after the user's volumes, before the labels", () => {
    const user = {
      ...spec,
      mode: 'user' as const,
      user: { uid: 1000, gid: 100, name: 'u', group: 'users', home: '/home/u' },
    };
    const tail = (args: string[]) => args.slice(args.indexOf('/home/u:/home/u') + 1);
    const labels = { l: 'v' };
    const end = ['--label', 'l=v', 'img:1', ...KEEP_ALIVE];
    const keepGroups = ['--annotation', 'run.oci.keep_original_groups=1'];
    expect(tail(createArgs(podman, user, labels, false, () => false))).toEqual([
      ...keepGroups,
      '--userns',
      'keep-id',
      ...end,
    ]);
    expect(tail(createArgs(podman, user, labels, true, () => false))).toEqual([...keepGroups, ...end]);
    expect(tail(createArgs(docker, user, labels, false, () => false))).toEqual(end);
    expect(tail(createArgs(docker, user, labels, true, () => false))).toEqual(end);
  });

  it('sandbox drops privileges and mounts the host root read-only; extra args come before the image', () => {
    const args = createArgs(
      podman,
      { ...spec, sandbox: true, runtime: 'runc', engineArgs: ['--env', 'A=1'] },
      {},
      true,
      () => true,
    );
    expect(args).not.toContain('--privileged');
    expect(args).not.toContain('--pid');
    expect(args).toContain('/:/media/root:ro,rslave');
    expect(args.slice(-5)).toEqual(['--env', 'A=1', 'img:1', ...KEEP_ALIVE]);
    expect(args.slice(9, 11)).toEqual(['--runtime', 'runc']);
  });
});

describe('engine output', () => {
  it('parses podman inspect', () => {
    const json = JSON.stringify([
      {
        Id: 'abc',
        Name: 'tb',
        Created: '2026-01-02T03:04:05.123456789Z',
        ImageName: 'img:1',
        State: { Status: 'running', Pid: 42, StartedAt: 'x' },
        Config: { Labels: { 'io.toolbox.managed': 'true', 'io.toolbox.mode': 'user' } },
      },
    ]);
    expect(parseInspect(json)).toMatchObject({
      name: 'tb',
      id: 'abc',
      image: 'img:1',
      status: 'running',
      pid: 42,
      isToolbox: true,
      mode: 'user',
      created: '2026-01-02T03:04:05.123Z',
    });
  });

  it("finds podman's container index from StaticDir, and nothing where it does not fit the id", () => {
    const at = (StaticDir: string, Id = 'abc') =>
      parseInspect(JSON.stringify([{ Id, Name: 'tb', StaticDir, State: {}, Config: {} }]))?.storeIndex;
    expect(at('/var/lib/containers/storage/overlay-containers/abc/userdata')).toBe(
      '/var/lib/containers/storage/overlay-containers/containers.json',
    );
    expect(at('/home/u/.local/share/containers/storage/vfs-containers/abc/userdata')).toBe(
      '/home/u/.local/share/containers/storage/vfs-containers/containers.json',
    );
    expect(at('/var/lib/containers/storage/overlay-containers/other/userdata')).toBeUndefined();
    expect(at('/somewhere/else')).toBeUndefined();
  });

  it('parses docker inspect and docker ps lines', () => {
    const inspect = JSON.stringify([
      {
        Id: 'd1',
        Name: '/tb',
        Created: '2026-01-02T03:04:05Z',
        Image: 'sha256:x',
        State: { Status: 'exited', Pid: 0 },
        Config: { Image: 'img:1', Labels: null },
      },
    ]);
    expect(parseInspect(inspect)).toMatchObject({ name: 'tb', image: 'img:1', status: 'exited', isToolbox: false });
    const ps =
      '{"ID":"d1","Names":"tb","Image":"img:1","State":"running","CreatedAt":"2026-01-02 03:04:05 +0000 UTC","Labels":"io.toolbox.managed=true,io.toolbox.mode=system"}';
    expect(parsePs(ps)).toMatchObject([
      { name: 'tb', status: 'running', isToolbox: true, mode: 'system', created: '2026-01-02T03:04:05.000Z' },
    ]);
  });

  it('docker quirk: its ps loses the spec label (JSON with commas) and the image id, so toolboxes are read again with inspect', () => {
    const spec = '{"name":"tb","image":"img:1","mode":"system","sandbox":false,"engineArgs":[]}';
    const labels = `io.toolbox.managed=true,io.toolbox.mode=system,io.toolbox.spec=${spec},io.toolbox.version=0.1.0`;
    // after an upgrade rebuilt img:1, docker's ps shows the old generation's image by its id
    const ps = JSON.stringify({ ID: 'd1', Names: 'tb.gen1', Image: 'sha256:aa', State: 'exited', Labels: labels });
    const [listed] = parsePs(ps);
    expect([listed?.spec, listed?.imageId, listed?.image]).toEqual([undefined, '', 'sha256:aa']);
    const inspect = JSON.stringify([
      {
        Id: 'd1',
        Name: '/tb.gen1',
        Created: '2026-01-02T03:04:05Z',
        Image: 'sha256:aa',
        State: { Status: 'exited', Pid: 0 },
        Config: { Image: 'img:1', Labels: { 'io.toolbox.managed': 'true', 'io.toolbox.spec': spec } },
      },
      { Id: 'd2', Name: '/other', Image: 'sha256:bb', State: { Status: 'running', Pid: 7 }, Config: { Image: 'x' } },
    ]);
    expect(parseInspectAll(inspect).map((b) => [b.id, b.name, b.image, b.imageId, b.spec?.name, b.pid])).toEqual([
      ['d1', 'tb.gen1', 'img:1', 'aa', 'tb', 0],
      ['d2', 'other', 'x', 'bb', undefined, 7],
    ]);
    expect(parseInspectAll('[]')).toEqual([]);
  });

  it('parses podman ps JSON, including an empty list', () => {
    expect(parsePs('[]')).toEqual([]);
    expect(parsePs('')).toEqual([]);
    const ps = JSON.stringify([
      {
        Id: 'p1',
        Names: ['tb'],
        Image: 'img:1',
        State: 'exited',
        Created: 1767323045,
        Labels: { 'io.toolbox.managed': 'true' },
      },
    ]);
    expect(parsePs(ps)[0]).toMatchObject({ name: 'tb', status: 'exited', created: '2026-01-02T03:04:05.000Z' });
  });

  it('output that is not JSON is the engine failing (exit 125), not an internal error', () => {
    for (const bad of ['garbage', '{"a":', 'null\ngarbage']) {
      expect(() => parsePs(bad)).toThrow(/^the container engine printed something that is not JSON: /);
      expect(() => parseInspect(bad)).toThrow(/^the container engine printed something that is not JSON: /);
    }
    try {
      parseInspect('garbage\n');
    } catch (error) {
      expect((error as { exitCode: number }).exitCode).toBe(125);
      expect((error as Error).message).toBe('the container engine printed something that is not JSON: "garbage"');
    }
    expect(() => parsePs('{"a":1}\n')).not.toThrow();
    expect(parseInspect('{"not":"a list"}')).toBeUndefined();
    expect(parseInspect('[null]')).toBeUndefined();
  });

  it('turns engine stderr into one actionable line', () => {
    expect(lastErrorLine('time="x" level=warning msg="w"\nError: something broke\n')).toBe('something broke');
    expect(
      lastErrorLine('time="2026-01-01T00:00:00Z" level=error msg="reading system config \\"/x.conf\\": toml: bad"\n'),
    ).toBe('reading system config "/x.conf": toml: bad');
    expect(engineFailure('podman', 'ps', '', 'Error: boom').message).toBe('podman ps failed: boom');
    expect(
      engineFailure('podman', 'start', 'tb', 'Error: no container with name or ID "tb" found: no such container')
        .message,
    ).toBe('no such toolbox: tb');
    expect(
      engineFailure(
        'podman',
        'pull',
        'x/y',
        'Error: initializing source docker://x/y: reading manifest latest in docker.io/x/y: manifest unknown',
      ).message,
    ).toMatch(/^image not found: x\/y/);
    // docker quirk: the daemon's refusal, not the summary line after it that names only the id
    expect(
      lastErrorLine(
        'Error response from daemon: path /sys is mounted on /sys but it is not a shared or slave mount\nError: failed to start containers: 0123abc\n',
      ),
    ).toBe('path /sys is mounted on /sys but it is not a shared or slave mount');
    const e = engineFailure('podman', 'start', 'tb', 'Error: OCI runtime error: boom');
    expect(e.message).toBe('podman start tb failed: OCI runtime error: boom');
    expect(e.exitCode).toBe(125);
  });

  it('names the signal that killed an engine that said nothing, and only then', () => {
    expect(engineFailure('podman', 'create', 'tb', '', 137).message).toBe('podman create tb failed: killed by SIGKILL');
    expect(engineFailure('podman', 'stop', 'tb', '', 143).message).toBe('podman stop tb failed: killed by SIGTERM');
    expect(engineFailure('podman', 'stop', 'tb', 'Error: boom', 137).message).toBe('podman stop tb failed: boom');
    expect(engineFailure('podman', 'stop', 'tb', '', 125).message).toBe('podman stop tb failed: no output');
    expect(engineFailure('podman', 'stop', 'tb', '').message).toBe('podman stop tb failed: no output');
  });
});

describe('routeDoubleDash', () => {
  it('routes `toolbox [opts] -- CMD` to run, and leaves everything else alone', () => {
    expect(routeDoubleDash(['-n', '--', 'rm', 'x'], VALUE_OPTIONS)).toEqual(['-n', 'run', '--', 'rm', 'x']);
    expect(routeDoubleDash(['-c', '--', '--', 'ls'], VALUE_OPTIONS)).toEqual(['-c', '--', 'run', '--', 'ls']);
    expect(routeDoubleDash(['rm', '--', 'x'], VALUE_OPTIONS)).toEqual(['rm', '--', 'x']);
    expect(routeDoubleDash(['ls', '-la'], VALUE_OPTIONS)).toEqual(['ls', '-la']);
  });
});
