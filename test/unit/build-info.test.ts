import { describe, expect, it } from 'vitest';
import { buildInfo, formatBuildInfo, versionRequest } from '../../src/cli/build-info.js';

describe('--version --verbose and --version --json', () => {
  it('are asked for by exactly --version with one of the two words, in either order', () => {
    expect(versionRequest(['--version', '--verbose'])).toBe('verbose');
    expect(versionRequest(['--verbose', '--version'])).toBe('verbose');
    expect(versionRequest(['--version', '--json'])).toBe('json');
    expect(versionRequest(['--json', '--version'])).toBe('json');
    expect(versionRequest(['--version'])).toBeUndefined();
    expect(versionRequest(['--version', '--help'])).toBeUndefined();
    expect(versionRequest(['--json', '--verbose'])).toBeUndefined();
    expect(versionRequest(['--version', '--verbose', '--json'])).toBeUndefined();
  });

  it('name the version, the commit, the form, the Node.js that runs it and the machine', () => {
    const info = {
      version: '1.2.3',
      commit: 'abc123',
      form: 'executable',
      node: '24.22.3',
      arch: 'x64',
      platform: 'linux',
    } as const;
    expect(formatBuildInfo(info, 'verbose')).toBe(
      'toolbox 1.2.3\ncommit:   abc123\nform:     executable\nnode:     24.22.3 (embedded)\narch:     x64 (linux)\n',
    );
    expect(formatBuildInfo({ ...info, form: 'npm', node: '20.20.2' }, 'verbose')).toContain(
      'node:     20.20.2 (the Node.js that runs it)\n',
    );
    expect(JSON.parse(formatBuildInfo(info, 'json'))).toEqual(info);
  });

  it('outside a bundle, says the commit is unknown and the form is npm', () => {
    expect(buildInfo()).toEqual({
      version: '0.0.0-dev',
      commit: 'unknown',
      form: 'npm',
      node: process.versions.node,
      arch: process.arch,
      platform: process.platform,
    });
  });
});
