// `toolbox config get|set|unset|list|path`
import { isSettingKey, parseSetting, SETTING_RULES } from '../../core/settings/setting-rules.js';
import { configFile } from '../../config/paths.js';
import { UsageError } from '../../core/errors.js';
import { print, printJson } from '../../ui/print.js';

async function store() {
  const { ConfigStore } = await import('../../config/store.js');
  return new ConfigStore(configFile());
}

function knownKey(key: string): string {
  if (!isSettingKey(key))
    throw new UsageError(`unknown config key: ${key}`, `known keys: ${Object.keys(SETTING_RULES).join(', ')}`);
  return key;
}

export async function configGet(key: string): Promise<number> {
  const value = (await store()).get(knownKey(key));
  if (value === undefined) return 1;
  print(`${shown(value)}\n`);
  return 0;
}

/** A stored value as text; config.json edited by hand may hold a list or an object, shown as JSON. */
function shown(value: unknown): string {
  return typeof value === 'object' && value !== null ? JSON.stringify(value) : String(value);
}

export async function configSet(key: string, raw: string): Promise<number> {
  (await store()).set(knownKey(key), parseSetting(key, raw));
  return 0;
}

export async function configUnset(key: string): Promise<number> {
  (await store()).delete(knownKey(key));
  return 0;
}

export async function configList(json: boolean): Promise<number> {
  const data = (await store()).read();
  const settings = Object.fromEntries(Object.entries(data).filter(([k]) => isSettingKey(k)));
  if (json) printJson(settings);
  else for (const [k, v] of Object.entries(settings)) print(`${k}=${String(v)}\n`);
  return 0;
}

export function configPath(): number {
  print(`${configFile()}\n`);
  return 0;
}
