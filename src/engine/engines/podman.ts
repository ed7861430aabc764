// podman: the engine MicroOS ships, and the one detection prefers.
import { rootlessFailure } from '../rootless.js';
import type { EngineQuirks } from './quirks.js';

export const podman: EngineQuirks = {
  name: 'podman',
  binary: 'podman',
  psFormat: ['--format', 'json'],
  stopArgs: ['--time', '1'],
  // podman prints only the image id, not its progress.
  pullArgs: ['--quiet'],
  privilegedCreateArgs: ['--mount', 'type=devpts,destination=/dev/pts'],
  execCommand: (command) => [...command],
  install: 'zypper install podman (or transactional-update pkg install podman)',
  userCreateArgs: (rootful) => [
    '--annotation',
    'run.oci.keep_original_groups=1',
    // Rootless, the user is the same uid inside as outside, so their home's files stay theirs.
    ...(rootful ? [] : ['--userns', 'keep-id']),
  ],
  rootlessFailure,
};
