#!/usr/bin/env bash
# Builds this commit twice, in two fresh clones, without V8's code cache (the one part V8 makes
# differently each time: docs/releases.md), and compares the bundles, the executables and the
# unsigned RPMs byte for byte. Prints one line a file; exits 1 when any differs.
# Usage: scripts/compare-builds.sh [COMMIT]   (default: HEAD; needs npm, rpmbuild, createrepo_c)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
commit=$(git -C "$root" rev-parse "${1:-HEAD}")
work=$(mktemp -d "${TMPDIR:-/tmp}/toolbox-compare.XXXXXX")
trap 'rm -rf "$work"' EXIT
export SOURCE_DATE_EPOCH
SOURCE_DATE_EPOCH=$(git -C "$root" log -1 --format=%ct "$commit")
for side in a b; do
  git clone -q --no-checkout "$root" "$work/$side"
  git -C "$work/$side" checkout -q "$commit"
  (
    cd "$work/$side"
    npm ci --no-audit --no-fund >/dev/null 2>&1
    TOOLBOX_SEA_CODE_CACHE=0 npm run build >/dev/null 2>&1
    mkdir -p "$work/out-$side"
    cp node_modules/.cache/toolbox-sea/*.cjs dist/sea/toolbox dist/sea/toolbox-linux-arm64 "$work/out-$side/"
    bash packaging/build-rpms.sh "$work/out-$side" >/dev/null 2>&1
  )
done
status=0
for f in $(cd "$work/out-a" && ls); do
  if cmp -s "$work/out-a/$f" "$work/out-b/$f"; then echo "same  $f"; else echo "DIFF  $f"; status=1; fi
done
exit $status
