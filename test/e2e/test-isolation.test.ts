// The e2e tests' own cleanup never touches a container it did not make: not a user's that is
// named like a test's (the names the files used before they carried a run tag), and not one of
// another run going on at the same time (same prefix, another tag, another run's label). The
// bystanders are made first, then every file's cleanup runs as the file runs it, then each
// bystander is checked by id and state.
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  RUN_LABEL_ARGS,
  RUN_TAG,
  TEST_IMAGE,
  containersNamed,
  isolatedEnv,
  podman,
  removeContainers,
  runPrefix,
  toolbox,
} from './helpers.js';

/** Every name prefix the e2e files give runPrefix, read from their sources, new files included. */
const BASES = [
  ...new Set(
    ['.', 'support']
      .flatMap((dir) =>
        readdirSync(join(import.meta.dirname, dir))
          .filter((f) => f.endsWith('.ts'))
          .map((f) => readFileSync(join(import.meta.dirname, dir, f), 'utf8')),
      )
      .flatMap((text) => [...text.matchAll(/runPrefix\('([^']+)'\)/g)].map((m) => m[1]!)),
  ),
].sort();

/** The fixed names the files gave their containers before every name carried the run's tag. */
const OLD_NAMES = [
  'e2e-run-box',
  'e2e-ctr-box',
  'st-e2e-ids',
  'sea-e2e-box',
  'npmform-e2e-box',
  'co-e2e-collect',
  'hu-e2e-box',
  'hu-e2e-sbox',
  'hu-e2e-sd-box',
  'pk-image-box',
  'pk-sea-installed-box',
  'pk-cmp-alpha',
  'up-e2e-x',
  'tl-e2e-box',
];

// Another run's tag. A bystander's own label (not io.toolbox.*, which toolbox keeps for itself),
// so that one a killed run left behind can be found.
let OTHER_TAG = RUN_TAG;
while (OTHER_TAG === RUN_TAG) OTHER_TAG = randomBytes(3).toString('hex');
const BYSTANDER_LABEL = `e2e.bystander=${RUN_TAG}`;
const env = isolatedEnv();

interface Bystander {
  name: string;
  id: string;
  state: string;
}
const bystanders: Bystander[] = [];
const seen = (name: string) =>
  podman(['container', 'inspect', '--format', '{{.Id}} {{.State.Status}}', name]).stdout.trim();

/** Makes a bystander, unless a container of that name is there already (a user's: left alone). */
function bystander(name: string, make: () => number | null): void {
  if (seen(name)) return;
  expect(make(), name).toBe(0);
  const [id, state] = seen(name).split(' ') as [string, string];
  bystanders.push({ name, id, state });
}

function plain(name: string, ...extra: string[]): void {
  bystander(
    name,
    () => podman(['create', '--name', name, '--label', BYSTANDER_LABEL, ...extra, TEST_IMAGE, 'true']).code,
  );
}
function byToolbox(name: string): void {
  bystander(name, () => toolbox(['create', '-c', name, '--podman-args', `--label ${BYSTANDER_LABEL}`], { env }).code);
}

// What this run made, which its cleanup must remove: one by its name, one by its label.
const MINE_BY_NAME = `${runPrefix('e2e-life-')}mine`;
const MINE_BY_LABEL = `isolation-${RUN_TAG}-labelled`;

beforeAll(() => {
  // toolboxes a user made with toolbox itself: one named like a test's, one like another run's
  byToolbox('e2e-life-stop');
  byToolbox(`e2e-run-${OTHER_TAG}-box`);
  for (const name of OLD_NAMES) plain(name);
  // another run of the same files at the same time: their prefix with its tag, its label
  for (const base of ['e2e-life-', 'st-e2e-', 'hu-e2e-', 'up-e2e-'])
    plain(`${base}${OTHER_TAG}-box`, '--label', `io.toolbox.e2e.run=${OTHER_TAG}`);
  expect(podman(['create', '--name', MINE_BY_NAME, TEST_IMAGE, 'true']).code).toBe(0);
  expect(podman(['create', '--name', MINE_BY_LABEL, ...RUN_LABEL_ARGS, TEST_IMAGE, 'true']).code).toBe(0);
}, 300_000);

afterAll(() => {
  // --ignore: podman 4.3 removes none of the names when one of them is gone already.
  podman(['rm', '--force', '--ignore', '-t', '0', ...bystanders.map((b) => b.id), MINE_BY_NAME, MINE_BY_LABEL]);
});

describe('the e2e cleanup removes only what its run made', () => {
  it('finds the prefixes of the files', () => {
    for (const base of ['e2e-life-', 'e2e-run-', 'st-e2e-', 'hu-e2e-', 'co-e2e-', 'sea-e2e-', 'up-e2e-'])
      expect(BASES).toContain(base);
  });

  it("every file's cleanup leaves a user's and another run's containers as they were, and removes its own", () => {
    // at least another run's, which no machine has already (a user's of an old name may be there)
    expect(bystanders.length).toBeGreaterThanOrEqual(5);
    for (const base of BASES) removeContainers(runPrefix(base));
    expect(bystanders.map((b) => `${b.name} ${seen(b.name)}`)).toEqual(
      bystanders.map((b) => `${b.name} ${b.id} ${b.state}`),
    );
    expect([...containersNamed(MINE_BY_NAME), ...containersNamed(MINE_BY_LABEL)]).toEqual([]);
  });

  it("a prefix that is not this run's is refused, never used to remove", () => {
    expect(() => {
      removeContainers('e2e-life-');
    }).toThrow(`removeContainers("e2e-life-"): not this run's prefix; name it with runPrefix()`);
  });
});
