// The single executable's third-party code, kept out of its main script: scripts/build-sea.mjs
// bundles each package (commander, chalk, ora, conf, execa, with their dependencies) on its own,
// as the SEA asset NAME.cjs with V8's code cache for it as NAME.cjs.cache. Each import of such a
// package in the main bundle becomes vendor(NAME), called when the importing module is
// initialised: a command never parses, compiles or deserialises a package it does not use.
import { getAsset } from 'node:sea';
import { Script } from 'node:vm';

const loaded = new Map<string, Record<string, unknown>>();

export function vendor(name: string): Record<string, unknown> {
  let exports = loaded.get(name);
  if (exports) return exports;
  const key = `${name}.cjs`;
  // No cache asset in a build made without code caches (TOOLBOX_SEA_CODE_CACHE=0).
  let cachedData: Buffer | undefined;
  try {
    cachedData = Buffer.from(getAsset(`${key}.cache`));
  } catch {
    cachedData = undefined;
  }
  const script = new Script(getAsset(key, 'utf8'), { filename: key, cachedData });
  const module = { exports: {} as Record<string, unknown> };
  // Each bundle is wrapped as function (module, exports, require): it gets the executable's own
  // require, which loads Node's built-in modules only.
  (script.runInThisContext() as (m: typeof module, e: unknown, r: NodeJS.Require) => void)(
    module,
    module.exports,
    require,
  );
  exports = module.exports;
  loaded.set(name, exports);
  return exports;
}
