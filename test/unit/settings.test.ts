import { describe, expect, it } from 'vitest';
import { composeImage, validateImage, validateName } from '../../src/core/settings/names.js';
import { resolveSettings, type Layers } from '../../src/core/settings/settings.js';

const layers = (over: Partial<Layers> = {}): Layers => ({ rc: {}, config: {}, env: {}, userName: 'alice', ...over });

describe('resolveSettings', () => {
  it('has microos-toolbox defaults', () => {
    const s = resolveSettings({}, layers());
    expect(s.name).toBe('toolbox-alice');
    expect(s.image).toBe('registry.opensuse.org/opensuse/toolbox');
    expect(s.mode).toBe('system');
    expect(s.shell).toBe('/bin/bash');
    expect(s.autostop).toBe(true);
    expect(s.pull).toBe(true);
  });

  it('user mode appends -user, and a tag comes last', () => {
    expect(resolveSettings({ user: true, tag: 'dev' }, layers()).name).toBe('toolbox-alice-user-dev');
    expect(resolveSettings({ tag: 'dev' }, layers()).name).toBe('toolbox-alice-dev');
    expect(resolveSettings({ user: true, container: 'work' }, layers()).name).toBe('work');
  });

  it('layers: toolboxrc < config < env < flags', () => {
    const l = layers({
      rc: { IMAGE: 'rc/img', TOOLBOX_NAME: 'rc-name', REGISTRY: 'rc.example' },
      config: { image: 'cfg/img' },
    });
    expect(resolveSettings({}, l).image).toBe('rc.example/cfg/img');
    expect(resolveSettings({}, l).name).toBe('rc-name');
    expect(resolveSettings({}, { ...l, env: { TOOLBOX_IMAGE: 'env/img' } }).image).toBe('rc.example/env/img');
    expect(resolveSettings({ img: 'flag/img' }, { ...l, env: { TOOLBOX_IMAGE: 'env/img' } }).image).toBe(
      'rc.example/flag/img',
    );
    expect(resolveSettings({ image: 'quay.example/x/y:1' }, l).image).toBe('quay.example/x/y:1');
    expect(resolveSettings({ reg: 'other.example' }, l).image).toBe('other.example/cfg/img');
  });

  it('-n, TOOLBOX_NOSTOP and config autostop', () => {
    expect(resolveSettings({ nostop: true }, layers()).autostop).toBe(false);
    expect(resolveSettings({}, layers({ env: { TOOLBOX_NOSTOP: '1' } })).autostop).toBe(false);
    expect(resolveSettings({}, layers({ config: { autostop: false } })).autostop).toBe(false);
  });

  it.each([
    [{ container: 'a', tag: 'b' }, undefined, "don't use both -c/--container and -t/--tag"],
    [{ image: 'a/b', reg: 'r' }, undefined, "don't use -i/--image together with -R/--reg or -I/--img"],
    [{ container: 'a' }, 'b', 'cannot tell which toolbox to use: "b" or the one from -c/-t'],
    [{ engine: 'lxc' }, undefined, 'invalid engine "lxc": expected podman or docker'],
    [{ tag: 'a b' }, undefined, 'invalid tag "a b"'],
  ])('refuses %j', (flags, positional, message) => {
    expect(() => resolveSettings(flags, layers(), positional)).toThrow(message);
  });
});

describe('names and images', () => {
  it.each(['toolbox-root', 'a', 'A1_.-', 'x'.repeat(63)])('accepts %s', (n) => {
    expect(validateName(n)).toBe(n);
  });
  it.each(['', '-a', '.a', '_a', 'a b', 'a/b', 'a;b', 'ä', 'x'.repeat(64), '$(id)'])('refuses %j', (n) => {
    expect(() => validateName(n)).toThrow(/invalid toolbox name/);
  });

  it('composes REGISTRY/IMAGE unless IMAGE names its registry', () => {
    expect(composeImage('registry.opensuse.org', 'opensuse/toolbox')).toBe('registry.opensuse.org/opensuse/toolbox');
    expect(composeImage('registry.opensuse.org', 'localhost/x:1')).toBe('localhost/x:1');
    expect(composeImage('r.example', 'quay.io/a/b')).toBe('quay.io/a/b');
    expect(composeImage('', 'a/b')).toBe('a/b');
  });

  it.each([
    'registry.opensuse.org/opensuse/toolbox',
    'localhost/toolbox-test:latest',
    'host:5000/a/b:1.2',
    `a@sha256:${'0'.repeat(64)}`,
  ])('accepts image %s', (i) => {
    expect(validateImage(i)).toBe(i);
  });
  it.each(['', 'UPPER/case', 'a b', 'a:b:c', '-a', 'a/../b', '$(id)'])('refuses image %j', (i) => {
    expect(() => validateImage(i)).toThrow(/invalid image reference/);
  });
});
