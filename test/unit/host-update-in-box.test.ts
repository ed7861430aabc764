// host-update in every toolbox (src/core/box/host-update-in-box.ts): what is mounted, the label that
// records it, and the one line `toolbox run host-update` gives where there is none.
import { describe, expect, it } from 'vitest';
import { createBox, specFor } from '../../src/core/box/create-box.js';
import { ToolboxError } from '../../src/core/errors.js';
import { explainStartFailure, hostUpdateLabel } from '../../src/core/box/host-update-in-box.js';
import { runInBox } from '../../src/core/box/run-in-box.js';
import { resolveSettings } from '../../src/core/settings/settings.js';
import { createArgs } from '../../src/engine/create-args.js';
import { docker } from '../../src/engine/engines/docker.js';
import { podman } from '../../src/engine/engines/podman.js';
import type { BoxSpec } from '../../src/core/ports.js';
import { fakeDeps } from './fakes/deps.js';
import { box } from './fakes/engine.js';

const spec: BoxSpec = { name: 'tb', image: 'img:1', mode: 'system', sandbox: false, engineArgs: ['--env', 'A=1'] };
const settings = (flags = {}) =>
  resolveSettings(
    { image: 'localhost/img:1', container: 'tb', ...flags },
    { rc: {}, config: {}, env: {}, userName: 'alice' },
  );
const MOUNT = ['--volume', '/usr/bin/toolbox:/usr/local/bin/host-update:ro'];

describe('hostUpdateLabel', () => {
  it('names the executable, or why nothing is mounted', () => {
    expect(hostUpdateLabel('/usr/bin/toolbox')).toBe('/usr/bin/toolbox');
    expect(hostUpdateLabel(undefined)).toBe('none: npm form');
    expect(hostUpdateLabel('/opt/a:b/toolbox')).toBe('none: the executable path holds ":" or ","');
    // An executable someone else could replace is never mounted (it runs as root inside).
    expect(
      hostUpdateLabel({ untrusted: '/home/al/toolbox: it is owned by uid 1000, not by you (uid 0) or root' }),
    ).toBe(
      'none: the executable is not trusted (/home/al/toolbox: it is owned by uid 1000, not by you (uid 0) or root)',
    );
    expect(hostUpdateLabel('/opt/a,b/toolbox')).toBe('none: the executable path holds ":" or ","');
  });
});

describe('createArgs mounts the executable as host-update', () => {
  const labels = { 'io.toolbox.host-update': '/usr/bin/toolbox' };
  const user: BoxSpec = {
    ...spec,
    mode: 'user',
    user: { uid: 1000, gid: 100, name: 'u', group: 'users', home: '/home/u' },
  };

  it('read-only, before the extra arguments, in every mode and with both engines', () => {
    for (const s of [spec, { ...spec, sandbox: true }, user]) {
      for (const engine of [podman, docker]) {
        const args = createArgs(engine, s, labels, true, () => true);
        const at = args.indexOf(MOUNT[1]!);
        expect(args.slice(at - 1, at + 1)).toEqual(MOUNT);
        expect(at).toBeLessThan(args.indexOf('A=1'));
      }
    }
  });

  it('mounts nothing for a label that names no path, or none', () => {
    const cases: Record<string, string>[] = [{ 'io.toolbox.host-update': 'none: npm form' }, {}];
    for (const l of cases) {
      expect(createArgs(podman, spec, l, true, () => true).join(' ')).not.toContain('/usr/local/bin/host-update');
    }
  });
});

describe('createBox labels what it mounts', () => {
  it('the executable that runs, or none in the npm form', async () => {
    const deps = { ...fakeDeps(), executable: () => '/usr/bin/toolbox' };
    const { info } = await createBox(deps, specFor(deps, settings()), false);
    expect(info.labels['io.toolbox.host-update']).toBe('/usr/bin/toolbox');
    const npm = fakeDeps();
    const made = await createBox(npm, specFor(npm, settings()), false);
    expect(made.info.labels['io.toolbox.host-update']).toBe('none: npm form');
  });
});

describe('toolbox run host-update', () => {
  const run = (deps: ReturnType<typeof fakeDeps>, command: string[]) =>
    runInBox(deps, settings({ nostop: true }), { command, create: true, tty: false });

  it('in a toolbox that has it mounted: no engine call more than any command', async () => {
    const deps = { ...fakeDeps(), executable: () => '/usr/bin/toolbox' };
    await run(deps, ['true']);
    deps.engine.calls = [];
    deps.engine.captureCode = 1;
    await run(deps, ['host-update', 'status']);
    expect(deps.engine.calls).toEqual(['exec id-tb host-update status']);
  });

  it('in a toolbox made before the mount, whose image has none: one line, exit 127, nothing run', async () => {
    const deps = fakeDeps();
    await run(deps, ['true']);
    // made before: no host-update label at all
    delete deps.engine.find('tb')!.labels['io.toolbox.host-update'];
    deps.sessions.forget('id-tb');
    deps.engine.calls = [];
    deps.engine.captureCode = 127;
    const error = await run(deps, ['host-update', 'status']).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ToolboxError);
    expect((error as ToolboxError).message).toBe(
      'host-update is not in toolbox tb: it was made before toolbox put host-update into every toolbox, and its image has none',
    );
    expect((error as ToolboxError).hint).toBe("run 'toolbox upgrade tb'");
    expect((error as ToolboxError).exitCode).toBe(127);
    expect(deps.engine.calls.filter((c) => c.startsWith('exec '))).toEqual([]);
    // other commands are not looked at (the setup probe's 127 above would fail the setup that a
    // toolbox without its record gets, and a failed setup keeps no record: let it pass now)
    deps.engine.captureCode = 0;
    await run(deps, ['true']);
    deps.engine.calls = [];
    await run(deps, ['true']);
    expect(deps.engine.calls).toEqual(['exec id-tb true']);
  });

  it("in a toolbox made before the mount whose image has its own: the image's runs", async () => {
    const deps = fakeDeps();
    await run(deps, ['true']);
    delete deps.engine.find('tb')!.labels['io.toolbox.host-update'];
    deps.engine.calls = [];
    deps.engine.captureCode = 0;
    await run(deps, ['host-update', 'status']);
    expect(deps.engine.calls).toEqual(['exec-capture id-tb', 'exec id-tb host-update status']);
  });

  it('in a toolbox the npm form made: says that only the executable can be mounted', async () => {
    const deps = fakeDeps();
    await run(deps, ['true']);
    deps.engine.captureCode = 127;
    const error = (await run(deps, ['host-update']).catch((e: unknown) => e)) as ToolboxError;
    expect(error.message).toBe(
      'host-update is not in toolbox tb: the npm form of toolbox made it, and only the single executable can be mounted into a toolbox',
    );
    expect(error.hint).toBe(
      "run 'toolbox upgrade tb' with the toolbox executable (the toolbox RPM, or dist/sea/toolbox)",
    );
  });
});

describe('a toolbox whose executable is gone', () => {
  const made = box({ id: 'id-tb', name: 'tb', labels: { 'io.toolbox.host-update': '/tmp/dl/toolbox' } });
  const runc = new ToolboxError(
    'podman start id-tb failed: unable to start container "id-tb": runc: runc create failed: unable to start container process: error during container init: error mounting "/tmp/dl/toolbox" to rootfs at "/usr/local/bin/host-update": stat /tmp/dl/toolbox: no such file or directory: OCI runtime attempted to invoke a command that was not found',
    { exitCode: 125 },
  );

  it('cannot start: one line that names the file and the fix', () => {
    const error = explainStartFailure(runc, made) as ToolboxError;
    expect(error.message).toBe(
      'toolbox tb cannot start: /tmp/dl/toolbox, the toolbox executable it mounts as host-update, is gone',
    );
    expect(error.hint).toBe("put the executable back there, or run 'toolbox upgrade tb' to rebuild it with this one");
    expect(error.exitCode).toBe(125);
  });

  it('any other failure, or a toolbox without the mount, keeps its own words', () => {
    const other = new ToolboxError('podman start id-tb failed: no space left on device');
    expect(explainStartFailure(other, made)).toBe(other);
    expect(explainStartFailure(runc, box({ id: 'id-tb', name: 'tb' }))).toBe(runc);
  });
});
