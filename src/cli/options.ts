// The options every toolbox command accepts, before or after the subcommand.
import { Option, type Command } from 'commander';
import type { GlobalFlags } from '../core/settings.js';

const collectArgs = (value: string, previous: string[] = []): string[] => [...previous, ...value.split(/\s+/).filter(Boolean)];

export function addGlobalOptions(cmd: Command): Command {
  return cmd
    .option('-c, --container <name>', 'use the toolbox named <name>')
    .option('-t, --tag <tag>', 'add <tag> to the default toolbox name')
    .option('-i, --image <uri>', 'full image reference (instead of -R and -I)')
    .option('-R, --reg <registry>', 'registry to pull the image from')
    .option('-I, --img <image>', 'image name within the registry')
    .option('-u, --user', 'user mode: run as yourself, with your home directory')
    .option('-r, --root', 'run the engine via sudo, as root')
    .option('-n, --nostop', 'keep the toolbox running when the last session ends')
    .option('-P, --no-pull', 'do not pull the image when it exists locally')
    .option('-S, --sandbox', 'a less privileged toolbox: not privileged, host root read-only')
    .option('-X, --runtime <runtime>', 'OCI runtime for the engine (e.g. /usr/bin/crun)')
    .option('--podman-args <args>', 'extra arguments for the engine\'s create (repeatable)', collectArgs)
    .addOption(new Option('--engine <engine>', 'container engine').choices(['podman', 'docker']))
    .addOption(new Option('--exec <path>', 'how run enters the toolbox').choices(['auto', 'podman', 'direct']))
    .option('-q, --quiet', 'print no status lines or warnings')
    .option('-v, --verbose', 'print status lines and the engine commands on stderr');
}

export function flagsOf(cmd: Command): GlobalFlags {
  const o = explicitOptions(cmd);
  const s = (k: string) => (typeof o[k] === 'string' ? (o[k] as string) : undefined);
  const b = (k: string) => (o[k] === true ? true : undefined);
  return {
    container: s('container'),
    tag: s('tag'),
    image: s('image'),
    reg: s('reg'),
    img: s('img'),
    user: b('user'),
    root: b('root'),
    nostop: b('nostop'),
    noPull: o.pull === false ? true : undefined,
    sandbox: b('sandbox'),
    runtime: s('runtime'),
    podmanArgs: Array.isArray(o.podmanArgs) ? (o.podmanArgs as string[]) : undefined,
    engine: s('engine'),
    exec: s('exec'),
    quiet: b('quiet'),
    verbose: b('verbose'),
  };
}

/**
 * The options given on the command line, the subcommand's over the program's. (commander's
 * optsWithGlobals lets a parent's default, such as --no-pull's `true`, override a child's flag.)
 */
function explicitOptions(cmd: Command): Record<string, unknown> {
  const chain: Command[] = [];
  for (let c: Command | null = cmd; c; c = c.parent) chain.unshift(c);
  const out: Record<string, unknown> = {};
  for (const c of chain) {
    for (const [key, value] of Object.entries(c.opts())) {
      if (value !== undefined && c.getOptionValueSource(key) !== 'default') out[key] = value;
    }
  }
  return out;
}
