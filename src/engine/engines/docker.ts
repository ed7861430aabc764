// docker: supported where podman is not installed, or when chosen with --engine docker.
import type { EngineQuirks } from './quirks.js';

export const docker: EngineQuirks = {
  name: 'docker',
  binary: 'docker',
  // docker prints one JSON object a line, and cuts ids short unless told not to.
  psFormat: ['--no-trunc', '--format', '{{json .}}'],
  stopArgs: ['--time', '1'],
  pullArgs: [],
  install: 'zypper install docker (or transactional-update pkg install docker)',
  userCreateArgs: () => [],
};
