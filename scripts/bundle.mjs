// Bundles each entry into dist/ as ESM with code splitting, so what `toolbox run` does not need
// (ora, conf, chalk, host-update) sits in chunks loaded only on demand.
import { build } from 'esbuild';
import { rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { buildDefines } from './build-defines.mjs';

rmSync(new URL('../dist', import.meta.url), { recursive: true, force: true });
await build({
  entryPoints: { toolbox: 'src/cli/main.ts', 'host-update': 'src/host/main.ts' },
  outdir: 'dist',
  bundle: true,
  splitting: true,
  format: 'esm',
  platform: 'node',
  target: 'node20',
  chunkNames: 'chunks/[name]-[hash]',
  define: buildDefines(fileURLToPath(new URL('..', import.meta.url))),
  // Some bundled CommonJS dependencies call require(); give the ESM output a real one.
  banner: { js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);" },
  legalComments: 'none',
  logLevel: 'warning',
});
