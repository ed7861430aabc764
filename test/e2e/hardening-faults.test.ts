// Faults: a broken engine, toolboxes in every state, a deleted image, the CLI killed or
// interrupted mid-create, a full disk. Each is survived with one clear line, and the next call
// recovers. (podman missing from PATH is pinned in config.test.ts; an exited toolbox being
// started again in run.test.ts; the engine killed at each of its calls in
// hardening-engine-kill.test.ts; full, read-only and removed config and state directories in
// hardening-places.test.ts.)
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  ENGINE,
  ROOT,
  RUNTIME_STATE,
  commitContainer,
  forceRemove,
  containerId,
  containerState,
  containersNamed,
  isolatedEnv,
  parseJson,
  podman,
  removeContainers,
  toolbox,
  toolboxAsync,
  waitFor,
  type Result,
  runPrefix,
  RUN_TAG,
  RUN_LABEL_ARGS,
} from './helpers.js';

const P = runPrefix('hd-flt-');
const env = isolatedEnv();
/** The engine under test's binary, found on PATH as toolbox finds it. */
const REAL_ENGINE = spawnSync('sh', ['-c', `command -v ${ENGINE}`], { encoding: 'utf8' }).stdout.trim();
/** podman only: what docker lacks (its own configuration files, `container init`, a "stopping" state). */
const podmanOnly = it.skipIf(ENGINE === 'docker');
const tmp = mkdtempSync(`/tmp/${P}`);
const MACRO = '/usr/lib/rpm/macros.d/macros.toolbox';

beforeAll(() => {
  removeContainers(P);
});
afterAll(() => {
  removeContainers(P);
  rmSync(tmp, { recursive: true, force: true });
});

/**
 * Removes this one name of an image and nothing else: podman's untag with no name strips every
 * name; docker has no untag, and its rmi of one name of an image that has others only untags it.
 */
function untag(ref: string): void {
  podman(ENGINE === 'docker' ? ['rmi', ref] : ['untag', ref, ref]);
}

function oneLine(r: Result, code: number, line: string | RegExp): void {
  expect(r.stderr).not.toMatch(/Internal error|\n\s+at /);
  if (typeof line === 'string') expect(r.stderr).toBe(`${line}\n`);
  else expect(r.stderr).toMatch(line);
  expect(r.stderr.split('\n')).toHaveLength(2);
  expect(r.code).toBe(code);
}

/** The engine's binary on PATH in front of the real one, running `script` (sh) with the real one as $REAL. */
function shim(name: string, script: string): NodeJS.ProcessEnv {
  const dir = join(tmp, name);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, ENGINE), `#!/bin/sh\nREAL=${REAL_ENGINE}\n${script}\n`, { mode: 0o755 });
  return { ...env, PATH: `${dir}:${env.PATH}`, HD_MARK: join(dir, 'mark') };
}

describe('the engine is present but failing', () => {
  const BOX = `${P}engine`;
  beforeAll(() => {
    expect(toolbox(['create', BOX], { env }).code).toBe(0);
  });

  // podman's configuration files; docker's equivalent fault, no daemon behind DOCKER_HOST, is
  // pinned in engine-choice.test.ts.
  podmanOnly('a broken containers.conf (CONTAINERS_CONF): exit 125, one line naming the file', () => {
    const conf = join(tmp, 'broken-containers.conf');
    writeFileSync(conf, 'this is [not toml\n');
    for (const args of [['list'], ['run', '-c', `${P}new`, 'true'], ['stop', BOX]]) {
      const r = toolbox(args, { env: { ...env, CONTAINERS_CONF: conf } });
      oneLine(
        r,
        125,
        new RegExp(
          `^Error: podman (ps|inspect \\S+) failed: reading system config "${conf}": decode configuration ${conf}: toml: .*\\. Hint: run with -v to see the ${ENGINE} commands\\n$`,
        ),
      );
    }
    expect(containersNamed(`${P}new`)).toEqual([]);
    expect(containerState(BOX)).toBe('running');
  });

  podmanOnly('a broken storage.conf (CONTAINERS_STORAGE_CONF): exit 125, and the toolbox is left as it was', () => {
    const conf = join(tmp, 'broken-storage.conf');
    writeFileSync(conf, '[storage\ndriver = \n');
    const r = toolbox(['list'], { env: { ...env, CONTAINERS_STORAGE_CONF: conf } });
    oneLine(r, 125, /^Error: podman ps failed: toml: .*\. Hint: run with -v to see the podman commands\n$/);
    // Direct entry needs no engine: the running toolbox is still reachable.
    const direct = toolbox(['run', '-n', '-c', BOX, 'echo', 'reachable'], {
      env: { ...env, CONTAINERS_STORAGE_CONF: conf },
    });
    expect(direct.stdout).toBe('reachable\n');
    expect(direct.code).toBe(0);
    // Through podman, a session on the running toolbox (its record is cached) fails in the engine,
    // not in toolbox. (podman 4.3 itself prints "Failed to read CONF toml: ..." on stdout, and exits 1.)
    const run = toolbox(['run', '-n', '--exec', 'podman', '-c', BOX, 'echo', 'unreachable'], {
      env: { ...env, CONTAINERS_STORAGE_CONF: conf },
    });
    expect(run.stdout).not.toContain('unreachable');
    expect(run.code).toBe(1);
    expect(run.stdout + run.stderr).toContain(conf);
    expect(run.stderr).not.toMatch(/Internal error|\n\s+at /);
    expect(containerState(BOX)).toBe('running');
    // and once the configuration is fixed, everything works again
    expect(toolbox(['run', '-n', '-c', BOX, 'echo', 'back'], { env }).stdout).toBe('back\n');
  });

  // docker's counterpart of a broken containers.conf: its client's own configuration. docker
  // warns and goes on without it; so does toolbox, and the warning is docker's, not a result.
  it.skipIf(ENGINE !== 'docker')('a broken docker client config (DOCKER_CONFIG): everything works', () => {
    const dir = join(tmp, 'docker-config');
    mkdirSync(dir);
    writeFileSync(join(dir, 'config.json'), 'this is {not json\n');
    const e = { ...env, DOCKER_CONFIG: dir };
    const list = toolbox(['list', '--json'], { env: e });
    expect({ code: list.code, stderr: list.stderr }).toEqual({ code: 0, stderr: '' });
    expect((parseJson(list.stdout, 'list --json') as { name: string }[]).map((b) => b.name)).toContain(BOX);
    const run = toolbox(['run', '-c', `${P}cfg`, 'echo', 'works'], { env: e });
    expect({ code: run.code, stdout: run.stdout, stderr: run.stderr }).toEqual({
      code: 0,
      stdout: 'works\n',
      stderr: '',
    });
    expect(containersNamed(`${P}cfg`)).toEqual([`${P}cfg`]);
  });

  it('an engine that fails with its own message: exit 125 and that message', () => {
    const e = shim('fails', 'echo "Error: simulated engine failure" >&2; exit 125');
    oneLine(
      toolbox(['run', '-c', `${P}new`, 'true'], { env: e }),
      125,
      `Error: ${ENGINE} inspect ${P}new failed: simulated engine failure. Hint: run with -v to see the ${ENGINE} commands`,
    );
    oneLine(
      toolbox(['list'], { env: e }),
      125,
      `Error: ${ENGINE} ps failed: simulated engine failure. Hint: run with -v to see the ${ENGINE} commands`,
    );
  });

  it('an engine that prints garbage: exit 125, never an internal error', () => {
    const e = shim('garbage', 'echo "garbage, not JSON"');
    const hint = `Hint: check that ${ENGINE} works: ${ENGINE} info`;
    oneLine(
      toolbox(['list'], { env: e }),
      125,
      `Error: the container engine printed something that is not JSON: "garbage, not JSON". ${hint}`,
    );
    oneLine(
      toolbox(['run', '-c', `${P}garbage`, 'true'], { env: e }),
      125,
      `Error: the container engine printed something that is not JSON: "garbage, not JSON". ${hint}`,
    );
  });

  it('an engine that dies of a signal: exit 125, and the line says so', () => {
    const e = shim('killed', 'kill -9 $$');
    oneLine(
      toolbox(['list'], { env: e }),
      125,
      `Error: ${ENGINE} ps failed: killed by SIGKILL. Hint: run with -v to see the ${ENGINE} commands`,
    );
  });

  it('an engine that is not executable: exit 125', () => {
    const dir = join(tmp, 'noexec');
    mkdirSync(dir);
    writeFileSync(join(dir, ENGINE), 'not a program', { mode: 0o644 });
    // Not executable means not found on PATH. Chosen by auto-detection (podman's run), with no
    // other engine there, that is what is said; chosen by name (docker's run), that engine is.
    oneLine(
      toolbox(['list'], { env: { ...env, PATH: dir } }),
      125,
      ENGINE === 'docker'
        ? 'Error: docker is not installed (it is not on PATH). Hint: install docker, or choose another engine with --engine'
        : 'Error: neither podman nor docker is installed (neither is on PATH). Hint: install podman: zypper install podman (or transactional-update pkg install podman)',
    );
  });
});

describe('a toolbox in each state', () => {
  const BOX = `${P}state`;

  it('paused, with its record cached: the next call unpauses it and runs', () => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    expect(podman(['pause', BOX]).code).toBe(0);
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'unpaused'], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('unpaused\n');
    expect(r.code).toBe(0);
    expect(containerState(BOX)).toBe('running');
  });

  it('paused: stop stops it, rm refuses it without --force', () => {
    expect(podman(['pause', BOX]).code).toBe(0);
    oneLine(
      toolbox(['rm', BOX], { env }),
      1,
      `Error: toolbox ${BOX} is running; not removing it. Hint: stop it with 'toolbox stop ${BOX}', or use --force`,
    );
    expect(containerState(BOX)).toBe('paused');
    expect(toolbox(['stop', BOX], { env }).code).toBe(0);
    expect(containerState(BOX)).toBe('exited');
  });

  // docker has no `container init`; its created-never-started toolbox is the killed create below.
  podmanOnly('created but never started (left by a killed create): started and set up on the next call', () => {
    const id = containerId(BOX);
    expect(podman(['container', 'init', BOX]).code).toBe(0); // podman's "initialized": created, never run since
    const r = toolbox(['run', '-c', BOX, 'echo', 'ok'], { env });
    expect(r.stdout).toBe('ok\n');
    expect(r.code).toBe(0);
    expect(containerId(BOX)).toBe(id);
  });

  // docker shows no "stopping" state: a container being stopped is running until it has exited.
  podmanOnly(
    'stopping (a stop from outside toolbox in progress): the next call waits for it, then starts it',
    async () => {
      expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
      // Freeze the keep-alive with SIGSTOP so `podman stop -t 3` stays in "stopping" for 3 s.
      expect(podman(['kill', '--signal', 'STOP', BOX]).code).toBe(0);
      const stopper = spawn(REAL_ENGINE, ['stop', '-t', '3', BOX], { stdio: 'ignore' });
      await waitFor(() => containerState(BOX) === 'stopping', 'the stopping state');
      // The cached record still names a live process: through podman, the engine refuses the exec
      // while the stop runs, with its own one line. That call fails; no toolbox state is harmed.
      const during = toolbox(['run', '-n', '--exec', 'podman', '-c', BOX, 'echo', 'during'], { env });
      expect(during.stderr).not.toMatch(/Internal error|\n\s+at /);
      expect(during.stderr).toBe(
        'Error: can only create exec sessions on running containers: container state improper\n',
      );
      expect(during.code).toBe(255);
      await new Promise((r) => stopper.on('close', r));
      const after = toolbox(['run', '-n', '-c', BOX, 'echo', 'after'], { env });
      expect(after.stdout).toBe('after\n');
      expect(after.code).toBe(0);
    },
  );

  podmanOnly('stopping, without a cached record: the call waits for the stop to finish and starts it', async () => {
    expect(podman(['kill', '--signal', 'STOP', BOX]).code).toBe(0);
    const stopper = spawn(REAL_ENGINE, ['stop', '-t', '2', BOX], { stdio: 'ignore' });
    await waitFor(() => containerState(BOX) === 'stopping', 'the stopping state');
    rmSync(`${RUNTIME_STATE}/boxes/${containerId(BOX)}/record.json`, { force: true }); // as after a reboot of /run
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'restarted'], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('restarted\n');
    expect(r.code).toBe(0);
    await new Promise((res) => stopper.on('close', res));
    expect(containerState(BOX)).toBe('running');
  });

  // --exec podman enters through the engine's exec, with stdin held open (a pipe here): docker's
  // client then never ended by itself once the container was gone, and the session hung.
  it.each([['auto'], ['podman']])(
    'removed in the middle of a session (--exec %s): the session ends with a clear line, the next call recreates it',
    async (exec) => {
      const session = toolboxAsync(
        ['run', '--exec', exec, '-c', BOX, '--', 'sh', '-c', 'echo ready; sleep 60; echo never'],
        { env },
      );
      await waitFor(() => session.output().includes('ready'), 'the session');
      const id = containerId(BOX);
      expect(forceRemove(BOX)).toBe(0);
      const r = await session.done;
      expect(r.stdout).toBe('ready\n');
      // podman races with itself here: the exec ends killed (137), or podman notices the removal
      // first and says so (255), in one of two words depending on how far the removal got (the
      // container gone from its state, or from its database too). `rm --force` kills before it
      // removes, so toolbox's own auto-stop can land in between: on a container that still exists
      // (stopped) it succeeds and there is nothing to say; once the container is gone toolbox adds
      // one line saying what happened.
      const warning = `Warning: toolbox ${BOX} was removed while this session ran; the next call creates it anew\n`;
      if (r.code === 137) expect([warning, '']).toContain(r.stderr);
      else {
        expect(r.code).toBe(255);
        expect([
          `Error: container has already been removed\n${warning}`,
          `Error: container ${id} does not exist in database: no such container\n${warning}`,
        ]).toContain(r.stderr);
      }
      const next = toolbox(['run', '-c', BOX, 'echo', 'anew'], { env });
      expect(next.stderr).toBe('');
      expect(next.stdout).toBe('anew\n');
      expect(containersNamed(BOX)).toEqual([BOX]);
      expect(containerId(BOX)).not.toBe(id);
    },
  );

  it('removed between calls while its record is cached: recreated', () => {
    expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
    expect(forceRemove(BOX)).toBe(0);
    const r = toolbox(['run', '-n', '-c', BOX, 'echo', 'recreated'], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('recreated\n');
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  // Found on the fleet's fake hosts under load, right after a reboot: `toolbox run -- host-update`
  // exited 127 ("env: 'host-update': No such file or directory"). runc's start returns once the
  // container's process is released, which may be before that process (still "runc init", in the
  // container's namespaces already, with runc's environment and no PATH) has exec'd the keep-alive.
  // Entered then, the command got runc's environment. A runtime whose start returns first and
  // starts the container 2 s later makes that window certain. podman only: the runtime is given
  // per call through CONTAINERS_CONF; dockerd's runtimes are its own configuration (daemon.json).
  podmanOnly(
    "started by a runtime whose start returns before the keep-alive runs: the command gets the toolbox's environment, not the runtime's",
    async () => {
      const runc = spawnSync('sh', ['-c', 'command -v runc'], { encoding: 'utf8' }).stdout.trim();
      const wrapper = join(tmp, 'late-runc');
      writeFileSync(
        wrapper,
        `#!/bin/sh\nfor a; do [ "$a" = start ] && { (sleep 2; exec ${runc} "$@") </dev/null >/dev/null 2>&1 & exit 0; }; done\nexec ${runc} "$@"\n`,
        { mode: 0o755 },
      );
      const conf = join(tmp, 'late-runc.conf');
      writeFileSync(
        conf,
        `${readFileSync('/etc/containers/containers.conf', 'utf8')}\n[engine.runtimes]\nrunc = ["${wrapper}"]\n`,
      );
      const keepAlive = () => {
        const pid = podman(['inspect', '--format', '{{.State.Pid}}', BOX]).stdout.trim();
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8') === 'sleep\0infinity\0';
      };
      // With its record cached, and without (as after a reboot, which empties /run).
      for (const cached of [true, false]) {
        expect(toolbox(['run', '-n', '-c', BOX, 'true'], { env }).code).toBe(0);
        expect(podman(['stop', '--time', '0', BOX]).code).toBe(0);
        if (!cached) rmSync(`/run/toolbox/podman/boxes/${containerId(BOX)}/record.json`, { force: true });
        const r = toolbox(['run', '-n', '-c', BOX, 'env'], { env: { ...env, CONTAINERS_CONF: conf } });
        expect(r.stderr).toBe('');
        const vars = r.stdout.split('\n');
        expect(vars).toContain('PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin');
        expect(vars.filter((v) => v.startsWith('_LIBCONTAINER_'))).toEqual([]);
        expect(r.code).toBe(0);
        await waitFor(keepAlive, 'the late start of the keep-alive');
      }
    },
  );
});

describe('its image deleted', () => {
  const IMAGE = `localhost/${P}image:1`;
  const OWN = `localhost/${P}own:1`;
  afterAll(() => {
    untag(IMAGE); // this one name of the shared test image, nothing else
    podman(['rmi', '--force', OWN]);
  });

  it('untagged under a running toolbox: the toolbox keeps working; a new one is refused clearly', () => {
    expect(podman(['tag', 'localhost/toolbox-test:latest', IMAGE]).code).toBe(0);
    expect(toolbox(['create', '-i', IMAGE, `${P}img`], { env }).code).toBe(0);
    expect(podman(['rmi', IMAGE]).code).toBe(0);
    // without TOOLBOX_IMAGE, which would ask for another image than this toolbox's (refused)
    expect(
      toolbox(['run', '-c', `${P}img`, 'echo', 'still here'], { env: isolatedEnv({ TOOLBOX_IMAGE: undefined }) })
        .stdout,
    ).toBe('still here\n');
    const r = toolbox(['create', '-i', IMAGE, `${P}img2`], { env });
    oneLine(
      r,
      1,
      `Error: image not found: ${IMAGE} (localhost/ images are never pulled). Hint: build or load it first, e.g. '${ENGINE} build -t ${IMAGE} .'`,
    );
    expect(containersNamed(`${P}img2`)).toEqual([]);
    expect(toolbox(['rm', `${P}img`], { env }).code).toBe(0);
  });

  it('removed with its toolbox (rmi --force): the next call says the image is gone', () => {
    // An image of our own, so removing it harms no one else's.
    const base = podman([
      'create',
      '--name',
      `${P}commit`,
      ...RUN_LABEL_ARGS,
      'localhost/toolbox-test-minimal:latest',
      'true',
    ]);
    expect(base.code).toBe(0);
    expect(commitContainer(`${P}commit`, OWN)).toBe(0);
    podman(['rm', `${P}commit`]);
    expect(toolbox(['run', '-c', `${P}own`, '-i', OWN, 'echo', 'made'], { env }).stdout).toBe('made\n');
    // podman's rmi --force removes the containers of the image with it; docker's only untags an
    // image that a container uses and leaves both, so there the toolbox goes first.
    if (ENGINE === 'docker') expect(forceRemove(`${P}own`)).toBe(0);
    expect(podman(['rmi', '--force', OWN]).code).toBe(0);
    expect(containersNamed(`${P}own`)).toEqual([]);
    const r = toolbox(['run', '-c', `${P}own`, '-i', OWN, 'true'], { env });
    oneLine(
      r,
      1,
      `Error: image not found: ${OWN} (localhost/ images are never pulled). Hint: build or load it first, e.g. '${ENGINE} build -t ${OWN} .'`,
    );
    expect(containersNamed(`${P}own`)).toEqual([]);
  });
});

/** Starts the CLI in its own process group (as a shell would), to signal it like a terminal. */
function startGroup(args: string[], e: NodeJS.ProcessEnv) {
  const child = spawn(...cli(args), { env: e, cwd: ROOT, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const done = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((res) =>
    child.on('close', (code, signal) => {
      res({ code, signal, stderr });
    }),
  );
  return { child, done };
}

function killShim(mark: string): void {
  try {
    process.kill(Number(readFileSync(mark, 'utf8')), 'SIGKILL');
  } catch {
    /* already gone */
  }
}

describe('killed or interrupted during create', () => {
  // The shim lets the real create happen, then holds: the CLI dies between create and start.
  const afterCreate =
    'if [ "$1" = create ]; then "$REAL" "$@"; echo $$ > "$HD_MARK"; exec sleep 60; fi\nexec "$REAL" "$@"';
  const beforePull = 'if [ "$1" = pull ]; then echo $$ > "$HD_MARK"; exec sleep 60; fi\nexec "$REAL" "$@"';

  it('SIGKILL between create and start: the next call starts the half-made toolbox and sets it up', async () => {
    const BOX = `${P}sigkill`;
    const e = shim('after-create', afterCreate);
    const run = startGroup(['run', '-c', BOX, 'echo', 'first'], e);
    await waitFor(() => existsSync(e.HD_MARK!), 'the create');
    run.child.kill('SIGKILL');
    expect((await run.done).signal).toBe('SIGKILL');
    killShim(e.HD_MARK!);
    expect(containerState(BOX)).toBe('created');
    // The dead process's lock is broken, the toolbox started and given its setup.
    const r = toolbox(['run', '-c', BOX, 'cat', MACRO], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('%_netsharedpath /dev:/etc/hosts\n');
    expect(r.code).toBe(0);
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  it('SIGKILL during the first-start setup: the next call sets the running toolbox up', async () => {
    const BOX = `${P}sigkill-setup`;
    // hold the setup exec (its script is named toolbox-setup) before it runs
    const e = shim(
      'during-setup',
      'case "$*" in exec*toolbox-setup*) echo $$ > "$HD_MARK"; exec sleep 60;; esac\nexec "$REAL" "$@"',
    );
    // through podman, so that the shim sees the setup exec (direct entry would bypass it)
    const run = startGroup(['run', '--exec', 'podman', '-c', BOX, 'echo', 'first'], e);
    await waitFor(() => existsSync(e.HD_MARK!), 'the setup');
    run.child.kill('SIGKILL');
    await run.done;
    killShim(e.HD_MARK!);
    expect(containerState(BOX)).toBe('running');
    expect(podman(['exec', BOX, 'test', '-e', MACRO]).code).toBe(1); // not set up yet
    const r = toolbox(['run', '-c', BOX, 'cat', MACRO], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('%_netsharedpath /dev:/etc/hosts\n');
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  it('Ctrl-C (SIGINT to the process group) during create: exit 130, and the next call recovers', async () => {
    const BOX = `${P}sigint-create`;
    const e = shim('after-create-int', afterCreate);
    const run = startGroup(['run', '-c', BOX, 'echo', 'first'], e);
    await waitFor(() => existsSync(e.HD_MARK!), 'the create');
    process.kill(-run.child.pid!, 'SIGINT');
    const r = await run.done;
    expect(r).toEqual({ code: null, signal: 'SIGINT', stderr: '' });
    killShim(e.HD_MARK!);
    const next = toolbox(['run', '-c', BOX, 'cat', MACRO], { env });
    expect(next.stderr).toBe('');
    expect(next.stdout).toBe('%_netsharedpath /dev:/etc/hosts\n');
    expect(containersNamed(BOX)).toEqual([BOX]);
  });

  it('Ctrl-C during a pull: nothing is created, and the next call works', async () => {
    const BOX = `${P}sigint-pull`;
    const REMOTE = `hd-flt-registry.invalid/hd/toolbox:${RUN_TAG}-1`;
    expect(podman(['tag', 'localhost/toolbox-test:latest', REMOTE]).code).toBe(0);
    try {
      const e = shim('before-pull', beforePull);
      const run = startGroup(['run', '-c', BOX, '-i', REMOTE, 'echo', 'first'], e);
      await waitFor(() => existsSync(e.HD_MARK!), 'the pull');
      process.kill(-run.child.pid!, 'SIGINT');
      const r = await run.done;
      expect(r).toEqual({ code: null, signal: 'SIGINT', stderr: '' });
      killShim(e.HD_MARK!);
      expect(containersNamed(BOX)).toEqual([]);
      // -P: use the local copy (the registry is unreachable here anyway)
      const next = toolbox(['run', '-P', '-c', BOX, '-i', REMOTE, 'echo', 'second'], { env });
      expect(next.stderr).toBe('');
      expect(next.stdout).toBe('second\n');
      expect(containersNamed(BOX)).toEqual([BOX]);
    } finally {
      podman(['rm', '--force', BOX]);
      untag(REMOTE);
    }
  });

  it('SIGTERM to toolbox alone during a pull: toolbox dies of it and nothing is created', async () => {
    const BOX = `${P}sigterm-pull`;
    const REMOTE = `hd-flt-registry.invalid/hd/toolbox:${RUN_TAG}-3`;
    expect(podman(['tag', 'localhost/toolbox-test:latest', REMOTE]).code).toBe(0);
    try {
      const e = shim('before-pull-term', beforePull);
      const run = startGroup(['run', '-c', BOX, '-i', REMOTE, 'true'], e);
      await waitFor(() => existsSync(e.HD_MARK!), 'the pull');
      run.child.kill('SIGTERM');
      expect(await run.done).toEqual({ code: null, signal: 'SIGTERM', stderr: '' });
      killShim(e.HD_MARK!);
      expect(containersNamed(BOX)).toEqual([]);
    } finally {
      untag(REMOTE);
    }
  });

  it('SIGKILL while holding the lock during a pull: the next call is not blocked by the dead lock', async () => {
    const BOX = `${P}sigkill-pull`;
    const REMOTE = `hd-flt-registry.invalid/hd/toolbox:${RUN_TAG}-2`;
    expect(podman(['tag', 'localhost/toolbox-test:latest', REMOTE]).code).toBe(0);
    try {
      const e = shim('before-pull-kill', beforePull);
      const run = startGroup(['run', '-c', BOX, '-i', REMOTE, 'true'], e);
      await waitFor(() => existsSync(e.HD_MARK!), 'the pull');
      run.child.kill('SIGKILL');
      await run.done;
      killShim(e.HD_MARK!);
      expect(existsSync(`${RUNTIME_STATE}/claims/${BOX}/lock`)).toBe(true); // the name's claim, left behind by the dead owner
      const next = toolbox(['run', '-P', '-c', BOX, '-i', REMOTE, 'echo', 'unblocked'], { env });
      expect(next.stdout).toBe('unblocked\n');
      expect(next.code).toBe(0);
    } finally {
      podman(['rm', '--force', BOX]);
      untag(REMOTE);
    }
  });
});

describe('the disk full while writing config', () => {
  const mnt = join(tmp, 'full');
  beforeAll(() => {
    mkdirSync(mnt);
    expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'hd-flt-full', mnt]).status).toBe(0);
  });
  afterAll(() => void spawnSync('umount', [mnt]));

  it('config set fails with one line, and the old file survives byte for byte, with no temp files left', () => {
    const e = { ...env, XDG_CONFIG_HOME: mnt };
    expect(toolbox(['config', 'set', 'autostop', 'false'], { env: e }).code).toBe(0);
    expect(toolbox(['config', 'set', 'image', 'localhost/toolbox-test:latest'], { env: e }).code).toBe(0);
    const file = join(mnt, 'toolbox/config.json');
    const before = readFileSync(file);
    spawnSync('dd', ['if=/dev/zero', `of=${join(mnt, 'filler')}`, 'bs=4k'], { stdio: 'ignore' }); // fills it: ENOSPC
    const big = `/${'n'.repeat(8000)}`; // a valid (absolute) shell path, too big for what is left
    // SNAP in the environment makes conf write in place; toolbox must stay atomic regardless.
    for (const extra of [{}, { SNAP: '/snap/x/1' }]) {
      const r = toolbox(['config', 'set', 'shell', big], { env: { ...e, ...extra } });
      oneLine(
        r,
        1,
        `Error: cannot write ${file}: the disk is full (the previous file is unchanged). Hint: free space or fix permissions, or point XDG_CONFIG_HOME at a writable directory`,
      );
      expect(readFileSync(file)).toEqual(before);
      expect(readdirSync(join(mnt, 'toolbox'))).toEqual(['config.json']);
    }
    expect(toolbox(['config', 'get', 'autostop'], { env: e }).stdout).toBe('false\n');
    rmSync(join(mnt, 'filler'));
    expect(toolbox(['config', 'set', 'name', 'after-space-freed'], { env: e }).code).toBe(0);
    expect(JSON.parse(readFileSync(file, 'utf8'))).toEqual({
      autostop: false,
      image: 'localhost/toolbox-test:latest',
      name: 'after-space-freed',
    });
  });
});
