import { describe, expect, it } from 'vitest';
import { skopeoInspectArgs } from '../../src/engine/skopeo-args.js';

describe('skopeoInspectArgs', () => {
  it('passes the registries.conf named by CONTAINERS_REGISTRIES_CONF, since skopeo ignores the variable', () => {
    expect(
      skopeoInspectArgs('registry.opensuse.org/opensuse/toolbox', { CONTAINERS_REGISTRIES_CONF: '/t/reg.conf' }),
    ).toEqual([
      '--registries-conf',
      '/t/reg.conf',
      'inspect',
      '--no-tags',
      '--format',
      '{{.Digest}}',
      'docker://registry.opensuse.org/opensuse/toolbox',
    ]);
  });
  it('adds nothing when the variable is unset or empty', () => {
    expect(skopeoInspectArgs('x/y:1', {})).toEqual([
      'inspect',
      '--no-tags',
      '--format',
      '{{.Digest}}',
      'docker://x/y:1',
    ]);
    expect(skopeoInspectArgs('x/y:1', { CONTAINERS_REGISTRIES_CONF: '' })[0]).toBe('inspect');
  });
});
