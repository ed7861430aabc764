// The production Containerfile, built as written on the offline openSUSE stand-in base, with its
// packages coming from a signed loopback repo of stand-in RPMs plus the project's own RPMs.
// Both companion sources (rpm, dist) are built; the image's smoke test runs against both.
import { createHash } from 'node:crypto';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  cli,
  HOST_UPDATE_ARGV,
  isolatedEnv,
  PACKAGE_VERSION,
  parseJson,
  runPrefix,
  removeContainers,
  RUN_LABEL_ARGS,
} from './helpers.js';
import {
  buildProjectRpms,
  must,
  nameOnlyRpms,
  ROOT,
  run,
  serve,
  sharedLibraryStandIn,
  signedRepo,
} from './support/rpm-repo.js';

const BASE = 'localhost/toolbox-test-osbase:latest';
const P = runPrefix('pk-image-');
const TAG = `localhost/${P}toolbox`;
const VERSION = PACKAGE_VERSION;

/** The PACKAGES build argument's default, read from the Containerfile itself. */
function containerfilePackages(): string[] {
  const text = readFileSync(join(ROOT, 'Containerfile'), 'utf8').replace(/\\\n/g, '');
  const m = /^ARG PACKAGES="([^"]*)"/m.exec(text);
  if (!m) throw new Error('Containerfile has no ARG PACKAGES="..."');
  return m[1]!.split(/\s+/).filter(Boolean);
}

const PACKAGES = containerfilePackages();
let work: string;
let server: { url: string; close: () => void };

/** A build context as the repository root would give, with KEYS as the trusted repo keys. */
function context(name: string, keys: string[]): string {
  const ctx = join(work, name);
  cpSync(join(ROOT, 'Containerfile'), join(ctx, 'Containerfile'));
  for (const d of ['sea', 'man', 'completions'])
    cpSync(join(ROOT, 'dist', d), join(ctx, 'dist', d), { recursive: true });
  cpSync(join(ROOT, 'LICENSE'), join(ctx, 'LICENSE'));
  for (const f of ['install-layout.sh', 'macros.toolbox-host-update'])
    cpSync(join(ROOT, 'packaging', f), join(ctx, 'packaging', f));
  cpSync(join(ROOT, 'images/toolbox/keys'), join(ctx, 'images/toolbox/keys'), { recursive: true });
  keys.forEach((k, i) => {
    cpSync(k, join(ctx, 'images/toolbox/keys', `test-${i}.asc`));
  });
  return ctx;
}

function build(ctx: string, tag: string | undefined, args: Record<string, string>) {
  const buildArgs = Object.entries({ BASE, PKG_REPO: server.url, ...args }).flatMap(([k, v]) => [
    '--build-arg',
    `${k}=${v}`,
  ]);
  // --layers=false: every build runs every step afresh (a new repo key each run would only
  // pile up unusable cached layers).
  return run('podman', [
    'build',
    '--layers=false',
    '--network',
    'host',
    ...buildArgs,
    ...(tag ? ['-t', tag] : []),
    '-f',
    join(ctx, 'Containerfile'),
    ctx,
  ]);
}

let keyed: string;

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), P));
  const rpms = buildProjectRpms(join(work, 'out'));
  const standIns = [...nameOnlyRpms(work, PACKAGES), sharedLibraryStandIn(work, rpms.toolbox)];
  const repo = signedRepo(join(work, 'repo'), [rpms.toolbox, rpms.hostUpdate, ...standIns]);
  server = await serve(repo.dir);
  keyed = context('ctx', [repo.keyFile]);
  for (const companion of ['rpm', 'dist']) {
    const r = build(keyed, `${TAG}:${companion}`, { COMPANION: companion });
    if (r.code !== 0) throw new Error(`podman build (COMPANION=${companion}) failed:\n${r.stderr}`);
  }
}, 600_000);

afterAll(() => {
  // unset when beforeAll failed before it started the server
  (server as typeof server | undefined)?.close();
  removeContainers(P);
  for (const c of ['rpm', 'dist']) run('podman', ['rmi', '--force', `${TAG}:${c}`]);
  rmSync(work, { recursive: true, force: true });
});

const BOX = `${P}box`;
const sealed = isolatedEnv();
const toolboxCli = (...args: string[]) => run(...cli(args), { env: sealed });
const inImage = (companion: string, ...cmd: string[]) =>
  run('podman', ['run', '--rm', ...RUN_LABEL_ARGS, `${TAG}:${companion}`, ...cmd]);
const hostHelp = () => run(HOST_UPDATE_ARGV[0]!, [...HOST_UPDATE_ARGV.slice(1), '--help'], { env: sealed });
const SEA_SHA256 = createHash('sha256')
  .update(readFileSync(join(ROOT, 'dist/sea/toolbox')))
  .digest('hex');

describe.each(['rpm', 'dist'])('the image built with COMPANION=%s', (companion) => {
  it('passes the smoke test: tools on PATH, no node, the rpm macro, host-update starts', () => {
    const r = run('podman', [
      'run',
      '--rm',
      ...RUN_LABEL_ARGS,
      '-v',
      `${join(ROOT, 'images/toolbox/smoke-test.sh')}:/smoke-test.sh:ro`,
      `${TAG}:${companion}`,
      'sh',
      '/smoke-test.sh',
    ]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(
      [
        'tools: on PATH',
        'node: none',
        'rpm: %_netsharedpath /dev:/etc/hosts',
        'host-update: /usr/bin/toolbox, --help exits 0',
        'smoke test: passed',
        '',
      ].join('\n'),
    );
    expect(r.code).toBe(0);
  });

  it('has every package of PACKAGES installed by zypper', () => {
    const r = inImage(companion, 'rpm', '-q', '--qf', '%{NAME}\n', ...PACKAGES);
    expect(r.stdout).toBe(PACKAGES.map((p) => `${p}\n`).join(''));
    expect(r.code).toBe(0);
  });

  it('runs the same host-update as the tree it was built from', () => {
    // The tree's own help must itself succeed: two failures that agree prove nothing.
    const help = hostHelp();
    expect({ code: help.code, stderr: help.stderr, first: help.stdout.split('\n')[0] }).toEqual({
      code: 0,
      stderr: '',
      first: 'Usage: host-update [options] [command]',
    });
    const r = inImage(companion, 'host-update', '--help');
    expect({ code: r.code, stdout: r.stdout, stderr: r.stderr }).toEqual({ code: 0, stdout: help.stdout, stderr: '' });
  });

  it('carries its labels and default command', () => {
    const inspected = parseJson(must('podman', ['image', 'inspect', `${TAG}:${companion}`]), 'podman image inspect');
    const inspect = (inspected as { Config: { Labels: Record<string, string>; Cmd: string[] } }[])[0]!;
    const labels = inspect.Config.Labels;
    expect({
      title: labels['org.opencontainers.image.title'],
      licenses: labels['org.opencontainers.image.licenses'],
      base: labels['org.opencontainers.image.base.name'],
      toolbox: labels['com.github.containers.toolbox'],
      image: labels['io.toolbox.image'],
    }).toEqual({ title: 'toolbox', licenses: 'Apache-2.0', base: BASE, toolbox: 'true', image: 'true' });
    expect(inspect.Config.Cmd).toEqual(['/bin/bash', '-l']);
  });
});

describe('where host-update comes from', () => {
  it("is the toolbox-host-update RPM with COMPANION=rpm, a link to the toolbox RPM's executable", () => {
    const r = inImage('rpm', 'rpm', '-qf', '--qf', '%{NAME} %{VERSION}\n', '/usr/bin/host-update', '/usr/bin/toolbox');
    expect(r.stdout).toBe(`toolbox-host-update ${VERSION}\ntoolbox ${VERSION}\n`);
    expect(inImage('rpm', 'sha256sum', '/usr/bin/toolbox').stdout).toBe(`${SEA_SHA256}  /usr/bin/toolbox\n`);
  });

  it("is this tree's dist/ with COMPANION=dist, laid out as the RPM does", () => {
    const r = inImage(
      'dist',
      'sh',
      '-c',
      'rpm -q toolbox-host-update; readlink /usr/bin/host-update; sha256sum /usr/bin/toolbox; ls /usr/lib/rpm/macros.d/',
    );
    expect(r.stdout).toBe(
      `package toolbox-host-update is not installed\ntoolbox\n${SEA_SHA256}  /usr/bin/toolbox\nmacros.toolbox-host-update\nmacros.toolbox-image\n`,
    );
  });
});

describe('build failures', () => {
  it('refuses a COMPANION it does not know', () => {
    const r = build(keyed, undefined, { COMPANION: 'pip' });
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain("COMPANION must be rpm or dist, not 'pip'");
  });

  it('fails when the repository key is not among the trusted keys', () => {
    const r = build(context('ctx-nokey', []), undefined, {});
    expect(r.code).not.toBe(0);
    expect(r.stdout + r.stderr).toContain('Signature verification failed for repomd.xml');
  });
});

describe('used by toolbox', () => {
  it('serves as the image of a toolbox: host root mounted, companion and tools inside', () => {
    const r = toolboxCli(
      '-P',
      '-i',
      `${TAG}:rpm`,
      '-c',
      BOX,
      'run',
      '--',
      'sh',
      '-c',
      'test -d /media/root/proc && for c in host-update strace; do command -v $c; done; ls /usr/bin/host-update',
    );
    // The host's toolbox, mounted, wins over the image's own companion (docs/host-update.md),
    // which stays callable by its path.
    expect(r.stdout).toBe('/usr/local/bin/host-update\n/usr/bin/strace\n/usr/bin/host-update\n');
    expect(r.code).toBe(0);
  });
});
