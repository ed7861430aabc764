import { describe, expect, it } from 'vitest';
import { removeBox, stopBox } from '../../src/core/box/box-admin.js';
import { inBoxSession } from '../../src/core/box/box-session.js';
import { runInBox } from '../../src/core/box/run-in-box.js';
import { RegistryError } from '../../src/core/errors.js';
import { resolveSettings } from '../../src/core/settings/settings.js';
import { fakeDeps } from './fakes/deps.js';
import { box } from './fakes/engine.js';

const settings = (flags = {}) =>
  resolveSettings(
    { image: 'localhost/img:1', container: 'tb', ...flags },
    { rc: {}, config: {}, env: {}, userName: 'alice' },
  );

describe('runInBox', () => {
  it('first use: inspect, create, start, set up, exec, then auto-stop', async () => {
    const deps = fakeDeps();
    deps.engine.execCode = 42;
    expect(await runInBox(deps, settings(), { command: ['true'], create: true, tty: false })).toBe(42);
    expect(deps.engine.calls).toEqual([
      'inspect tb',
      'ps', // NAME missing: no upgrade or rollback is between two generations of it (issue 21 F3)
      'create tb',
      'start id-tb',
      'exec-capture id-tb',
      'exec id-tb true',
      'stop id-tb',
    ]);
  });

  it('a stopped toolbox it has seen before: start by id, exec, nothing else', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings(), { command: ['true'], create: true, tty: false });
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual(['start id-tb', 'exec id-tb true']);
  });

  it('a user-mode toolbox is set up once, on creation', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ user: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls.filter((c) => c.startsWith('exec-capture'))).toEqual(['exec-capture id-tb']);
  });

  it('the hot path on a running toolbox is one engine call', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true }), { command: ['echo', 'hi'], create: true, tty: false });
    expect(deps.engine.calls).toEqual(['exec id-tb echo hi']);
  });

  it('another live session keeps the toolbox running', async () => {
    const deps = fakeDeps();
    deps.sessions.others = 1;
    await runInBox(deps, settings(), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).not.toContain('stop id-tb');
  });

  it('a toolbox left half-made (created, never started) is started and set up; a stopped one only started', async () => {
    const deps = fakeDeps();
    const user = { uid: 1000, gid: 1000, name: 'alice', group: 'alice', home: '/home/alice' };
    await deps.engine.createBox(
      { name: 'tb', image: 'localhost/img:1', mode: 'user', sandbox: false, engineArgs: [], user },
      { 'io.toolbox.managed': 'true' },
    );
    deps.engine.calls = [];
    await runInBox(deps, settings({ user: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual([
      'inspect tb',
      'start id-tb',
      'exec-capture id-tb',
      'exec id-tb true',
      'stop id-tb',
    ]);
    deps.engine.calls = [];
    await runInBox(deps, settings({ user: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual(['start id-tb', 'exec id-tb true', 'stop id-tb']);
  });

  it('a running toolbox without its record (a create killed during setup) is set up again, once', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true, user: true }), { command: ['true'], create: true, tty: false });
    deps.sessions.forget('id-tb');
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true, user: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual(['inspect id-tb', 'exec-capture id-tb', 'exec id-tb true']);
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true, user: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual(['exec id-tb true']);
  });

  it('without create, a missing toolbox is an error and nothing is made', async () => {
    const deps = fakeDeps();
    await expect(runInBox(deps, settings(), { command: ['true'], create: false, tty: false })).rejects.toThrow(
      'no such toolbox: tb',
    );
    expect(deps.engine.calls).toEqual(['inspect tb', 'ps']);
  });

  it('a failed pull falls back to a local copy with a warning', async () => {
    const deps = fakeDeps();
    deps.engine.images.add('registry.example/a/b:1');
    deps.engine.pullFails = true;
    await runInBox(deps, settings({ image: 'registry.example/a/b:1' }), {
      command: ['true'],
      create: true,
      tty: false,
    });
    expect(deps.reporter.lines).toContain(
      'warn: could not pull registry.example/a/b:1 (registry unreachable); using the local copy',
    );
  });

  it('a registry that cannot be reached: the local copy, with the one line of the cause as the warning', async () => {
    const deps = fakeDeps();
    deps.engine.images.add('registry.example/a/b:1');
    deps.engine.pullFails = new RegistryError(
      'unreachable',
      'cannot pull registry.example/a/b:1: the registry registry.example is unreachable (connection refused)',
    );
    await runInBox(deps, settings({ image: 'registry.example/a/b:1' }), {
      command: ['true'],
      create: true,
      tty: false,
    });
    expect(deps.reporter.lines).toContain(
      'warn: cannot pull registry.example/a/b:1: the registry registry.example is unreachable (connection refused); using the local copy',
    );
  });

  it('a signature the policy refuses is never papered over by the local copy: nothing is made', async () => {
    const deps = fakeDeps();
    deps.engine.images.add('registry.example/a/b:1');
    deps.engine.pullFails = new RegistryError(
      'signature',
      'cannot pull registry.example/a/b:1: the signature policy refused it',
    );
    await expect(
      runInBox(deps, settings({ image: 'registry.example/a/b:1' }), { command: ['true'], create: true, tty: false }),
    ).rejects.toThrow('cannot pull registry.example/a/b:1: the signature policy refused it');
    expect(deps.engine.calls.filter((c) => c.startsWith('create'))).toEqual([]);
  });

  it('the shell session gets the prompt and only allow-listed environment', async () => {
    const deps = fakeDeps();
    let seen: Record<string, string> = {};
    deps.engine.execInteractive = (r) => {
      seen = r.env;
      return Promise.resolve(0);
    };
    await runInBox(deps, settings(), { command: undefined, create: true, tty: true });
    expect(Object.keys(seen).sort()).toEqual(['LANG', 'PROMPT_COMMAND', 'PS1', 'TOOLBOX_SESSION']);
  });
});

describe('stop and rm', () => {
  it('a paused toolbox is unpaused before it is stopped (podman refuses to stop it paused)', async () => {
    const deps = fakeDeps();
    deps.engine.boxes.set(
      'tb',
      box({
        name: 'tb',
        id: 'tb',
        image: 'i',
        status: 'paused',
        isToolbox: true,
        mode: 'system',
        version: '1',
        pid: 1,
      }),
    );
    expect(await stopBox(deps, 'tb', false)).toBe('stopped');
    expect(deps.engine.calls).toEqual(['ps', 'inspect tb', 'inspect tb', 'unpause tb', 'stop tb']);
  });

  it('refuses a container without the toolbox label', async () => {
    const deps = fakeDeps();
    deps.engine.boxes.set('x', box({ name: 'x', id: 'x', image: 'i', status: 'running', pid: 1 }));
    await expect(removeBox(deps, 'x', true)).rejects.toThrow('container x is not a toolbox');
    await expect(stopBox(deps, 'x', true)).rejects.toThrow('container x is not a toolbox');
    expect(deps.engine.calls).toEqual(['ps', 'inspect x', 'ps', 'inspect x']);
  });
});

describe('state by container id', () => {
  it('a session opened by id counts under the id and names the toolbox by its own name', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    deps.sessions.others = 0;
    const seen = await inBoxSession(deps, settings({ container: 'id-tb' }), { create: false }, (target) => {
      expect(deps.sessions.liveSessions('id-tb')).toBe(1);
      return Promise.resolve(target);
    });
    expect(seen).toEqual({ id: 'id-tb', name: 'tb', image: 'localhost/img:1' });
  });

  it('a cached name the engine no longer confirms is asked again, and the new container is used', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    const old = deps.engine.boxes.get('id-tb')!;
    deps.engine.boxes.delete('id-tb');
    deps.engine.boxes.set('renamed', { ...old, id: 'renamed', name: 'tb-b' }); // podman rename, seen as a new id here
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual([
      'inspect tb',
      'ps', // NAME missing: no upgrade or rollback is between two generations of it (issue 21 F3)
      'create tb',
      'start id-tb',
      'exec-capture id-tb',
      'exec id-tb true',
    ]);
  });

  it('-S for a toolbox made without it is refused before anything runs, on the hot path too', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    deps.engine.calls = [];
    await expect(
      runInBox(deps, settings({ sandbox: true }), { command: ['true'], create: true, tty: false }),
    ).rejects.toThrow('toolbox tb is not sandboxed (it was created without -S), but -S asks for a sandbox');
    expect(deps.engine.calls).toEqual([]);
  });

  it('a container replaced while the call waited for its lock (upgrade): the name is asked again', async () => {
    const deps = fakeDeps();
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    const old = deps.engine.boxes.get('id-tb')!;
    const lock = deps.sessions.withLock.bind(deps.sessions);
    let swapped = false;
    deps.sessions.withLock = async (id, fn) => {
      if (!swapped) {
        swapped = true; // what an upgrade holding the lock does meanwhile
        deps.engine.boxes.delete('id-tb');
        deps.engine.boxes.set('new-tb', { ...old, id: 'new-tb', status: 'exited', pid: 0 });
      }
      return lock(id, fn);
    };
    deps.engine.calls = [];
    await runInBox(deps, settings({ nostop: true }), { command: ['true'], create: true, tty: false });
    expect(deps.engine.calls).toEqual([
      'start id-tb',
      'inspect id-tb',
      'inspect tb',
      'start new-tb',
      'exec new-tb true',
    ]);
  });
});
