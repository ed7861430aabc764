// Resolves what a command should act on from the layers, lowest to highest precedence:
// built-in defaults, toolboxrc files, config.json, TOOLBOX_* environment, flags.
import { UsageError } from './errors.js';
import { composeImage, defaultName, validateImage, validateName, validateTag } from './names.js';
import type { EngineName, Mode } from './ports.js';
import { requestedOf, type Requested } from './requested.js';

export const DEFAULT_REGISTRY = 'registry.opensuse.org';
export const DEFAULT_IMAGE = 'opensuse/toolbox';
export const DEFAULT_SHELL = '/bin/bash';

export type ExecPath = 'auto' | 'podman' | 'direct';

export interface GlobalFlags {
  container?: string | undefined;
  tag?: string | undefined;
  image?: string | undefined;
  reg?: string | undefined;
  img?: string | undefined;
  user?: boolean | undefined;
  root?: boolean | undefined;
  nostop?: boolean | undefined;
  noPull?: boolean | undefined;
  sandbox?: boolean | undefined;
  runtime?: string | undefined;
  podmanArgs?: string[] | undefined;
  engine?: string | undefined;
  exec?: string | undefined;
  quiet?: boolean | undefined;
  verbose?: boolean | undefined;
}

export interface Layers {
  rc: Partial<Record<'REGISTRY' | 'IMAGE' | 'TOOLBOX_NAME' | 'TOOLBOX_SHELL', string>>;
  config: Record<string, unknown>;
  env: NodeJS.ProcessEnv;
  userName: string;
}

export interface Settings {
  engine: EngineName | undefined;
  sudo: boolean;
  image: string;
  name: string;
  mode: Mode;
  shell: string;
  autostop: boolean;
  pull: boolean;
  sandbox: boolean;
  runtime: string | undefined;
  engineArgs: string[];
  exec: ExecPath;
  quiet: boolean;
  verbose: boolean;
  /**
   * What the user asked for explicitly (flag, environment, config.json) about what a toolbox IS;
   * defaults are not a request. An existing toolbox that differs is refused, not silently used.
   */
  requested: Requested;
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v !== '' ? v : undefined;
}

function envBool(v: string | undefined): boolean | undefined {
  if (v === undefined || v === '') return undefined;
  return /^(1|true|yes|on)$/i.test(v);
}

function pick<T extends string>(what: string, value: string | undefined, choices: readonly T[]): T | undefined {
  if (value === undefined) return undefined;
  if (!(choices as readonly string[]).includes(value)) throw new UsageError(`invalid ${what} ${JSON.stringify(value)}: expected ${choices.join(' or ')}`);
  return value as T;
}

export function resolveSettings(flags: GlobalFlags, layers: Layers, positionalName?: string): Settings {
  const { rc, config, env } = layers;
  if (flags.container !== undefined && flags.tag !== undefined) throw new UsageError("don't use both -c/--container and -t/--tag");
  if (flags.image !== undefined && (flags.reg !== undefined || flags.img !== undefined)) throw new UsageError("don't use -i/--image together with -R/--reg or -I/--img");
  if (positionalName !== undefined && (flags.container !== undefined || flags.tag !== undefined)) {
    throw new UsageError(`cannot tell which toolbox to use: ${JSON.stringify(positionalName)} or the one from -c/-t`);
  }

  const mode: Mode =
    flags.user ? 'user' : (pick('TOOLBOX_MODE', str(env.TOOLBOX_MODE), ['system', 'user'] as const) ?? pick('mode in config', str(config.mode), ['system', 'user'] as const) ?? 'system');

  let image: string;
  if (flags.image !== undefined) image = flags.image;
  else {
    const registry = flags.reg ?? str(env.TOOLBOX_REGISTRY) ?? str(config.registry) ?? rc.REGISTRY ?? DEFAULT_REGISTRY;
    const path = flags.img ?? str(env.TOOLBOX_IMAGE) ?? str(config.image) ?? rc.IMAGE ?? DEFAULT_IMAGE;
    image = composeImage(registry, path);
  }
  validateImage(image);

  let name: string;
  if (positionalName !== undefined) name = positionalName;
  else if (flags.container !== undefined) name = flags.container;
  else {
    const base = str(env.TOOLBOX_NAME) ?? str(config.name) ?? rc.TOOLBOX_NAME ?? `toolbox-${layers.userName}`;
    name = defaultName(base, mode, flags.tag !== undefined ? validateTag(flags.tag) : undefined);
  }
  validateName(name);

  const shell = str(env.TOOLBOX_SHELL) ?? str(config.shell) ?? rc.TOOLBOX_SHELL ?? DEFAULT_SHELL;
  const engine = pick('engine', flags.engine ?? str(env.TOOLBOX_ENGINE) ?? str(config.engine), ['podman', 'docker'] as const);
  const exec = pick('exec path', flags.exec ?? str(env.TOOLBOX_EXEC) ?? str(config.exec), ['auto', 'podman', 'direct'] as const) ?? 'auto';
  const keep = flags.nostop ?? envBool(env.TOOLBOX_NOSTOP) ?? (typeof config.autostop === 'boolean' ? !config.autostop : false);
  const pull = flags.noPull ? false : (typeof config.pull === 'boolean' ? config.pull : true);

  return {
    engine,
    sudo: flags.root === true,
    image,
    name,
    mode,
    shell,
    autostop: !keep,
    pull,
    sandbox: flags.sandbox === true,
    runtime: flags.runtime,
    engineArgs: flags.podmanArgs ?? [],
    exec,
    quiet: flags.quiet === true,
    verbose: flags.verbose === true,
    requested: requestedOf(flags, layers, { image, mode }),
  };
}
