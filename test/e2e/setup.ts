// Fails the end-to-end run at once, with what to do, when the machine is not prepared; and makes
// the directory that holds every sealed home of the run (isolatedEnv), removed when it ends, so
// no home outlives the run even when a file's own hooks never ran.
import { spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    /** where isolatedEnv makes its homes */
    homesDir: string;
  }
}

export default function setup(project: TestProject): () => void {
  const missing = ['localhost/toolbox-test:latest', 'localhost/toolbox-test-minimal:latest'].filter(
    (image) => spawnSync('podman', ['image', 'exists', image]).status !== 0,
  );
  if (missing.length)
    throw new Error(`test images missing (${missing.join(', ')}): run 'sudo bash .ci/setup-machine' first`);
  // The e2e-docker project: CI's dockerd must answer and hold the same images.
  // Only a project that sets env has it (vitest leaves it undefined otherwise).
  const env = (project.config.env as Record<string, string | undefined> | undefined) ?? {};
  if (env.TOOLBOX_TEST_ENGINE === 'docker') {
    const inDocker = (image: string) =>
      spawnSync('docker', ['image', 'inspect', '--format', '{{.Id}}', image], {
        env: { ...process.env, DOCKER_HOST: env.DOCKER_HOST },
      }).status === 0;
    const absent = ['localhost/toolbox-test:latest', 'localhost/toolbox-test-minimal:latest'].filter(
      (i) => !inDocker(i),
    );
    if (absent.length)
      throw new Error(
        `docker at ${String(env.DOCKER_HOST)} does not answer or lacks ${absent.join(', ')}: run 'sudo bash .ci/setup-machine' first`,
      );
  }
  const homes = mkdtempSync(join(tmpdir(), 'tb-e2e-homes-'));
  chmodSync(homes, 0o755); // each home in it is private (0700) itself
  project.provide('homesDir', homes);
  return () => {
    rmSync(homes, { recursive: true, force: true });
  };
}
