// `npm run bench`: each toolbox operation against its bare-engine baseline, measured side by
// side and alternating in one run, so machine noise hits both alike. Prints medians and
// ratios against the targets of the speed issue. A benchmark, not a test: it asserts nothing.
import { spawn, spawnSync } from 'node:child_process';
import { cpus, release } from 'node:os';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = resolve(ROOT, 'bin/toolbox.js');
const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/toolbox-test:latest';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const P = 'bench-';
const env = { ...process.env, TOOLBOX_IMAGE: IMAGE, XDG_CONFIG_HOME: '/tmp/toolbox-bench-config', NO_COLOR: '1' };

const sh = (file, args) => {
  const r = spawnSync(file, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};
const toolbox = (...args) => ['node', [CLI, ...args]];
const podman = (...args) => ['podman', args];
const quiet = (file, args) => spawnSync(file, args, { env, stdio: 'ignore' });

function timed(steps) {
  const start = process.hrtime.bigint();
  for (const [file, args] of steps) {
    const r = spawnSync(file, args, { env, stdio: 'ignore' });
    if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} exited ${r.status}`);
  }
  return Number(process.hrtime.bigint() - start) / 1e6;
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Alternates op and baseline; `before` runs untimed ahead of each measurement. */
function pair(name, target, op, base, before = () => {}) {
  const a = [];
  const b = [];
  for (let i = 0; i < ROUNDS; i++) {
    const order = i % 2 ? [['b', base], ['a', op]] : [['a', op], ['b', base]];
    for (const [which, fn] of order) {
      before(i, which);
      (which === 'a' ? a : b).push(timed(fn(i)));
    }
  }
  return { name, target, op: median(a), base: median(b) };
}

function cleanup() {
  const names = sh('podman', ['ps', '-a', '--format', '{{.Names}}']).split('\n').filter((n) => n.startsWith(P));
  if (names.length) quiet('podman', ['rm', '-f', '-t', '0', ...names]);
}

function peakRss() {
  return new Promise((done) => {
    const child = spawn('node', [CLI, 'run', '-n', '-c', `${P}run`, 'sleep', '1'], { env, stdio: 'ignore' });
    let peak = 0;
    const poll = setInterval(() => {
      try {
        const hwm = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
        if (hwm) peak = Math.max(peak, Number(hwm[1]));
      } catch {
        /* exited */
      }
    }, 20);
    child.on('close', () => {
      clearInterval(poll);
      done(peak / 1024);
    });
  });
}

const MICROOS_FLAGS = ['--network', 'host', '--privileged', '--security-opt', 'label=disable', '--pid', 'host', '--ipc', 'host',
  '--volume', '/:/media/root:rslave', '--volume', '/sys:/sys:rslave', '--mount', 'type=devpts,destination=/dev/pts',
  '--volume', '/etc/machine-id:/etc/machine-id:ro', '--volume', '/etc/localtime:/etc/localtime:ro'];

cleanup();
sh('node', [CLI, 'create', `${P}run`]);
sh('node', [CLI, 'create', `${P}stop`]);
sh('podman', ['run', '-d', '--name', `${P}bare`, ...MICROOS_FLAGS, IMAGE, 'sleep', 'infinity']);
const results = [];

results.push(pair('run true, running rootful toolbox (direct)', 0.7, () => [toolbox('run', '-n', '-c', `${P}run`, 'true')], () => [podman('exec', `${P}run`, 'true')]));
results.push(pair('run true, forced onto the podman path', 1.5, () => [toolbox('run', '-n', '--exec', 'podman', '-c', `${P}run`, 'true')], () => [podman('exec', `${P}run`, 'true')]));
results.push(
  pair(
    'run true, stopped toolbox',
    1.2,
    () => [toolbox('run', '-n', '-c', `${P}stop`, 'true')],
    () => [podman('start', `${P}bare`), podman('exec', `${P}bare`, 'true')],
    (_i, which) => quiet('podman', ['stop', '-t', '0', which === 'a' ? `${P}stop` : `${P}bare`]),
  ),
);
results.push(
  pair(
    'create from a local image',
    1.2,
    (i) => [toolbox('create', `${P}c${i}`)],
    (i) => [podman('create', '--name', `${P}b${i}`, ...MICROOS_FLAGS, IMAGE, 'sleep', 'infinity'), podman('start', `${P}b${i}`)],
  ),
);
for (let i = 0; i < 30; i++) if (spawnSync('podman', ['container', 'exists', `${P}c${i}`]).status !== 0) sh('node', [CLI, 'create', '-P', `${P}c${i}`]);
results.push(pair('list with 30+ toolboxes', 1.3, () => [toolbox('list', '--json')], () => [podman('ps', '-a', '--filter', 'label=io.toolbox.managed=true')]));
results.push(pair('toolbox --version (vs node -e 0)', 1.4, () => [toolbox('--version')], () => [['node', ['-e', '0']]]));
const rss = await peakRss();
cleanup();

const cpu = cpus()[0]?.model ?? 'unknown cpu';
const podmanVersion = sh('podman', ['--version']).trim();
console.log(`toolbox benchmark: ${ROUNDS} alternating rounds per pair, medians in ms`);
console.log(`machine: ${cpus().length} x ${cpu}, Linux ${release()}, ${podmanVersion}, node ${process.version}\n`);
const rows = results.map((r) => {
  const ratio = r.op / r.base;
  return [r.name, r.op.toFixed(1), r.base.toFixed(1), `${ratio.toFixed(2)}x`, `<= ${r.target}x`, ratio <= r.target ? 'met' : 'MISSED'];
});
rows.push(['peak RSS of run', `${rss.toFixed(1)} MiB`, '', '', '<= 70 MiB', rss <= 70 ? 'met' : 'MISSED']);
const head = ['operation', 'toolbox', 'baseline', 'ratio', 'target', ''];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
for (const r of [head, ...rows]) console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
// The floor no Node.js CLI can go under: its own start-up, against the baselines above.
const node = results.at(-1).base;
console.log(`\nnode -e 0 alone: ${node.toFixed(1)} ms = ${(node / results[0].base).toFixed(2)}x podman exec, ${(node / results[4].base).toFixed(2)}x podman ps, ${(node / results[3].base).toFixed(2)}x podman create + start`);
