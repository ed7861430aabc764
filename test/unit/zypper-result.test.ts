import { describe, expect, it } from 'vitest';
import {
  interpretZypper,
  notFoundNames,
  problemLines,
  skippedRepos,
  type ZypperAction,
} from '../../src/core/tools/zypper-result.js';

const run = (exitCode: number, stdout = '', stderr = '') => ({ exitCode, stdout, stderr });
const install = (exitCode: number, stdout = '', stderr = '', action: ZypperAction = 'install') =>
  interpretZypper(run(exitCode, stdout, stderr), { action, box: 'tb', subjects: ['tl-hello'] });

describe('zypper exit codes 1-8: failures, each with its own message', () => {
  const cases: [number, string, string][] = [
    [1, 'bug', 'zypper hit an unexpected situation (exit 1, a zypper bug)'],
    [2, 'syntax', 'zypper rejected its command line (exit 2): Unknown option'],
    [3, 'invalid-args', 'zypper rejected an argument (exit 3): Unknown option'],
    [4, 'zypp', 'zypper failed (exit 4): Unknown option'],
    [5, 'privileges', 'zypper needs root in the toolbox (exit 5)'],
    [6, 'no-repos', 'toolbox tb has no package repositories (exit 6)'],
    [7, 'locked', 'the package manager in toolbox tb is busy: another zypper or rpm holds its lock (exit 7)'],
    [8, 'commit', 'installing or removing packages failed midway (exit 8): Unknown option'],
  ];
  for (const [code, kind, message] of cases) {
    it(`exit ${code} is ${kind}`, () => {
      const o = install(code, '', 'Unknown option.\n');
      expect(o.ok).toBe(false);
      expect(o.kind).toBe(kind);
      expect(o.message).toBe(message);
      expect(o.exitCode).toBe(code);
      expect(o.hint).toBeTruthy();
    });
  }

  it('exit 6 tells how to add a repository', () => {
    expect(install(6).hint).toBe('add one with toolbox repo add ALIAS URL --key KEY');
  });

  it('exit 8 names the first telling error line, not the history after it', () => {
    const stderr =
      'Problem occurred during or after installation or removal of packages:\nFailed to cache rpm database (1).\nHistory:\n - rpmdb2solv ...\nrpmdb2solv: no error\n\nPlease see the above error message for a hint.\n';
    expect(install(8, '', stderr).message).toBe(
      'installing or removing packages failed midway (exit 8): Failed to cache rpm database (1)',
    );
  });
});

describe('zypper exit codes 100-107', () => {
  for (const code of [100, 101, 102, 103, 106, 107]) {
    it(`exit ${code} means the operation was done`, () => {
      const o = install(code);
      expect(o.ok).toBe(true);
      expect(o.kind).toBe('ok');
    });
  }

  it('100 and 101 carry no warning; 102, 103, 106 and 107 say what to know', () => {
    expect(install(100).warnings).toEqual([]);
    expect(install(101).warnings).toEqual([]);
    expect(install(102).warnings).toEqual([
      'zypper says a reboot is needed; for a toolbox, restarting it is enough (toolbox stop, then use it again)',
    ]);
    expect(install(103).warnings).toEqual(['zypper updated itself; run the command again to finish']);
    expect(install(106).warnings).toEqual(['some repositories could not be refreshed and were skipped']);
    expect(install(107).warnings).toEqual([
      "a package's install script failed; the package is installed but may not work",
    ]);
  });

  it('104 is "no package named X", distinct from every other failure', () => {
    const o = install(
      104,
      "Loading repository data...\nReading installed packages...\n'tl-nope' not found in package names. Trying capabilities.\n",
      "No provider of 'tl-nope' found.\n",
    );
    expect(o.ok).toBe(false);
    expect(o.kind).toBe('not-found');
    expect(o.notFound).toEqual(['tl-nope']);
    expect(o.message).toBe('no package named tl-nope in the repositories of toolbox tb');
    expect(o.hint).toBe('look for the right name with toolbox search TERM');
  });

  it('104 for remove and for search', () => {
    expect(
      interpretZypper(run(104, '', "No provider of 'x' found.\n"), { action: 'remove', box: 'tb', subjects: ['x'] })
        .message,
    ).toBe('no package named x is installed in toolbox tb');
    expect(
      interpretZypper(run(104, 'No matching items found.\n'), { action: 'search', box: 'tb', subjects: ['zzz'] })
        .message,
    ).toBe('no package matches zzz');
  });

  it('105 is an interruption', () => {
    expect(install(105).kind).toBe('interrupted');
    expect(install(105).ok).toBe(false);
  });

  it('an unknown code is a failure that names it', () => {
    expect(install(42, '', 'boom\n').message).toBe('zypper failed with exit 42: boom');
  });
});

const CONFLICT = `Loading repository data...
Reading installed packages...
Resolving package dependencies...

Problem: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch
 Solution 1: deinstallation of tl-hello-1.0-1.noarch
 Solution 2: do not install tl-rival-1.0-1.noarch

Choose from above solutions by number or cancel [1/2/c/d/?] (c): c
`;

describe('dependency problems', () => {
  it('exit 4 with problem lines is a conflict: nothing installed, the problem shown', () => {
    const o = install(4, CONFLICT);
    expect(o.kind).toBe('conflict');
    expect(o.message).toBe(
      'dependency problem, nothing was installed: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch',
    );
    expect(o.problems).toEqual([
      'Problem: tl-rival-1.0-1.noarch conflicts with tl-hello provided by tl-hello-1.0-1.noarch',
      '  Solution 1: deinstallation of tl-hello-1.0-1.noarch',
      '  Solution 2: do not install tl-rival-1.0-1.noarch',
    ]);
  });

  it('keeps every problem when there are several', () => {
    const text = 'Problem: a\n Solution 1: x\n\nProblem: b\n Solution 1: y\n';
    expect(problemLines(text)).toEqual(['Problem: a', '  Solution 1: x', 'Problem: b', '  Solution 1: y']);
  });
});

const TAMPERED_OUT = `Retrieving repository 'tampered' metadata [.

    Warning: This file was modified after it has been signed. This may have been a malicious change,
    so it might not be trustworthy anymore! You should not continue unless you know it's safe.

Signature verification failed for file 'repomd.xml' from repository 'tampered'. Continue? [yes/no] (no): no
error]
`;
const TAMPERED_ERR = `Signature verification failed for file 'repomd.xml' from repository 'tampered'.
Repository 'tampered' is invalid.
Skipping repository 'tampered' because of the above error.
Could not refresh the repositories because of errors.
`;
const UNKNOWN_KEY_OUT = `Retrieving repository 'tlrepo' metadata [..

New repository or package signing key received:

  Repository:       tlrepo
  Key Fingerprint:  7762A273 60A9F91F E231F36A 006E721F A4BE4356

Do you want to reject the key, trust temporarily, or trust always? [r/t/a/?] (r): r
error]
`;
const UNKNOWN_KEY_ERR = `Repository 'tlrepo' is invalid.
History:
 - Signature verification failed for repomd.xml
Skipping repository 'tlrepo' because of the above error.
`;

describe('signatures', () => {
  it('a tampered repomd.xml is refused, and explains a 104 that follows from it', () => {
    for (const code of [4, 104]) {
      const o = interpretZypper(run(code, TAMPERED_OUT, TAMPERED_ERR), { action: 'refresh', box: 'tb' });
      expect(o.ok).toBe(false);
      expect(o.kind).toBe('signature');
      expect(o.message).toBe(
        "repository 'tampered' failed its signature check (its repomd.xml does not match its signature); refusing to use it",
      );
    }
  });

  it('a key nobody trusted is rejected, and the cure named is --key', () => {
    const o = interpretZypper(run(4, UNKNOWN_KEY_OUT, UNKNOWN_KEY_ERR), { action: 'refresh', box: 'tb' });
    expect(o.kind).toBe('untrusted-key');
    expect(o.message).toBe(
      "repository 'tlrepo' is signed with a key that is not trusted in toolbox tb; refusing to use it",
    );
    expect(o.hint).toContain('--key');
  });

  it('an install that worked despite a skipped tampered repository warns about it', () => {
    const o = install(106, TAMPERED_OUT, TAMPERED_ERR);
    expect(o.ok).toBe(true);
    expect(o.warnings).toEqual([
      'some repositories could not be refreshed and were skipped',
      "repository 'tampered' failed its signature check and was not used",
    ]);
  });

  it('finds the names zypper reports', () => {
    expect(skippedRepos(TAMPERED_ERR)).toEqual(['tampered']);
    expect(notFoundNames("No provider of 'a' found.\nNo provider of 'b' found.\n")).toEqual(['a', 'b']);
  });
});
