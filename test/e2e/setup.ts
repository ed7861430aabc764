// Fails the end-to-end run at once, with what to do, when the machine is not prepared.
import { spawnSync } from 'node:child_process';

export default function setup(): void {
  const missing = ['localhost/toolbox-test:latest', 'localhost/toolbox-test-minimal:latest'].filter(
    (image) => spawnSync('podman', ['image', 'exists', image]).status !== 0,
  );
  if (missing.length) throw new Error(`test images missing (${missing.join(', ')}): run 'sudo bash .ci/setup-machine' first`);
}
