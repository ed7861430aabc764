// Where a toolbox command's time goes, in the executable as it ships: builds a profiling twin of
// dist/sea/toolbox (same Node, same bundle, same code cache, plus --cpu-prof), runs the command,
// and sums its V8 CPU profiles: time in toolbox's JavaScript (by function), in the engine's
// start-up work, and idle (waiting for the child processes it runs). A podman shim on PATH logs
// each engine call with its duration. A development tool: the twin is never shipped.
//
// Usage: node scripts/profile-sea.mjs [--runs N] [--stop BOX] -- TOOLBOX-ARGS...
//   {i} in an argument becomes the run's number (for `create bench-p{i}`);
//   --stop BOX stops BOX (untimed) before each run, to profile the stopped-toolbox path.
// `npm run build` first.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { EXEC_ARGV, makeExecutable, nodeX64, VENDOR } from './sea-lib.mjs';

const root = resolve(import.meta.dirname, '..');
const argv = process.argv.slice(2);
const sep = argv.indexOf('--');
if (sep < 0) {
  process.stderr.write('usage: node scripts/profile-sea.mjs [--runs N] [--stop BOX] -- TOOLBOX-ARGS...\n');
  process.exit(2);
}
const opts = argv.slice(0, sep);
const args = argv.slice(sep + 1);
const runs = Number(opts[opts.indexOf('--runs') + 1] ?? 5) || 5;
const stop = opts.includes('--stop') ? opts[opts.indexOf('--stop') + 1] : undefined;

const work = mkdtempSync(join(tmpdir(), 'toolbox-profile-'));
const profiles = join(work, 'profiles');
mkdirSync(profiles);
const twin = join(work, 'toolbox');
makeExecutable({
  node: nodeX64(),
  runner: [nodeX64()],
  bundle: join(root, 'node_modules/.cache/toolbox-sea/toolbox.cjs'),
  scripts: Object.fromEntries(VENDOR.map((n) => [`${n}.cjs`, join(root, `node_modules/.cache/toolbox-sea/${n}.cjs`)])),
  target: twin,
  workDir: work,
  strip: 'strip',
  codeCache: true,
  execArgv: [...EXEC_ARGV, '--cpu-prof', `--cpu-prof-dir=${profiles}`, '--cpu-prof-interval=100'],
});

// The shim logs every podman call (milliseconds, arguments) and passes it on unchanged.
const real = spawnSync('sh', ['-c', 'command -v podman'], { encoding: 'utf8' }).stdout.trim();
const shimDir = join(work, 'shim');
mkdirSync(shimDir);
const log = join(work, 'podman.log');
writeFileSync(
  join(shimDir, 'podman'),
  `#!/bin/sh\ns=$(date +%s%N)\n"${real}" "$@"\nrc=$?\necho "$(( ($(date +%s%N) - s) / 1000000 )) ms  podman $*" >> "${log}"\nexit $rc\n`,
);
chmodSync(join(shimDir, 'podman'), 0o755);
const env = { ...process.env, PATH: `${shimDir}:${process.env.PATH}` };

const walls = [];
for (let i = 0; i < runs; i++) {
  if (stop) spawnSync(real, ['stop', '-t', '0', stop], { stdio: 'ignore' });
  writeFileSync(log, '', { flag: 'a' });
  writeFileSync(log, `-- run ${i}\n`, { flag: 'a' });
  const start = process.hrtime.bigint();
  const r = spawnSync(
    twin,
    args.map((a) => a.replaceAll('{i}', String(i))),
    { env, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  walls.push(Number(process.hrtime.bigint() - start) / 1e6);
  if (r.status !== 0) process.stderr.write(`run ${i}: exit ${r.status}: ${r.stderr}`);
}

// Self time per profile node, summed over the runs.
const self = new Map();
let total = 0;
for (const file of readdirSync(profiles)) {
  const p = JSON.parse(readFileSync(join(profiles, file), 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  p.samples.forEach((id, k) => {
    const n = byId.get(id);
    const f = n.callFrame;
    const where = f.url
      ? `${f.functionName || '(anonymous)'} ${f.url.split('/').pop()}:${f.lineNumber + 1}`
      : f.functionName;
    const dt = (p.timeDeltas[k] ?? 0) / 1000;
    self.set(where, (self.get(where) ?? 0) + dt);
    total += dt;
  });
}
const median = (xs) => [...xs].sort((a, b) => a - b)[xs.length >> 1];
const per = (ms) => (ms / runs).toFixed(1);
console.log(
  `toolbox ${args.join(' ')}: ${runs} runs, median wall ${median(walls).toFixed(1)} ms; per run in the profile (after Node's start-up): ${per(total)} ms`,
);
const top = [...self.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15);
for (const [where, ms] of top)
  console.log(`${per(ms).padStart(8)} ms  ${((100 * ms) / total).toFixed(0).padStart(3)}%  ${where}`);
console.log('\nengine calls (first run):');
const calls = readFileSync(log, 'utf8').split('-- run ')[1]?.split('\n').slice(1).filter(Boolean) ?? [];
for (const c of calls) console.log(`  ${c}`);
rmSync(work, { recursive: true, force: true });
