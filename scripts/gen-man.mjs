// Writes the man pages (dist/man/*.1) from the same commander programs that print --help, so
// the two cannot drift. The TypeScript sources are bundled into a temporary module and walked.
// Usage: node scripts/gen-man.mjs [OUTDIR]
import { build } from 'esbuild';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(new URL('..', import.meta.url).pathname);
const outDir = resolve(process.argv[2] ?? join(root, 'dist/man'));
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

const entry = [
  "export { buildProgram } from './src/cli/program.ts';",
  "export { describeCommand } from './src/cli/command-tree.ts';",
  "export { renderManPage } from './src/cli/man-page.ts';",
  "export { buildProgram as buildHostProgram } from './src/host/program.ts';",
].join('\n');

const work = mkdtempSync(join(tmpdir(), 'toolbox-gen-man-'));
try {
  const bundle = join(work, 'man-sources.mjs');
  await build({
    stdin: { contents: entry, resolveDir: root, loader: 'ts', sourcefile: 'man-sources.ts' },
    outfile: bundle,
    bundle: true,
    format: 'esm',
    platform: 'node',
    target: 'node20',
    packages: 'external',
    define: { __TOOLBOX_VERSION__: JSON.stringify(pkg.version) },
    logLevel: 'warning',
  });
  // `packages: 'external'` leaves commander as a bare import; resolve it from the project.
  writeFileSync(join(work, 'package.json'), '{"type":"module"}');
  symlinkSync(join(root, 'node_modules'), join(work, 'node_modules'));
  const m = await import(pathToFileURL(bundle).href);

  const toolbox = m.describeCommand(m.buildProgram({ exitCode: 0 }, () => {}));
  // Only described, never run: the host connection is never asked for.
  const host = m.describeCommand(
    m.buildHostProgram(
      { exitCode: 0 },
      () => {},
      () => {
        throw new Error('gen-man does not connect to a host');
      },
    ),
  );
  mkdirSync(outDir, { recursive: true });
  writeFileSync(
    join(outDir, 'toolbox.1'),
    m.renderManPage(toolbox, {
      version: pkg.version,
      summary: 'a persistent, privileged container for debugging immutable hosts',
      seeAlso: ['host-update(1)', 'podman(1)'],
    }),
  );
  writeFileSync(
    join(outDir, 'host-update.1'),
    m.renderManPage(host, {
      version: pkg.version,
      summary: 'update the host from inside a toolbox',
      seeAlso: ['toolbox(1)', 'transactional-update(8)'],
    }),
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}
