// The hot path's argument reader. `toolbox run ...` and the default form are what scripts call
// hundreds of times, and loading commander costs a quarter of Node's own start-up. This reader
// accepts only a strict subset of the full grammar and gives up (undefined) on anything else,
// so commander stays the one authority: a unit test checks that both agree on every sample.
import type { GlobalFlags } from '../core/settings.js';

const BOOLEAN: Record<string, keyof GlobalFlags> = {
  '-n': 'nostop', '--nostop': 'nostop', '-q': 'quiet', '--quiet': 'quiet', '-v': 'verbose', '--verbose': 'verbose',
  '-u': 'user', '--user': 'user', '-r': 'root', '--root': 'root', '-S': 'sandbox', '--sandbox': 'sandbox', '-P': 'noPull', '--no-pull': 'noPull',
};
const VALUED: Record<string, keyof GlobalFlags> = {
  '-c': 'container', '--container': 'container', '-t': 'tag', '--tag': 'tag', '-i': 'image', '--image': 'image',
  '-R': 'reg', '--reg': 'reg', '-I': 'img', '--img': 'img', '-X': 'runtime', '--runtime': 'runtime',
};
const CHOICES: Record<string, [keyof GlobalFlags, readonly string[]]> = {
  '--engine': ['engine', ['podman', 'docker']],
  '--exec': ['exec', ['auto', 'podman', 'direct']],
};

export interface FastRun {
  flags: GlobalFlags;
  command: string[];
}

/** The flags and command of a plain `toolbox [opts] [run] [opts] [--] CMD...`, or undefined. */
export function fastRunArgv(argv: readonly string[], subcommands: ReadonlySet<string>): FastRun | undefined {
  const flags: Record<string, unknown> = {};
  let i = 0;
  let sawRun = false;
  for (;;) {
    const a = argv[i];
    if (a === undefined) return { flags: flags as GlobalFlags, command: [] };
    if (a === '--') return { flags: flags as GlobalFlags, command: argv.slice(i + 1) };
    if (!a.startsWith('-') || a === '-') {
      if (a === 'run' && !sawRun) {
        sawRun = true;
        i++;
        continue;
      }
      if (!sawRun && subcommands.has(a)) return undefined;
      return { flags: flags as GlobalFlags, command: argv.slice(i) };
    }
    const key = BOOLEAN[a];
    if (key) {
      flags[key] = true;
      i++;
      continue;
    }
    const valued = VALUED[a];
    const choice = CHOICES[a];
    const value = argv[i + 1];
    if ((!valued && !choice) || value === undefined || value.startsWith('-')) return undefined;
    if (choice && !choice[1].includes(value)) return undefined;
    if (flags[valued ?? choice![0]] !== undefined) return undefined; // repeated: let commander decide
    flags[valued ?? choice![0]] = value;
    i += 2;
  }
}
