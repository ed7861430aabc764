// upgrade, generations and rollback on real podman: what a user sees, what survives a SIGKILL,
// and that containers which only look like ours (by name) are never touched.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containerId, containerState, isolatedEnv, podman, TEST_IMAGE, toolbox, toolboxAsync, waitFor } from './helpers.js';

const P = 'up-e2e-';
const IMG = `localhost/${P}img:latest`;
const env = isolatedEnv({ TOOLBOX_IMAGE: IMG });
const made: string[] = [];

/** Every container this file made, found by name prefix (test cleanup only, never product logic). */
const ours = () => podman(['ps', '-a', '--format', '{{.Names}}']).stdout.split('\n').filter((n) => n.startsWith(P));
const removeOurs = () => {
  const names = ours();
  if (names.length) podman(['rm', '-f', '-t', '0', ...names]);
};
const imageId = (ref: string) => podman(['image', 'inspect', '--format', '{{.Id}}', ref]).stdout.trim();

/** Builds IMG anew from the test image with a tool that prints TEXT and exits with CODE. */
function buildImage(text: string, code = 0, tag = IMG): string {
  const dir = mkdtempSync(join(tmpdir(), `${P}build-`));
  try {
    writeFileSync(
      join(dir, 'Containerfile'),
      `FROM ${TEST_IMAGE}\nRUN printf '#!/bin/sh\\necho "${text}"\\nexit ${code}\\n' > /usr/local/bin/up-tool && chmod 755 /usr/local/bin/up-tool\n`,
    );
    const r = spawnSync('podman', ['build', '-q', '--network', 'host', '-t', tag, dir], { encoding: 'utf8' });
    if (r.status !== 0) throw new Error(`podman build failed: ${r.stderr}`);
    const id = imageId(tag);
    made.push(id);
    return id;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

beforeAll(() => {
  removeOurs();
  buildImage('tool v1 works');
});

afterAll(() => {
  removeOurs();
  podman(['rmi', '-f', IMG, `localhost/${P}gone:latest`]);
  for (const id of made) podman(['rmi', id]);
});

describe('issue 13', () => {
  it('13.4: user-made X.upgrade-new and X.upgrade-old toolboxes (with live sessions) survive toolbox upgrade X untouched', async () => {
    const X = `${P}x`;
    const fakeNew = `${X}.upgrade-new`;
    const fakeOld = `${X}.upgrade-old`;
    expect(toolbox(['create', X], { env }).code).toBe(0);
    expect(toolbox(['create', fakeNew], { env }).code).toBe(0);
    expect(toolbox(['create', fakeOld], { env }).code).toBe(0);
    const ids = [containerId(fakeNew), containerId(fakeOld)];
    const sessions = [fakeNew, fakeOld].map((name) => toolboxAsync(['run', '-c', name, '--', 'sh', '-c', 'echo ready; sleep 600'], { env }));
    for (const s of sessions) await waitFor(() => s.output().includes('ready'), 'the session to start');
    try {
      const r = toolbox(['upgrade', X], { env });
      expect(r.stderr).not.toMatch(/interrupted/);
      expect(r.code).toBe(0);
      expect([containerId(fakeNew), containerId(fakeOld)]).toEqual(ids);
      expect([containerState(fakeNew), containerState(fakeOld)]).toEqual(['running', 'running']);
      for (const s of sessions) expect(s.child.exitCode).toBe(null);
    } finally {
      for (const s of sessions) s.child.kill('SIGTERM');
      await Promise.all(sessions.map((s) => s.done));
    }
  });

  it('13.6: upgrade never pulls a localhost/ image, and a missing local tag says so', () => {
    const BOX = `${P}local`;
    const GONE = `localhost/${P}gone:latest`;
    podman(['tag', IMG, GONE]);
    expect(toolbox(['create', '-i', GONE, BOX], { env }).code).toBe(0);
    const ok = toolbox(['upgrade', '--verbose', BOX], { env });
    expect(ok.code).toBe(0);
    expect(ok.stderr).not.toMatch(/podman pull/);
    podman(['rmi', GONE]); // only the tag: the image stays, as IMG
    const r = toolbox(['upgrade', '--verbose', BOX], { env });
    expect(r.stderr).not.toMatch(/podman pull/);
    expect(r.stderr.trimEnd().split('\n').at(-1)).toBe(
      `Error: image not found: ${GONE} (localhost/ images are never pulled). Hint: build or load it first, e.g. 'podman build -t ${GONE} .'`,
    );
    expect(r.code).toBe(1);
    expect(containerState(BOX)).not.toBe('missing');
  });
});
