// The options every toolbox command accepts, written once, as part of the grammar (grammar.ts).
// commander's options (options.ts) and the hot path's reader (fast-argv.ts) are drawn from this
// table; it imports nothing heavy, so the hot path can read it without loading commander.
import { ENGINES, EXEC_PATHS } from '../core/settings/setting-rules.js';
import type { GlobalFlags } from '../core/settings/settings.js';
import type { OptionSpec } from './option-spec.js';

/** A repeatable one (--podman-args) adds up; any other valued option may be given once. */
export interface GlobalOption extends OptionSpec {
  /** where the value lands in GlobalFlags */
  key: keyof GlobalFlags;
}

const PODMAN_ARGS_HELP =
  "extra arguments for the engine's create (repeatable); split on whitespace, no quoting, never through a shell";

export const GLOBAL_OPTIONS: readonly GlobalOption[] = [
  { short: '-c', long: '--container', key: 'container', value: 'name', description: 'use the toolbox named <name>' },
  { short: '-t', long: '--tag', key: 'tag', value: 'tag', description: 'add <tag> to the default toolbox name' },
  {
    short: '-i',
    long: '--image',
    key: 'image',
    value: 'uri',
    description: 'full image reference (instead of -R and -I)',
  },
  { short: '-R', long: '--reg', key: 'reg', value: 'registry', description: 'registry to pull the image from' },
  { short: '-I', long: '--img', key: 'img', value: 'image', description: 'image name within the registry' },
  { short: '-u', long: '--user', key: 'user', description: 'user mode: run as yourself, with your home directory' },
  { short: '-r', long: '--root', key: 'root', description: 'run the engine via sudo, as root' },
  { short: '-n', long: '--nostop', key: 'nostop', description: 'keep the toolbox running when the last session ends' },
  { short: '-P', long: '--no-pull', key: 'noPull', description: 'do not pull the image when it exists locally' },
  {
    short: '-S',
    long: '--sandbox',
    key: 'sandbox',
    description: 'a less privileged toolbox: not privileged, host root read-only',
  },
  {
    short: '-X',
    long: '--runtime',
    key: 'runtime',
    value: 'runtime',
    description: 'OCI runtime for the engine (e.g. /usr/bin/crun)',
  },
  { long: '--podman-args', key: 'podmanArgs', value: 'args', repeatable: true, description: PODMAN_ARGS_HELP },
  { long: '--engine', key: 'engine', value: 'engine', choices: ENGINES, description: 'container engine' },
  { long: '--exec', key: 'exec', value: 'path', choices: EXEC_PATHS, description: 'how run enters the toolbox' },
  { short: '-q', long: '--quiet', key: 'quiet', description: 'print no status lines or warnings' },
  {
    short: '-v',
    long: '--verbose',
    key: 'verbose',
    description: 'print status lines and the engine commands on stderr',
  },
];

/** "-c/--container", as errors name an option. */
export const optionName = (o: GlobalOption): string => (o.short ? `${o.short}/${o.long}` : o.long);
