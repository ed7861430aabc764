// The pull path against a real registry (test/e2e/support/registry.ts): TLS from a CA of its
// own, htpasswd logins, a registries.conf mirror of registry.opensuse.org, GPG signatures under
// podman's own policy. Each failure is one line with its cause and fix, and leaves nothing made.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  containersNamed,
  isolatedEnv,
  MINIMAL_IMAGE,
  podman,
  removeContainers,
  ROOT,
  RUN_TAG,
  runPrefix,
  TEST_IMAGE,
  toolbox,
  waitFor,
} from './helpers.js';
import { startFakeHost, type FakeHost } from '../fixtures/fake-host/fake-host.js';
import { freePort, TestRegistry } from './support/registry.js';
import { Tmux } from './support/tmux.js';

const P = runPrefix('reg-e2e-');
/** This run's namespace in the registry, and so in local image names. */
const NS = `toolbox-e2e-${RUN_TAG}`;
const DEFAULT = 'registry.opensuse.org/opensuse/toolbox';
let reg: TestRegistry;
/** set once the registry runs: what afterAll removes */
let started: TestRegistry | undefined;
let work: string;
let mirrorConf: string;
let deadMirrorConf: string;
/** a port nothing listens on: a mirror that is down */
let deadHost: string;
let defaultWasHere = false;
/** local images this file made (built or pulled), removed at the end */
const images: string[] = [];
/** what the registry serves as opensuse/toolbox:latest for the default-image tests */
let base: string;

const imageId = (ref: string) => podman(['image', 'inspect', '--format', '{{.Id}}', ref]).stdout.trim();
const hasImage = (ref: string) => podman(['image', 'exists', ref]).code === 0;

/** A new local image from BASE that differs by a label: a "newer" build of the same thing. */
function newerImage(base: string, name: string): string {
  const dir = mkdtempSync(join(tmpdir(), `${P}build-`));
  try {
    writeFileSync(join(dir, 'Containerfile'), `FROM ${base}\nLABEL io.toolbox.e2e.build=${name}\n`);
    const tag = `localhost/${P}${name}:latest`;
    const r = podman(['build', '--quiet', '--label', `io.toolbox.e2e.run=${RUN_TAG}`, '-t', tag, dir]);
    if (r.code !== 0) throw new Error(`podman build: ${r.stderr}`);
    images.push(tag);
    return tag;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The environment of a user of this registry: its auth file, its mirror, no -i default. */
function userEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  return isolatedEnv({ REGISTRY_AUTH_FILE: reg.authFile, CONTAINERS_REGISTRIES_CONF: mirrorConf, ...extra });
}

beforeAll(async () => {
  removeContainers(P);
  defaultWasHere = hasImage(`${DEFAULT}:latest`);
  reg = await TestRegistry.start();
  started = reg;
  work = mkdtempSync(join(tmpdir(), `${P}work-`));
  mirrorConf = reg.mirrorConf(join(work, 'registries.conf'));
  deadHost = `127.0.0.1:${await freePort()}`;
  deadMirrorConf = reg.mirrorConf(join(work, 'dead-registries.conf'), deadHost);
  // The small image keeps the pushes quick; the toolbox made from it runs all the same.
  // Images of this run's own (a label apart from the shared test image): a pull that stores
  // signatures stores them on this image, never on the shared one.
  base = newerImage(MINIMAL_IMAGE, 'base');
  reg.push(base, 'opensuse/toolbox:latest');
  reg.push(base, `${NS}/min:latest`);
});

afterAll(async () => {
  removeContainers(P);
  const pulled = podman(['images', '--format', '{{.Repository}}:{{.Tag}}'])
    .stdout.split('\n')
    .filter((r) => (started && r.startsWith(`${started.host}/`)) || r.startsWith(`registry.opensuse.org/${NS}/`));
  if (!defaultWasHere && hasImage(`${DEFAULT}:latest`)) pulled.push(`${DEFAULT}:latest`);
  for (const image of [...pulled, ...images]) podman(['rmi', image]);
  await started?.remove();
  if (work) rmSync(work, { recursive: true, force: true });
});

// What a new MicroOS user does: types `toolbox` in a terminal, on a machine whose registries.conf
// mirrors registry.opensuse.org, and gets the default image (here the test image, which has no
// host-update of its own) pulled through the mirror, a toolbox made and a shell in it; there,
// `host-update` is the executable toolbox mounts. REGISTRY_TRANSCRIPT=FILE keeps the terminal's text.
describe('typed in a terminal on a machine with a mirror of registry.opensuse.org', () => {
  // The default name is toolbox-root for every root on this shared machine: the test names its
  // toolbox in the environment (TOOLBOX_NAME, as a user's profile would) and types no option.
  const BOX = `${P}tty`;
  let host: FakeHost | undefined;

  beforeAll(() => {
    host = startFakeHost(`${P}host-`);
    reg.push(TEST_IMAGE, 'opensuse/toolbox:latest');
  });

  afterAll(() => {
    podman(['rm', '--force', '--time', '0', BOX]);
    if (!defaultWasHere) podman(['rmi', `${DEFAULT}:latest`]);
    host?.stop();
    // the next tests pull the small image under the default name again
    reg.push(base, 'opensuse/toolbox:latest');
  });

  it('toolbox pulls, creates and enters; host-update --help and status work inside; exit leaves', async () => {
    expect(hasImage(`${DEFAULT}:latest`)).toBe(false);
    const dir = mkdtempSync(join(tmpdir(), `${P}tty-`));
    const terminal = new Tmux(
      join(dir, 'tmux.socket'),
      userEnv({
        TOOLBOX_IMAGE: undefined,
        TOOLBOX_NAME: BOX,
        PATH: `${join(ROOT, 'dist/sea')}:${process.env.PATH ?? ''}`,
        PS1: 'host$ ',
      }),
    );
    const type = (line: string) => terminal.run('send-keys', '-t', 'user', line, 'Enter');
    const text = () => terminal.run('capture-pane', '-p', '-J', '-S', '-', '-t', 'user').stdout;
    const prompt = `[root@${BOX} /]#`;
    /** what the terminal shows after the line `typed`, once the toolbox prompt is back */
    const answered = (typed: string) => (text().split(`${prompt} ${typed}\n`)[1] ?? '').includes(prompt);
    const status = `host-update --host-pid ${host!.pid} status`;
    try {
      expect(terminal.start('user', 'exec bash --norc --noprofile -i').status).toBe(0);
      await waitFor(() => text().includes('host$ '), 'the shell prompt');
      type('toolbox');
      await waitFor(() => text().includes(`${prompt} `), 'the toolbox prompt', 240_000);
      type('host-update --help');
      await waitFor(() => answered('host-update --help'), 'the help');
      type(status);
      await waitFor(() => answered(status), 'the status');
      type('exit');
      await waitFor(() => text().trimEnd().endsWith('host$'), 'toolbox to exit');
      const transcript = text().trimEnd();
      if (process.env.REGISTRY_TRANSCRIPT) writeFileSync(process.env.REGISTRY_TRANSCRIPT, `${transcript}\n`);
      const lines = transcript.split('\n');
      // the pull's progress, the making and the entering: all of it the reporter's, on stderr
      const entered = lines.findIndex((l) => l.includes(prompt));
      expect(lines.slice(0, entered + 1)).toEqual([
        'host$ toolbox',
        `✔ pulled ${DEFAULT}`,
        `creating toolbox ${BOX} from ${DEFAULT}`,
        `starting toolbox ${BOX}`,
        `entering toolbox ${BOX}; type 'exit' to leave`,
        `⬢ ${prompt} host-update --help`,
      ]);
      expect(lines[entered + 1]).toBe('Usage: host-update [options] [command]');
      const at = lines.findIndex((l) => l.endsWith(`${prompt} ${status}`));
      expect(lines.slice(at + 1, at + 7)).toEqual([
        'booted snapshot:   #1',
        'current snapshot:  #1',
        'default snapshot:  #1 (next boot)',
        'reboot needed:     no',
        'transaction:       none running',
        'snapshots:',
      ]);
      expect(lines[at + 7]).toMatch(
        /^ {2}#1 {2}\d{4}-\d\d-\d\d \d\d:\d\d:\d\d {2}first root filesystem {2}\[booted, default\]$/,
      );
      // the leaving: the shell's logout, then toolbox stops the toolbox its last session left
      expect(lines.slice(-4)).toEqual([
        `⬢ ${prompt} exit`,
        'logout',
        `stopping toolbox ${BOX} (last session ended; -n keeps it running)`,
        'host$',
      ]);
    } finally {
      terminal.run('kill-server');
      rmSync(dir, { recursive: true, force: true });
    }
  }, 300_000);
});

describe('the default image through a registries.conf mirror of registry.opensuse.org', () => {
  const BOX = `${P}default`;

  it('create with no -i pulls through the mirror, progress on stderr only, and the toolbox runs', () => {
    const env = userEnv({ TOOLBOX_IMAGE: undefined });
    // --verbose: the progress as plain lines (a terminal shows a spinner), each engine command as '+ ...'
    const r = toolbox(['--verbose', 'create', BOX], { env });
    expect(r.stderr.split('\n').filter((l) => !l.startsWith('+ '))).toEqual([
      `pulling ${DEFAULT}...`,
      `pulled ${DEFAULT}`,
      `creating toolbox ${BOX} from ${DEFAULT}`,
      `starting toolbox ${BOX}`,
      `toolbox ${BOX} is ready`,
      '',
    ]);
    expect(r.stderr).toContain(`\n+ podman pull --quiet ${DEFAULT}\n`);
    // stdout: the result alone
    expect(r.stdout).toBe(`${BOX}\n`);
    expect(r.code).toBe(0);
    const run = toolbox(['run', '-c', BOX, 'true'], { env });
    expect(run).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('upgrade --check: 0 when up to date, 100 once the registry has a newer image, with no pull', () => {
    const env = userEnv({ TOOLBOX_IMAGE: undefined });
    const before = imageId(`${DEFAULT}:latest`);
    const same = toolbox(['upgrade', '--check', BOX], { env });
    expect(same.stderr).toBe('');
    expect(same.stdout).toBe(`toolbox ${BOX} is up to date with ${DEFAULT}\n`);
    expect(same.code).toBe(0);
    reg.push(newerImage(MINIMAL_IMAGE, 'newer-default'), 'opensuse/toolbox:latest');
    const newer = toolbox(['upgrade', '--check', BOX], { env });
    expect(newer.stderr).toBe('');
    expect(newer.stdout).toMatch(
      new RegExp(
        `^an upgrade is available for toolbox ${BOX}: ${DEFAULT} is [0-9a-f]{12}, the toolbox has [0-9a-f]{12}\\n$`,
      ),
    );
    expect(newer.code).toBe(100);
    expect(imageId(`${DEFAULT}:latest`)).toBe(before);
  });

  it('upgrade pulls the newer image through the mirror and keeps the old generation', () => {
    const env = userEnv({ TOOLBOX_IMAGE: undefined });
    const before = containersNamed(BOX);
    expect(before).toEqual([BOX]);
    const r = toolbox(['upgrade', BOX], { env });
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('');
    expect(r.code).toBe(0);
    // the new generation took the name; the old one is kept aside as generation 1
    expect(containersNamed(BOX).sort()).toEqual([BOX, `${BOX}.gen1`]);
    const check = toolbox(['upgrade', '--check', BOX], { env });
    expect(check).toMatchObject({ code: 0, stdout: `toolbox ${BOX} is up to date with ${DEFAULT}\n`, stderr: '' });
  });
});

describe('each registry failure is one line with its cause and fix, and makes nothing', () => {
  /** toolbox create NAME -i IMAGE that must fail with exactly LINE, leaving no container and no image. */
  function refused(name: string, image: string, env: NodeJS.ProcessEnv, line: string): void {
    const box = `${P}${name}`;
    const r = toolbox(['create', '-i', image, box], { env });
    expect(r.stderr).toBe(`${line}\n`);
    expect(r.stdout).toBe('');
    expect(r.code).toBe(1);
    expect(containersNamed(box)).toEqual([]);
    expect(hasImage(image)).toBe(false);
  }
  const direct = () => `${reg.host}/${NS}/min:latest`;

  it('not logged in', () => {
    refused(
      'nologin',
      direct(),
      userEnv({ REGISTRY_AUTH_FILE: reg.noAuthFile }),
      `Error: cannot pull ${direct()}: ${reg.host} needs a login, and there is none (unauthorized: authentication required). Hint: log in first with 'podman login ${reg.host}'`,
    );
  });
  it('a wrong password', () => {
    refused(
      'wrongpw',
      direct(),
      userEnv({ REGISTRY_AUTH_FILE: reg.wrongAuthFile }),
      `Error: cannot pull ${direct()}: ${reg.host} refused the login of ${reg.user} (unauthorized: authentication required). Hint: the password or token is wrong or expired: log in again with 'podman login ${reg.host}'`,
    );
  });
  it('an unknown tag, and an unknown repository', () => {
    for (const [name, image] of [
      ['notag', `${reg.host}/${NS}/min:no-such-tag`],
      ['norepo', `${reg.host}/${NS}/no-such-repo:latest`],
    ] as const)
      refused(
        name,
        image,
        userEnv(),
        `Error: image not found: ${image} (${reg.host}: manifest unknown: no such repository or tag). Hint: check the repository and tag given with -i IMAGE (or the image setting)`,
      );
  });
  it('an untrusted certificate', () => {
    reg.distrust(true);
    try {
      refused(
        'untrusted',
        direct(),
        userEnv(),
        `Error: cannot pull ${direct()}: the TLS certificate of ${reg.host} is not trusted (x509: certificate signed by unknown authority). Hint: put the CA certificate that signed it in /etc/containers/certs.d/${reg.host}/ca.crt`,
      );
    } finally {
      reg.distrust(false);
    }
  });
  it("through the mirror: the mirror's own cause, not the primary it stands in for", () => {
    const image = `registry.opensuse.org/${NS}/min:latest`;
    refused(
      'mirrornologin',
      image,
      userEnv({ REGISTRY_AUTH_FILE: reg.noAuthFile }),
      `Error: cannot pull ${image}: ${reg.host} needs a login, and there is none (unauthorized: authentication required). Hint: log in first with 'podman login ${reg.host}'`,
    );
  });
  it('the registry down and no local copy', () => {
    const image = `registry.opensuse.org/${NS}/min:latest`;
    refused(
      'down',
      image,
      userEnv({ CONTAINERS_REGISTRIES_CONF: deadMirrorConf }),
      `Error: cannot pull ${image}: the registry ${deadHost} is unreachable (connection refused). Hint: check the network; there is no local copy of the image (see 'podman images'), so load one or choose another with -i`,
    );
  });
});

describe('the registry down, and -P', () => {
  const MIRRORED = () => `registry.opensuse.org/${NS}/min:latest`;

  it('the registry down while a local copy exists: the copy, with one warning', () => {
    const pulled = toolbox(['create', '-i', MIRRORED(), `${P}first`], { env: userEnv() });
    expect(pulled).toMatchObject({ code: 0, stderr: '' });
    const r = toolbox(['create', '-i', MIRRORED(), `${P}fallback`], {
      env: userEnv({ CONTAINERS_REGISTRIES_CONF: deadMirrorConf }),
    });
    expect(r.stderr).toBe(
      `Warning: cannot pull ${MIRRORED()}: the registry ${deadHost} is unreachable (connection refused); using the local copy\n`,
    );
    expect(r.stdout).toBe(`${P}fallback\n`);
    expect(r.code).toBe(0);
  });

  it('-P never contacts the registry: no pull, no warning, with the mirror or the registry down', async () => {
    // the local copy, pulled through the mirror while it is up
    expect(toolbox(['create', '-i', MIRRORED(), `${P}copy`], { env: userEnv() })).toMatchObject({
      code: 0,
      stderr: '',
    });
    const dead = toolbox(['--verbose', 'create', '-P', '-i', MIRRORED(), `${P}nopull`], {
      env: userEnv({ CONTAINERS_REGISTRIES_CONF: deadMirrorConf }),
    });
    expect(dead.code).toBe(0);
    expect(dead.stderr).toContain(`\n+ podman create --pull never `);
    expect(dead.stderr).not.toContain('+ podman pull');
    expect(dead.stderr).not.toContain('pulling');
    expect(dead.stderr).not.toContain('Warning');
    const direct = `${reg.host}/${NS}/min:latest`;
    expect(toolbox(['create', '-i', direct, `${P}direct`], { env: userEnv() })).toMatchObject({ code: 0, stderr: '' });
    await reg.down();
    try {
      const r = toolbox(['create', '-P', '-i', direct, `${P}direct2`], { env: userEnv() });
      expect(r).toMatchObject({ code: 0, stdout: `${P}direct2\n`, stderr: '' });
      expect(toolbox(['run', '-c', `${P}direct2`, 'true'], { env: userEnv({ TOOLBOX_IMAGE: direct }) })).toMatchObject({
        code: 0,
        stderr: '',
      });
    } finally {
      await reg.up();
    }
  });
});

describe('upgrade --check reaches the image the way the pull does', () => {
  it('the same credentials: without a login, one line naming it', () => {
    const env = userEnv();
    const image = `registry.opensuse.org/${NS}/min:latest`;
    const box = `${P}checklogin`;
    expect(toolbox(['create', '-i', image, box], { env }).code).toBe(0);
    const r = toolbox(['upgrade', '--check', box], { env: userEnv({ REGISTRY_AUTH_FILE: reg.noAuthFile }) });
    expect(r.stderr).toBe(
      `Error: cannot check ${image}: ${reg.host} needs a login, and there is none (unauthorized: authentication required). Hint: log in first with 'podman login ${reg.host}'\n`,
    );
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(toolbox(['upgrade', '--check', box], { env })).toMatchObject({ code: 0, stderr: '' });
  });

  it('without skopeo: one line that says so', () => {
    const bin = join(work, 'bin-without-skopeo');
    mkdirSync(bin);
    symlinkSync('/usr/bin/podman', join(bin, 'podman'));
    const r = toolbox(['upgrade', '--check', `${P}checklogin`], { env: userEnv({ PATH: bin }) });
    expect(r.stderr).toBe(
      'Error: skopeo is not installed, so the registry cannot be asked without pulling. Hint: install skopeo, or run toolbox upgrade to pull and rebuild\n',
    );
    expect(r).toMatchObject({ code: 125, stdout: '' });
  });
});

describe("signatures: podman's own policy.json and registries.d, in the test's HOME", () => {
  const at = (repo: string) => `${reg.host}/${NS}/${repo}:latest`;
  /** a user whose policy requires the trusted key's signature for the test registry only */
  const signedEnv = () => {
    const env = userEnv();
    reg.requireSignatures(env.HOME!);
    return env;
  };
  const refusedLine = (image: string, why: string) =>
    `Error: cannot pull ${image}: the signature policy refused it (${why}). Hint: the image must be signed by a key that podman's policy.json trusts for ${reg.host} (see containers-policy.json(5) and toolbox's docs/signatures.md); toolbox never bypasses it`;

  beforeAll(() => {
    reg.copy(`${NS}/min:latest`, `${NS}/signed:latest`, reg.keys.trusted);
    reg.copy(`${NS}/min:latest`, `${NS}/unsigned:latest`);
    reg.copy(`${NS}/min:latest`, `${NS}/otherkey:latest`, reg.keys.other);
  });

  it('an image signed by the trusted key is pulled and the toolbox made', () => {
    const env = signedEnv();
    const r = toolbox(['create', '-i', at('signed'), `${P}signed`], { env });
    expect(r).toMatchObject({ code: 0, stdout: `${P}signed\n`, stderr: '' });
  });

  it('an unsigned image, and one signed by another key, are refused in one line; nothing is made', () => {
    for (const [repo, why] of [
      ['unsigned', 'it is not signed, and a signature is required'],
      ['otherkey', `signed by key ${reg.keys.other}, which it does not trust`],
    ] as const) {
      const box = `${P}${repo}`;
      const r = toolbox(['create', '-i', at(repo), box], { env: signedEnv() });
      expect(r.stderr).toBe(`${refusedLine(at(repo), why)}\n`);
      expect(r).toMatchObject({ code: 1, stdout: '' });
      expect(containersNamed(box)).toEqual([]);
      expect(hasImage(at(repo))).toBe(false);
    }
  });

  it("through the mirror: the scope and the signed identity are registry.opensuse.org, the signatures the mirror's", () => {
    const mirrored = (repo: string) => `registry.opensuse.org/${NS}/${repo}:latest`;
    reg.copy(`${NS}/min:latest`, `${NS}/mirsigned:latest`, reg.keys.trusted, mirrored('mirsigned'));
    const env = userEnv();
    reg.requireSignatures(env.HOME!, 'registry.opensuse.org');
    const ok = toolbox(['create', '-i', mirrored('mirsigned'), `${P}mirsigned`], { env });
    expect(ok).toMatchObject({ code: 0, stdout: `${P}mirsigned\n`, stderr: '' });
    const r = toolbox(['create', '-i', mirrored('unsigned'), `${P}mirunsigned`], { env });
    expect(r.stderr).toBe(
      `Error: cannot pull ${mirrored('unsigned')}: the signature policy refused it (it is not signed, and a signature is required). Hint: the image must be signed by a key that podman's policy.json trusts for registry.opensuse.org (see containers-policy.json(5) and toolbox's docs/signatures.md); toolbox never bypasses it\n`,
    );
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(containersNamed(`${P}mirunsigned`)).toEqual([]);
  });

  it('upgrade goes through the same policy: a newer image that is not signed is refused, the toolbox unchanged', () => {
    const env = signedEnv();
    const box = `${P}signed`;
    const before = podman(['container', 'inspect', '--format', '{{.Id}}', box]).stdout.trim();
    reg.push(newerImage(MINIMAL_IMAGE, 'newer-signed'), `${NS}/newer:latest`);
    reg.copy(`${NS}/newer:latest`, `${NS}/signed:latest`, reg.keys.other);
    const r = toolbox(['upgrade', box], { env });
    expect(r.stderr).toBe(
      `Error: ${refusedLine(at('signed'), `signed by key ${reg.keys.other}, which it does not trust`).replace('Error: ', '')}\n`,
    );
    expect(r).toMatchObject({ code: 1, stdout: '' });
    expect(containersNamed(box)).toEqual([box]);
    expect(podman(['container', 'inspect', '--format', '{{.Id}}', box]).stdout.trim()).toBe(before);
    // signed by the trusted key: the upgrade goes through
    reg.copy(`${NS}/newer:latest`, `${NS}/signed:latest`, reg.keys.trusted);
    const ok = toolbox(['upgrade', box], { env });
    expect(ok).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(podman(['container', 'inspect', '--format', '{{.Id}}', box]).stdout.trim()).not.toBe(before);
  });
});
