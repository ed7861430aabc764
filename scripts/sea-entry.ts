// The single executable's entry (scripts/build-sea.mjs bundles it as CommonJS, the only module
// format a Node 24 single-executable application runs). One file serves two commands: it is
// `host-update` when called by that name (a symlink), `toolbox` otherwise. The name is argv[0] as
// typed, not the resolved file: /proc/self/exe always names the real file.
import '../src/cli/no-inspector.js';
import { basename } from 'node:path';

// Both entries end in a top-level `await main(...)`, which CommonJS cannot hold: the build strips
// that line from each, so the call happens here. A dynamic import keeps each command's modules
// uninitialised until it is chosen (esbuild turns it into a lazy require inside the one file).
async function start(): Promise<number> {
  const argv = process.argv.slice(2);
  if (basename(process.argv0) === 'host-update') return (await import('../src/host/main.js')).main(argv);
  return (await import('../src/cli/toolbox.js')).main(argv);
}

start().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(
      `Internal error (a bug in toolbox; please report it): ${(error as Error)?.stack ?? String(error)}\n`,
    );
    process.exitCode = 1;
  },
);
