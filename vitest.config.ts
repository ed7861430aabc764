import { defineConfig } from 'vitest/config';

// Two layers. unit: the core against typed fakes (test/unit/fakes), no podman, no root, no images,
// so `npm run test:unit` runs anywhere. e2e: the built CLI as root against real podman; its global
// setup checks the machine is prepared. `npm test` runs unit first, then e2e. e2e-docker runs
// the files that matter to a docker user once more on CI's dockerd (.ci/start-dockerd): one
// switch, TOOLBOX_TEST_ENGINE (test/e2e/helpers.ts), not copies of the files.
const e2e = {
  // End-to-end files share one podman; run files one at a time, tests inside a file in order.
  fileParallelism: false,
  testTimeout: 120_000,
  hookTimeout: 300_000,
  globalSetup: ['test/e2e/setup.ts'],
  setupFiles: ['test/e2e/cleanup.ts'],
};
export const DOCKER_FILES = [
  'lifecycle',
  'run',
  'equivalence',
  'container',
  'tools',
  'generations',
  'collect',
  'state',
  'hardening-load',
  'hardening-input',
  'hardening-security',
  'cli-usage',
  'hardening-faults',
  'hardening-places',
  'hardening-engine-kill',
].map((f) => `test/e2e/${f}.test.ts`);

export default defineConfig({
  test: {
    reporters: ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: ['test/unit/**/*.test.ts'],
          sequence: { groupOrder: 0 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e',
          include: ['test/e2e/**/*.test.ts'],
          ...e2e,
          sequence: { groupOrder: 1 },
        },
      },
      {
        extends: true,
        test: {
          name: 'e2e-docker',
          include: DOCKER_FILES,
          ...e2e,
          env: { TOOLBOX_TEST_ENGINE: 'docker', DOCKER_HOST: 'unix:///run/toolbox-ci-docker.sock' },
          sequence: { groupOrder: 2 },
        },
      },
    ],
  },
});
