#!/usr/bin/env bash
# The README's first command: prepares this Debian 12 machine (.ci/setup-machine), builds, and
# opens a toolbox from the offline test image. Works as root, which on a fresh VM has no sudo,
# and as a user with sudo: only the two steps that need root get it. Arguments go to toolbox.
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" -eq 0 ]; then
  as_root=()
elif command -v sudo >/dev/null 2>&1; then
  as_root=(sudo)
else
  echo "quick-start: the setup and toolbox need root: run this as root, or install sudo" >&2
  exit 1
fi
"${as_root[@]}" bash .ci/setup-machine
npm ci
npm run build
exec "${as_root[@]}" dist/sea/toolbox -i localhost/toolbox-test:latest "$@"
