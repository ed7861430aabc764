// 13.1: no entry point ever opens Node's inspector, whose port gives whoever connects the power
// of this root process. Each test performs the attack: SIGUSR1 sent to a running toolbox or
// host-update (and --inspect in NODE_OPTIONS or on node's command line).
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { closeSync, constants, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isolatedEnv, removeContainers, ROOT, toolbox, waitFor, runPrefix } from './helpers.js';
import { ENTRY_POINTS, type EntryPoint } from './support/entry-points.js';
import { idleInEventLoop, listeningPorts, signalPending } from './support/process-probe.js';

const P = runPrefix('e2e-insp-');
const BOX = `${P}box`;
const SIGUSR1 = 10;
const env = isolatedEnv();
const work = mkdtempSync(join(tmpdir(), P));
const REFUSED =
  "Error: refusing to run with the Node.js inspector enabled: any local user could run code through it as this process. Hint: remove --inspect, --inspect-brk, --inspect-port and --debug-port from NODE_OPTIONS and from node's options\n";
const NODE_BANNER =
  /^Debugger listening on ws:\/\/127\.0\.0\.1:\d+\/[0-9a-f-]+\nFor help, see: https:\/\/nodejs\.org\/en\/docs\/inspector\n/;

beforeAll(() => {
  removeContainers(P);
  expect(toolbox(['create', BOX], { env }).code).toBe(0);
});
afterAll(() => {
  removeContainers(P);
  rmSync(work, { recursive: true, force: true });
});

/** A FIFO filled to the brim: whoever writes to it waits, in its event loop, until we read. */
function fullFifo(name: string): { writeFd: number; drain: () => Buffer; fill: number; close: () => void } {
  const path = join(work, name);
  expect(spawnSync('mkfifo', [path]).status).toBe(0);
  const readFd = openSync(path, constants.O_RDONLY | constants.O_NONBLOCK);
  const writeFd = openSync(path, constants.O_WRONLY | constants.O_NONBLOCK);
  let fill = 0;
  for (const size of [65536, 4096, 1]) {
    for (;;) {
      try {
        fill += writeSync(writeFd, Buffer.alloc(size));
      } catch {
        break; // EAGAIN: no room for this size any more
      }
    }
  }
  const chunks: Buffer[] = [];
  const drain = (): Buffer => {
    const buffer = Buffer.alloc(65536);
    for (;;) {
      let n: number;
      try {
        n = readSync(readFd, buffer);
      } catch {
        break; // EAGAIN: nothing more right now
      }
      if (n === 0) break;
      chunks.push(Buffer.from(buffer.subarray(0, n)));
    }
    return Buffer.concat(chunks);
  };
  return {
    writeFd,
    drain,
    fill,
    close: () => {
      closeSync(readFd);
    },
  };
}

/** Call right after spawn: resolves once the process has exited and its pipes are closed. */
function closed(child: ChildProcess): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  return new Promise((resolve) =>
    child.on('close', (code, signal) => {
      resolve({ code, signal });
    }),
  );
}

/**
 * Idle in its event loop for 8 looks in a row: whatever a signal started has run by now. A
 * process that blocks SIGUSR1 (the single executable) keeps it pending: only idleness counts.
 */
async function settled(pid: number, blocked = false): Promise<void> {
  let streak = 0;
  await waitFor(() => {
    streak = (blocked || !signalPending(pid, SIGUSR1)) && idleInEventLoop(pid) ? streak + 1 : 0;
    return streak >= 8;
  }, 'the process to handle the signal and go idle');
}

/**
 * Starts an entry point whose stdout is a full FIFO, so it waits at its first write of output
 * (after all its work), sends it SIGUSR1 there, and reads what it has listening on TCP.
 */
async function attackHeldAtOutput(entry: EntryPoint, args: string[]) {
  const fifo = fullFifo(`${entry.name.replace(/\W+/g, '-')}-${args[0]}`);
  const child = spawn(entry.argv[0]!, [...entry.argv.slice(1), ...args], {
    env,
    stdio: ['ignore', fifo.writeFd, 'pipe'],
  });
  closeSync(fifo.writeFd);
  const done = closed(child);
  let stderr = '';
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  try {
    await settled(child.pid!, entry.sigusr1Blocked); // waiting for room in its stdout
    process.kill(child.pid!, 'SIGUSR1');
    await settled(child.pid!, entry.sigusr1Blocked);
    // Blocked means held: still pending, never delivered, so nothing can have acted on it.
    if (entry.sigusr1Blocked) expect(signalPending(child.pid!, SIGUSR1)).toBe(true);
    const ports = listeningPorts(child.pid!);
    const aliveAfterSignal = child.exitCode === null && child.signalCode === null;
    let out: Buffer = Buffer.alloc(0);
    await waitFor(() => {
      out = fifo.drain();
      return child.exitCode !== null || child.signalCode !== null;
    }, 'the process to finish its output');
    const end = await done;
    out = fifo.drain();
    return { ports, aliveAfterSignal, ...end, stdout: out.subarray(fifo.fill).toString(), stderr };
  } finally {
    child.kill('SIGKILL');
    fifo.close();
  }
}

const toolboxes = ENTRY_POINTS.filter((e) => e.program === 'toolbox');
const hostUpdates = ENTRY_POINTS.filter((e) => e.program === 'host-update');

describe('13.1: SIGUSR1 never opens an inspector', () => {
  it.each(toolboxes)('13.1: $name --version', async (entry) => {
    const r = await attackHeldAtOutput(entry, ['--version']);
    expect(r.ports).toEqual([]);
    expect(r.aliveAfterSignal).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('0.1.0\n');
    expect(r.code).toBe(0);
  });

  it.each(toolboxes)('13.1: $name list --json', async (entry) => {
    // The one toolbox this file made, found among whatever else the machine holds.
    const r = await attackHeldAtOutput(entry, ['list', '--json']);
    expect(r.ports).toEqual([]);
    expect(r.aliveAfterSignal).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect((JSON.parse(r.stdout) as { name: string }[]).filter((b) => b.name === BOX).length).toBe(1);
  });

  it.each(hostUpdates)('13.1: $name --help', async (entry) => {
    const expected = spawnSync(entry.argv[0]!, [...entry.argv.slice(1), '--help'], { env, encoding: 'utf8' });
    expect(expected.status).toBe(0);
    const r = await attackHeldAtOutput(entry, ['--help']);
    expect(r.ports).toEqual([]);
    expect(r.aliveAfterSignal).toBe(true);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(expected.stdout);
    expect(r.code).toBe(0);
  });

  // The single executable blocks SIGUSR1 (--disable-sigusr1), so it cannot pass it on either.
  it.each(
    toolboxes
      .filter((e) => !e.sigusr1Blocked)
      .flatMap((entry) => (['direct', 'podman'] as const).map((path) => ({ ...entry, path }))),
  )('13.1: $name run --exec $path passes SIGUSR1 to the command and opens nothing', async (entry) => {
    const script =
      'trap "echo got-USR1" USR1; trap "echo got-TERM; exit 7" TERM; echo ready; while :; do sleep 0.1; done';
    const child = spawn(
      entry.argv[0]!,
      [...entry.argv.slice(1), 'run', '-n', '--exec', entry.path, '-c', BOX, '--', 'bash', '-c', script],
      { env, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => {
      stdout += d.toString();
    });
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const done = closed(child);
    try {
      await waitFor(() => stdout === 'ready\n', 'the command to start');
      process.kill(child.pid!, 'SIGUSR1');
      await waitFor(() => stdout === 'ready\ngot-USR1\n', 'the command to get SIGUSR1');
      expect(listeningPorts(child.pid!)).toEqual([]);
      process.kill(child.pid!, 'SIGTERM'); // still there and still passing signals on
      const end = await done;
      expect(stdout).toBe('ready\ngot-USR1\ngot-TERM\n');
      expect(stderr).toBe('');
      expect(end.code).toBe(7);
    } finally {
      child.kill('SIGKILL');
    }
  });
});

describe('13.1: the handler comes first', () => {
  // ES modules run their imports first, in order: the guard's chunk must be the first import of
  // each bundle, and the bins must install the handler before they load any module at all.
  it.each(['toolbox', 'host-update'])('13.1: dist/%s.js evaluates the guard before any other module', (name) => {
    const bundle = readFileSync(join(ROOT, `dist/${name}.js`), 'utf8');
    const first = /^import\s[^;]*?["'](\.\/chunks\/[^"']+)["']/m.exec(
      bundle.replace(/^import \{ createRequire[^\n]*\n/, ''),
    )?.[1];
    expect(first).toBeDefined();
    const chunk = readFileSync(join(ROOT, 'dist', first!), 'utf8');
    expect(chunk).toContain('process.on("SIGUSR1"');
    expect(chunk.replace(/^import \{ createRequire[^\n]*\n/, '')).not.toMatch(/^import\s/m);
  });

  it.each(['toolbox', 'host-update'])('13.1: bin/%s.js installs the handler before loading anything', (name) => {
    const lines = readFileSync(join(ROOT, `bin/${name}.js`), 'utf8')
      .split('\n')
      .filter((l) => l && !l.startsWith('#!') && !l.startsWith('//'));
    expect(lines).toEqual(["process.on('SIGUSR1', () => {});", `await import('../dist/${name}.js');`]);
  });
});

describe('13.1: an inspector asked for in the environment or on the command line is refused', () => {
  const quick = (entry: EntryPoint) => (entry.program === 'toolbox' ? ['--version'] : ['--help']);

  it.each(ENTRY_POINTS.filter((e) => e.nodeOptions))('13.1: $name with NODE_OPTIONS=--inspect=127.0.0.1:0', (entry) => {
    const r = spawnSync(entry.argv[0]!, [...entry.argv.slice(1), ...quick(entry)], {
      env: { ...env, NODE_OPTIONS: '--inspect=127.0.0.1:0' },
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('');
    expect(r.stderr.replace(NODE_BANNER, '')).toBe(REFUSED);
    expect(r.stderr).toMatch(NODE_BANNER); // Node opened it before any of our code ran: we closed it
    expect(r.status).toBe(1);
  });

  it.each(ENTRY_POINTS.filter((e) => e.nodeOptions))('13.1: $name with NODE_OPTIONS=--inspect-port=9339', (entry) => {
    const r = spawnSync(entry.argv[0]!, [...entry.argv.slice(1), ...quick(entry)], {
      env: { ...env, NODE_OPTIONS: '--inspect-port=9339' },
      encoding: 'utf8',
    });
    expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({
      stdout: '',
      stderr: REFUSED,
      status: 1,
    });
  });

  it.each(ENTRY_POINTS.filter((e) => !e.nodeOptions))(
    '13.1: $name ignores NODE_OPTIONS=--inspect=127.0.0.1:0 and opens nothing',
    (entry) => {
      const normal = spawnSync(entry.argv[0]!, [...entry.argv.slice(1), ...quick(entry)], { env, encoding: 'utf8' });
      const r = spawnSync(entry.argv[0]!, [...entry.argv.slice(1), ...quick(entry)], {
        env: { ...env, NODE_OPTIONS: '--inspect=127.0.0.1:0' },
        encoding: 'utf8',
      });
      expect({ stdout: r.stdout, stderr: r.stderr, status: r.status }).toEqual({
        stdout: normal.stdout,
        stderr: '',
        status: 0,
      });
    },
  );

  it.each(ENTRY_POINTS.filter((e) => e.nodeScript))('13.1: node --inspect=127.0.0.1:0 $name', (entry) => {
    const r = spawnSync(entry.argv[0]!, ['--inspect=127.0.0.1:0', ...entry.argv.slice(1), ...quick(entry)], {
      env,
      encoding: 'utf8',
    });
    expect(r.stdout).toBe('');
    expect(r.stderr.replace(NODE_BANNER, '')).toBe(REFUSED);
    expect(r.status).toBe(1);
  });
});
