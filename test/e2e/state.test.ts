// Toolbox's own state (sessions, locks, cached records) on real podman: kept by the container's
// full id whatever the user typed, in a directory nobody else can aim elsewhere, rebuilt when
// corrupt; and an existing toolbox is never silently used as something it is not.
import { spawn, spawnSync } from 'node:child_process';
import {
  chmodSync,
  chownSync,
  existsSync,
  lstatSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { processStart } from '../../src/os/proc.js';
import {
  CLI_ARGV,
  ENGINE,
  MINIMAL_IMAGE,
  containerId,
  containerState,
  freshUserName,
  isolatedEnv,
  podman,
  removeContainers,
  toolbox,
  toolboxAsync,
  waitFor,
  runPrefix,
} from './helpers.js';

const P = runPrefix('st-e2e-');
const STATE = `/run/toolbox/${ENGINE}`;
const env = isolatedEnv();
const tmp = mkdtempSync(join(tmpdir(), P));
chmodSync(tmp, 0o755);

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
  rmSync(tmp, { recursive: true, force: true });
});

/** A session that runs until `release` is called (the file it waits for appears on the host). */
function longSession(box: string) {
  const go = join(tmp, `go-${box}-${Date.now()}`);
  const run = toolboxAsync(
    [
      'run',
      '-c',
      box,
      '--',
      'sh',
      '-c',
      `echo ready; while [ ! -e /media/root${go} ]; do sleep 0.1; done; echo survived`,
    ],
    { env },
  );
  return {
    ready: () => waitFor(() => run.output().includes('ready'), `the session in ${box}`),
    release: () => {
      writeFileSync(go, '');
    },
    done: run.done,
  };
}

describe('13.3: sessions are counted under the container, whatever names it', () => {
  const BOX = `${P}ids`;
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
  });

  it('13.3: stop by id prefix refuses while a session is live', async () => {
    const session = longSession(BOX);
    await session.ready();
    const r = toolbox(['stop', containerId(BOX).slice(0, 12)], { env });
    expect(r.stderr).toBe(
      `Error: toolbox ${BOX} has 1 active session; not stopping it. Hint: end them first, or use --force to stop it anyway\n`,
    );
    expect(r.code).toBe(1);
    expect(containerState(BOX)).toBe('running');
    session.release();
    expect(await session.done).toMatchObject({ code: 0, stdout: 'ready\nsurvived\n' });
  });

  it('13.3: run -c <id prefix> does not auto-stop a toolbox under another session', async () => {
    const session = longSession(BOX);
    await session.ready();
    const r = toolbox(['run', '-c', containerId(BOX).slice(0, 12), 'echo', 'by-prefix'], { env });
    expect(r).toMatchObject({ code: 0, stdout: 'by-prefix\n', stderr: '' });
    expect(containerState(BOX)).toBe('running');
    session.release();
    expect(await session.done).toMatchObject({ code: 0, stdout: 'ready\nsurvived\n' });
    expect(containerState(BOX)).toBe('exited'); // the last one out stopped it
  });

  it('13.3: after podman rename, the old name is a new toolbox, and the renamed one keeps its session', async () => {
    const OLD = `${P}ren`;
    const NEW = `${P}ren-b`;
    expect(toolbox(['run', '-n', '-c', OLD, 'true'], { env }).code).toBe(0); // cached: name, id, record
    const renamedId = containerId(OLD);
    expect(podman(['rename', OLD, NEW]).code).toBe(0);
    const session = longSession(NEW);
    await session.ready();
    const r = toolbox(['run', '-c', OLD, 'echo', 'fresh'], { env });
    expect(r).toMatchObject({ code: 0, stdout: 'fresh\n' });
    expect(containerId(OLD)).toMatch(/^[0-9a-f]{64}$/);
    expect(containerId(OLD)).not.toBe(renamedId); // entered a new container, not the renamed one
    expect(containerState(NEW)).toBe('running');
    session.release();
    expect(await session.done).toMatchObject({ code: 0, stdout: 'ready\nsurvived\n' });
  });
});

describe('13.5: options that define a toolbox are refused when they differ from the existing one', () => {
  const BOX = `${P}spec`;
  const marker = join(tmp, 'written-by-sandbox');
  const hint = `Hint: use another name (-c NEW) for a new toolbox as asked, or remove this one first: toolbox rm --force ${BOX}`;
  beforeAll(() => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
  });

  it('13.5: -S on a toolbox created without it is refused, and nothing runs', () => {
    const r = toolbox(['run', '-S', '-c', BOX, 'touch', `/media/root${marker}`], { env });
    expect(r.stderr).toBe(
      `Error: toolbox ${BOX} is not sandboxed (it was created without -S), but -S asks for a sandbox. ${hint}\n`,
    );
    expect(r.code).toBe(1);
    expect(existsSync(marker)).toBe(false);
  });

  it('13.5: -i OTHER is refused, naming both images', () => {
    const r = toolbox(['run', '-i', MINIMAL_IMAGE, '-c', BOX, 'true'], { env });
    expect(r.stderr).toBe(
      `Error: toolbox ${BOX} was created from localhost/toolbox-test:latest, not from ${MINIMAL_IMAGE} as asked. ${hint}; 'toolbox upgrade ${BOX}' rebuilds it from its own image\n`,
    );
    expect(r.code).toBe(1);
  });

  it('13.5: -u on a system toolbox is refused with one line, not a runtime error', () => {
    const r = toolbox(['run', '-u', '-c', BOX, 'true'], { env });
    expect(r.stderr).toBe(`Error: toolbox ${BOX} is a system toolbox, not a user one as asked. ${hint}\n`);
    expect(r.code).toBe(1);
  });

  it('13.5: create of an existing toolbox with other options is refused too, not reported ready', () => {
    const r = toolbox(['create', '-S', BOX], { env });
    expect(r.stderr).toBe(
      `Error: toolbox ${BOX} is not sandboxed (it was created without -S), but -S asks for a sandbox. ${hint}\n`,
    );
    expect(r).toMatchObject({ code: 1, stdout: '' });
  });

  it('13.5: defaults are no request: without TOOLBOX_IMAGE the toolbox is used as it is', () => {
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'ok'], { env: isolatedEnv({ TOOLBOX_IMAGE: undefined }) });
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n', stderr: '' });
  });
});

describe('13.12: corrupt state is discarded and rebuilt with one warning', () => {
  const BOX = `${P}corrupt`;
  let id = '';
  beforeAll(() => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    id = containerId(BOX);
  });
  afterAll(() => {
    rmSync(join(STATE, BOX), { recursive: true, force: true });
  }); // the old layout's, planted below

  /** Plants the same bad entry where this and earlier versions keep a toolbox's state. */
  function plant(entry: string, write: (path: string) => void): void {
    for (const dir of [join(STATE, 'boxes', id), join(STATE, BOX)]) {
      mkdirSync(dir, { recursive: true, mode: 0o700 });
      rmSync(join(dir, entry), { recursive: true, force: true });
      write(join(dir, entry));
    }
  }

  it('13.12: a record naming a live process and another container', () => {
    const other = 'f'.repeat(64);
    plant('record.json', (f) => {
      writeFileSync(
        f,
        JSON.stringify({ id: other, pid: process.pid, pidStart: processStart(process.pid), privileged: true }),
      );
    });
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'ok'], { env });
    expect(r.stderr).toBe(
      `Warning: discarding corrupt toolbox state ${STATE}/boxes/${id}/record.json (it names container ffffffffffff); it is rebuilt\n`,
    );
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(toolbox(['run', '-n', '-c', BOX, 'echo', 'ok'], { env })).toMatchObject({
      code: 0,
      stdout: 'ok\n',
      stderr: '',
    });
  });

  it('13.12: a sessions entry that is a file', () => {
    plant('sessions', (f) => {
      writeFileSync(f, 'not a directory');
    });
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'ok'], { env });
    expect(r.stderr).toBe(
      `Warning: discarding corrupt toolbox state ${STATE}/boxes/${id}/sessions (it is not a directory); it is rebuilt\n`,
    );
    expect(r).toMatchObject({ code: 0, stdout: 'ok\n' });
    expect(statSync(join(STATE, 'boxes', id, 'sessions')).isDirectory()).toBe(true);
    expect(toolbox(['run', '-n', '-c', BOX, 'echo', 'ok'], { env })).toMatchObject({
      code: 0,
      stdout: 'ok\n',
      stderr: '',
    });
  });
});

describe('waiting on a lock', () => {
  const BOX = `${P}wait`;
  beforeAll(() => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
  });

  it('says once (a status line: -v or a terminal) what it waits for and who holds the lock, then goes on when the holder is gone', async () => {
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      writeFileSync(join(STATE, 'boxes', containerId(BOX), 'lock'), `${holder.pid}:${processStart(holder.pid!)}`);
      const run = toolboxAsync(['run', '-v', '-n', '-c', BOX, 'echo', 'got-it'], { env });
      let stderr = '';
      run.child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const line = `waiting for toolbox ${BOX}: process ${holder.pid} (sleep 600) holds its lock`;
      await waitFor(() => stderr.includes('waiting for'), 'the waiting message');
      holder.kill('SIGKILL');
      const r = await run.done;
      expect(r).toMatchObject({ code: 0, stdout: 'got-it\n' });
      expect(r.stderr.split('\n').filter((l) => l.startsWith('waiting'))).toEqual([line]);
    } finally {
      holder.kill('SIGKILL');
    }
  });

  it('without a terminal or -v, waiting stays quiet (scripts get only their output)', async () => {
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      writeFileSync(join(STATE, 'boxes', containerId(BOX), 'lock'), `${holder.pid}:${processStart(holder.pid!)}`);
      const run = toolboxAsync(['run', '-n', '-c', BOX, 'echo', 'got-it'], { env });
      // It waits once its own lock.PID file is there; the message would be due a second later.
      await waitFor(
        () => existsSync(join(STATE, 'boxes', containerId(BOX), `lock.${run.child.pid}`)),
        'the call to wait',
      );
      await new Promise((r) => setTimeout(r, 2000));
      holder.kill('SIGKILL');
      expect(await run.done).toMatchObject({ code: 0, stdout: 'got-it\n', stderr: '' });
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('waiting for the package manager', () => {
  const BOX = `${P}pkgwait`;
  beforeAll(() => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
  });

  it('a package command waits while another one holds the toolbox, and says who', async () => {
    const holder = spawn('sleep', ['600'], { stdio: 'ignore' });
    try {
      const work = join(STATE, 'boxes', containerId(BOX), 'work');
      mkdirSync(work, { recursive: true, mode: 0o700 });
      writeFileSync(join(work, 'lock'), `${holder.pid}:${processStart(holder.pid!)}`);
      const run = toolboxAsync(['update', '-v', '-n', '-c', BOX], { env });
      let stderr = '';
      run.child.stderr.on('data', (d: Buffer) => {
        stderr += d.toString();
      });
      const line = `waiting for the package manager of toolbox ${BOX}: process ${holder.pid} (sleep 600) holds its lock`;
      await waitFor(() => stderr.includes('waiting for'), 'the waiting message');
      holder.kill('SIGKILL');
      const r = await run.done;
      expect(r.code).toBe(0);
      expect(r.stderr.split('\n').filter((l) => l.startsWith('waiting'))).toEqual([line]);
    } finally {
      holder.kill('SIGKILL');
    }
  });
});

describe('files written where others can plant links', () => {
  it('collect never writes its bundle through a symlink planted at its temporary name', async () => {
    const BOX = `${P}collect`;
    const e = isolatedEnv();
    mkdirSync(join(e.XDG_CONFIG_HOME!, 'toolbox'), { recursive: true });
    writeFileSync(
      join(e.XDG_CONFIG_HOME!, 'toolbox', 'config.json'),
      JSON.stringify({ collectors: [{ name: 'one', command: ['true'] }] }),
    );
    const shared = join(tmp, 'shared');
    mkdirSync(shared, { mode: 0o1777 });
    const victim = join(tmp, 'victim-file');
    writeFileSync(victim, 'victim\n');
    const out = join(shared, 'bundle.tar.gz');
    // held at the start so the link can name its pid, as an attacker would guess it
    const call = spawn(
      'sh',
      ['-c', 'read _; exec "$@"', 'sh', ...CLI_ARGV, 'collect', '-c', BOX, '--profile', 'custom', '--out', out],
      { env: e, stdio: ['pipe', 'pipe', 'pipe'] },
    );
    let stderr = '';
    call.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    symlinkSync(victim, `${out}.tmp-${call.pid}`);
    call.stdin.end('\n');
    const code = await new Promise((r) => call.on('close', r));
    expect(readFileSync(victim, 'utf8')).toBe('victim\n');
    // Refusing (this temporary name is taken) or writing elsewhere are both safe; following is not.
    if (code === 0) expect(lstatSync(out).isFile()).toBe(true);
    else
      expect(stderr).toBe(
        `Error: cannot write the bundle to ${out}: EEXIST. Hint: choose a writable place with --out FILE or --out DIR\n`,
      );
  });
});

// Not on docker: rootless docker is out of scope, so a user's call is refused before it has any state.
describe.skipIf(ENGINE === 'docker')('13.2: the rootless state directory cannot be taken over', () => {
  // Users of this run's own, so that it removes exactly what it made.
  const VICTIM = freshUserName('stv');
  const ATTACKER = freshUserName('sta');
  const BOX = `${P}rootless`;
  const uidOf = (user: string) => Number(spawnSync('id', ['-u', user], { encoding: 'utf8' }).stdout.trim());
  let victim = 0;
  let attacker = 0;
  let home = '';

  beforeAll(() => {
    for (const user of [VICTIM, ATTACKER]) {
      // useradd fails while another process holds /etc/passwd's lock: try a few times
      let made = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', user], { encoding: 'utf8' });
      for (let i = 0; made.status !== 0 && i < 20; i++) {
        spawnSync('sleep', ['0.5']);
        made = spawnSync('useradd', ['--no-create-home', '--shell', '/bin/sh', user], { encoding: 'utf8' });
      }
      expect(made.stderr).toBe('');
      expect(made.status).toBe(0);
    }
    victim = uidOf(VICTIM);
    attacker = uidOf(ATTACKER);
    rmSync(`/tmp/toolbox-${victim}`, { recursive: true, force: true });
    home = join(tmp, 'victim-home');
    mkdirSync(home, { mode: 0o755 });
    chownSync(home, victim, victim);
  });
  afterAll(() => {
    rmSync(`/tmp/toolbox-${victim}`, { recursive: true, force: true });
    for (const user of [VICTIM, ATTACKER]) spawnSync('userdel', [user]);
  });

  const asAttacker = (...argv: string[]) =>
    spawnSync('setpriv', [`--reuid=${attacker}`, `--regid=${attacker}`, '--clear-groups', ...argv], {
      encoding: 'utf8',
    });

  it('13.2: a planted /tmp/toolbox-UID with a symlinked lock file is refused, and the file it points to is untouched', async () => {
    const precious = join(home, 'precious');
    writeFileSync(precious, 'precious\n');
    chownSync(precious, victim, victim);
    // The victim's call, held at the start so the attacker knows its pid (exec keeps it).
    const call = spawn(
      'sh',
      [
        '-c',
        'read _; exec "$@"',
        'sh',
        'setpriv',
        `--reuid=${victim}`,
        `--regid=${victim}`,
        '--clear-groups',
        'env',
        '-i',
        `PATH=${process.env.PATH}`,
        `HOME=${home}`,
        `USER=${VICTIM}`,
        ...CLI_ARGV,
        'run',
        '-c',
        BOX,
        'true',
      ],
      {
        cwd: home,
        stdio: ['pipe', 'pipe', 'pipe'],
      },
    );
    let stderr = '';
    call.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    const top = `/tmp/toolbox-${victim}`;
    // where this and earlier versions put the lock owner's file
    for (const dir of [`${top}/${ENGINE}/${BOX}`, `${top}/${ENGINE}/claims/${BOX}`]) {
      expect(asAttacker('mkdir', '-p', dir).status).toBe(0);
      expect(asAttacker('ln', '-s', precious, `${dir}/lock.${call.pid}`).status).toBe(0);
    }
    expect(asAttacker('chmod', '-R', '0777', top).status).toBe(0);
    call.stdin.end('\n');
    const code = await new Promise((r) => call.on('close', r));
    expect(readFileSync(precious, 'utf8')).toBe('precious\n');
    expect(stderr).toBe(
      `Error: refusing to use the state directory ${top}: it is owned by uid ${attacker}, not by you (uid ${victim}). Hint: another user may have planted it; remove it (as root if need be), or set XDG_RUNTIME_DIR to a directory of your own\n`,
    );
    expect(code).toBe(1);
  });
});
