// Which of the options that define a toolbox (its mode, image and sandbox) the user gave
// explicitly: a flag, a TOOLBOX_* variable or config.json. Built-in defaults and toolboxrc lines
// are no request, so they never make an existing toolbox refuse to run.
import type { GlobalFlags, Layers } from './inputs.js';
import type { Mode } from '../ports.js';

export interface Requested {
  image?: string | undefined;
  mode?: Mode | undefined;
  sandbox?: boolean | undefined;
}

const given = (v: unknown) => typeof v === 'string' && v !== '';

export function requestedOf(
  flags: GlobalFlags,
  layers: Pick<Layers, 'config' | 'env'>,
  resolved: { image: string; mode: Mode },
): Requested {
  const { config, env } = layers;
  const image =
    [flags.image, flags.reg, flags.img].some((v) => v !== undefined) ||
    [env.TOOLBOX_REGISTRY, env.TOOLBOX_IMAGE, config.registry, config.image].some(given);
  const mode = flags.user === true || given(env.TOOLBOX_MODE) || given(config.mode);
  return {
    image: image ? resolved.image : undefined,
    mode: mode ? resolved.mode : undefined,
    sandbox: flags.sandbox === true ? true : undefined,
  };
}
