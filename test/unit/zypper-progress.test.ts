import { expect, it } from 'vitest';
import { ZypperProgress } from '../../src/core/tools/zypper-progress.js';

it('turns zypper lines into phases a person can follow', () => {
  const p = new ZypperProgress();
  const lines = [
    "Retrieving repository 'tlrepo' metadata [.done]",
    'Loading repository data...',
    'Reading installed packages...',
    'Resolving package dependencies...',
    'The following 2 NEW packages are going to be installed:',
    '2 new packages to install.',
    'Retrieving package tl-a-1.0-1.noarch (1/2),   5.9 KiB (   35   B unpacked)',
    'Checking for file conflicts: [....done]',
    '(1/2) Installing: tl-a-1.0-1.noarch [....done]',
    '(1/1) Removing tl-hello-1.0-1.noarch [.....done]',
    'Continue? [y/n/v/...? shows all options] (y): y',
  ];
  expect(lines.map((l) => p.phaseOf(l))).toEqual([
    'refreshing repository tlrepo',
    'loading repository data',
    'reading installed packages',
    'resolving dependencies',
    undefined,
    undefined,
    'downloading 2 packages (1/2: tl-a-1.0-1.noarch)',
    'checking for file conflicts',
    'installing tl-a-1.0-1.noarch (1/2)',
    'removing tl-hello-1.0-1.noarch (1/1)',
    undefined,
  ]);
  expect(p.packages).toBe(2);
});
