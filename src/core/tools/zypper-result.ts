// Reads what zypper printed and its exit code, and says what happened in one line. Pure: no
// processes here, so every mapping is pinned by unit tests. Exit codes from zypper(8).

export type ZypperAction = 'install' | 'remove' | 'search' | 'update' | 'refresh' | 'addrepo' | 'removerepo';

export type ZypperKind =
  | 'ok'
  | 'bug'
  | 'syntax'
  | 'invalid-args'
  | 'zypp'
  | 'privileges'
  | 'no-repos'
  | 'locked'
  | 'commit'
  | 'not-found'
  | 'interrupted'
  | 'signature'
  | 'untrusted-key'
  | 'conflict'
  | 'unknown';

export interface ZypperRun {
  exitCode: number;
  stdout: string;
  stderr: string;
}

export interface ZypperContext {
  action: ZypperAction;
  box: string;
  /** the packages (or the search term) the command was about */
  subjects?: readonly string[];
}

export interface ZypperOutcome {
  /** the operation took effect (informational exit codes 100-107 count as success) */
  ok: boolean;
  exitCode: number;
  kind: ZypperKind;
  /** one line: what happened */
  message: string;
  hint: string | undefined;
  /** zypper's dependency problem lines, with their solutions, as zypper printed them */
  problems: string[];
  /** names zypper found no provider for */
  notFound: string[];
  /** repositories zypper refused or skipped */
  badRepos: string[];
  warnings: string[];
}

/** The informational exit codes: the operation was done, with something to tell. */
const INFO_WARNINGS: Record<number, string | undefined> = {
  100: undefined, // updates are available: not news for install
  101: undefined, // security updates are available
  102: 'zypper says a reboot is needed; for a toolbox, restarting it is enough (toolbox stop, then use it again)',
  103: 'zypper updated itself; run the command again to finish',
  106: 'some repositories could not be refreshed and were skipped',
  107: "a package's install script failed; the package is installed but may not work",
};

export function interpretZypper(run: ZypperRun, context: ZypperContext): ZypperOutcome {
  const text = `${run.stdout}\n${run.stderr}`;
  const problems = problemLines(text);
  const notFound = notFoundNames(text);
  const badRepos = skippedRepos(text);
  const signature = /Signature verification failed|modified after it has been signed/i.test(text);
  const untrustedKey = /New repository or package signing key received/i.test(text) && /\(r\):\s*r\b/.test(text);
  const base = { exitCode: run.exitCode, problems, notFound, badRepos };
  const fail = (kind: ZypperKind, message: string, hint?: string): ZypperOutcome => ({
    ...base,
    ok: false,
    kind,
    message,
    hint,
    warnings: [],
  });
  const code = run.exitCode;
  const box = context.box;
  const repos = badRepos.length ? ` ${badRepos.map((r) => `'${r}'`).join(', ')}` : '';

  if (code === 0 || (code >= 100 && code <= 107 && code !== 104 && code !== 105)) {
    const warnings: string[] = [];
    const info = INFO_WARNINGS[code];
    if (info) warnings.push(info);
    if (untrustedKey) warnings.push(`repository${repos} is signed with a key that is not trusted and was not used`);
    else if (signature) warnings.push(`repository${repos} failed its signature check and was not used`);
    return { ...base, ok: true, kind: 'ok', message: 'done', hint: undefined, warnings };
  }

  // A rejected key or a bad signature explains whatever followed from it (often 104: the
  // package was only there). A rejected key comes first: zypper then reports the signature as
  // failed too, but the cure is the key.
  if (untrustedKey) {
    return fail(
      'untrusted-key',
      `repository${repos} is signed with a key that is not trusted in toolbox ${box}; refusing to use it`,
      "check the key's fingerprint with its owner, then add the repository with toolbox repo add ALIAS URL --key KEY",
    );
  }

  if (signature) {
    return fail(
      'signature',
      `repository${repos} failed its signature check (its repomd.xml does not match its signature); refusing to use it`,
      'the repository was changed after it was signed, or is not what it claims to be; ask its owner, or remove it with toolbox repo remove ALIAS',
    );
  }
  switch (code) {
    case 1:
      return fail(
        'bug',
        'zypper hit an unexpected situation (exit 1, a zypper bug)',
        `see /var/log/zypper.log in toolbox ${box}`,
      );
    case 2:
      return fail(
        'syntax',
        `zypper rejected its command line (exit 2): ${lastLine(run)}`,
        'this is a bug in toolbox; please report it',
      );
    case 3:
      return fail(
        'invalid-args',
        `zypper rejected an argument (exit 3): ${lastLine(run)}`,
        'check the names and URLs you gave',
      );
    case 4: {
      const [problem] = problems;
      if (problem !== undefined) {
        const nothing = context.action === 'remove' ? 'nothing was removed' : 'nothing was installed';
        return fail(
          'conflict',
          `dependency problem, ${nothing}: ${problem.replace(/^Problem:\s*/, '')}`,
          'the problem lines above show what conflicts; choose other packages, or ask the repository owner',
        );
      }
      return fail('zypp', `zypper failed (exit 4): ${lastLine(run)}`, `see /var/log/zypper.log in toolbox ${box}`);
    }
    case 5:
      return fail(
        'privileges',
        'zypper needs root in the toolbox (exit 5)',
        "toolbox runs zypper as root; is the toolbox's root restricted?",
      );
    case 6:
      return fail(
        'no-repos',
        `toolbox ${box} has no package repositories (exit 6)`,
        'add one with toolbox repo add ALIAS URL --key KEY',
      );
    case 7:
      return fail(
        'locked',
        `the package manager in toolbox ${box} is busy: another zypper or rpm holds its lock (exit 7)`,
        'wait for it to finish, then try again',
      );
    case 8:
      return fail(
        'commit',
        `installing or removing packages failed midway (exit 8): ${lastLine(run)}`,
        `check with toolbox run -c ${box} -- zypper verify`,
      );
    case 104:
      return fail(
        'not-found',
        notFoundMessage(context, notFound),
        context.action === 'search' ? 'try a shorter term' : 'look for the right name with toolbox search TERM',
      );
    case 105:
      return fail('interrupted', 'zypper was interrupted by a signal (exit 105)', 'run the command again');
    default:
      return fail(
        'unknown',
        `zypper failed with exit ${code}: ${lastLine(run)}`,
        `see /var/log/zypper.log in toolbox ${box}`,
      );
  }
}

function notFoundMessage(context: ZypperContext, names: string[]): string {
  const subjects = context.subjects ?? [];
  const list = (names.length ? names : subjects).join(', ');
  switch (context.action) {
    case 'search':
      return `no package matches ${subjects.join(' ')}`;
    case 'remove':
      return `no package named ${list} is installed in toolbox ${context.box}`;
    default:
      return `no package named ${list} in the repositories of toolbox ${context.box}`;
  }
}

/** "Problem: ..." lines and the solution lines under them. */
export function problemLines(text: string): string[] {
  const out: string[] = [];
  let inProblem = false;
  for (const raw of text.split('\n')) {
    const line = raw.trimEnd();
    if (/^Problem: /.test(line.trim())) {
      inProblem = true;
      out.push(line.trim());
    } else if (inProblem && /^\s+Solution \d+:/.test(line)) {
      out.push(`  ${line.trim()}`);
    } else if (inProblem && /^\s{2,}-/.test(line)) {
      out.push(`    ${line.trim()}`);
    } else if (line.trim() !== '') {
      inProblem = false;
    }
  }
  return out;
}

export function notFoundNames(text: string): string[] {
  const names = new Set<string>();
  for (const [, name] of text.matchAll(/(?:No provider of|Package) '([^']+)' (?:found|not found)/g))
    if (name) names.add(name);
  return [...names];
}

export function skippedRepos(text: string): string[] {
  const names = new Set<string>();
  for (const [, name] of text.matchAll(/(?:Skipping repository|from repository|Repository) '([^']+)'/g))
    if (name) names.add(name);
  for (const [, name] of text.matchAll(/^\s*Repository:\s+(\S+)\s*$/gm)) if (name) names.add(name);
  return [...names];
}

function lastLine(run: ZypperRun): string {
  const meaningful = (t: string) =>
    t
      .split('\n')
      .map((l) => l.trim())
      .filter(
        (l) =>
          l &&
          !/^(Loading repository data|Reading installed packages|Resolving package dependencies)\.\.\.$|^Please see the above|^History:|^- /.test(
            l,
          ),
      );
  // zypper writes its errors on stderr; stdout holds progress such as "[...error]".
  const err = meaningful(run.stderr);
  const out = meaningful(run.stdout);
  const telling = /error|failed|invalid|not |already exists|denied/i;
  // The first telling stderr line is the cause; later ones are its history ("rpmdb2solv: no error").
  const line =
    err.find((l) => telling.test(l)) ?? err.at(-1) ?? out.findLast((l) => telling.test(l)) ?? out.at(-1) ?? 'no output';
  return line.replace(/\.+$/, ''); // the message goes on, with its hint
}
