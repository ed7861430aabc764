// Turns zypper's output, line by line, into the phase a person wants to see (refreshing,
// resolving, downloading N packages, installing). Pure, so the wording is pinned by unit tests.

export class ZypperProgress {
  private total = 0;

  /** The phase this line starts, or undefined when it starts none. */
  phaseOf(rawLine: string): string | undefined {
    const line = rawLine.trim();
    let m: RegExpExecArray | null;
    if ((m = /^Retrieving repository '([^']+)' metadata/.exec(line))) return `refreshing repository ${m[1]}`;
    if ((m = /^Building repository '([^']+)' cache/.exec(line))) return `refreshing repository ${m[1]}`;
    if (line === 'Loading repository data...') return 'loading repository data';
    if (line === 'Reading installed packages...') return 'reading installed packages';
    if (line === 'Resolving package dependencies...') return 'resolving dependencies';
    if ((m = /^(\d+) (?:new )?packages? to (install|upgrade|downgrade|reinstall|remove)/.exec(line))) {
      this.total = Math.max(this.total, Number(m[1]));
      return undefined;
    }
    if ((m = /^Retrieving package (\S+) \((\d+)\/(\d+)\)/.exec(line))) {
      const n = Number(m[3]);
      return `downloading ${n} package${n === 1 ? '' : 's'} (${m[2]}/${n}: ${m[1]})`;
    }
    if (/^Checking for file conflicts/.test(line)) return 'checking for file conflicts';
    if ((m = /^\((\d+)\/(\d+)\) (Installing|Removing):? (\S+)/.exec(line))) {
      const [, done, total, action = '', name] = m;
      return `${action.toLowerCase()} ${name} (${done}/${total})`;
    }
    return undefined;
  }

  get packages(): number {
    return this.total;
  }
}
