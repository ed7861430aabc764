// The settings a user can store with `toolbox config set`, their types and checks.
import { UsageError } from '../core/errors.js';

export type SettingValue = string | boolean | number;

interface KeySpec {
  description: string;
  parse(raw: string): SettingValue;
}

const bool = (raw: string): boolean => {
  if (/^(true|yes|1|on)$/i.test(raw)) return true;
  if (/^(false|no|0|off)$/i.test(raw)) return false;
  throw new UsageError(`expected true or false, got ${JSON.stringify(raw)}`);
};
const oneOf = (...choices: string[]) => (raw: string): string => {
  if (!choices.includes(raw)) throw new UsageError(`expected one of ${choices.join(', ')}, got ${JSON.stringify(raw)}`);
  return raw;
};
const text = (raw: string): string => {
  if (raw === '' || /[\0\n]/.test(raw)) throw new UsageError('expected a non-empty single-line value');
  return raw;
};
const absolute = (raw: string): string => {
  if (!raw.startsWith('/')) throw new UsageError(`expected an absolute path, got ${JSON.stringify(raw)}`);
  return text(raw);
};

const atLeastOne = (raw: string): number => {
  if (!/^[1-9][0-9]{0,8}$/.test(raw)) throw new UsageError(`expected a whole number from 1, got ${JSON.stringify(raw)}`);
  return Number(raw);
};

export const SETTING_KEYS: Record<string, KeySpec> = {
  engine: { description: 'container engine: podman or docker', parse: oneOf('podman', 'docker') },
  registry: { description: 'registry the image is pulled from', parse: text },
  image: { description: 'image name, or a full image reference', parse: text },
  name: { description: 'base name of the toolbox (default toolbox-$USER)', parse: text },
  shell: { description: 'shell started by enter (default /bin/bash)', parse: absolute },
  autostop: { description: 'stop the toolbox when its last session ends (default true)', parse: bool },
  mode: { description: 'system or user (default system)', parse: oneOf('system', 'user') },
  pull: { description: 'pull the image on create (default true)', parse: bool },
  exec: { description: 'how run enters a toolbox: auto, podman or direct (default auto)', parse: oneOf('auto', 'podman', 'direct') },
  recommends: { description: 'install recommended packages with toolbox install (default false)', parse: bool },
  keep: { description: 'previous generations that toolbox upgrade keeps (default 1)', parse: atLeastOne },
};

export function parseSetting(key: string, raw: string): SettingValue {
  const spec = SETTING_KEYS[key];
  if (!spec) throw new UsageError(`unknown config key: ${key}`, `known keys: ${Object.keys(SETTING_KEYS).join(', ')}`);
  try {
    return spec.parse(raw);
  } catch (error) {
    if (error instanceof UsageError) throw new UsageError(`invalid value for ${key}: ${error.message}`);
    throw error;
  }
}
