#!/usr/bin/env bash
# Builds the noarch RPMs toolbox and toolbox-host-update (and the source RPM) from the built
# tree: run `npm run build` first (or `npm run rpm`, which does both). Prints the RPM paths.
# Usage: packaging/build-rpms.sh [OUTDIR]    (default: packaging/out)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/packaging/out}")
version=$(node -p 'JSON.parse(require("fs").readFileSync(process.argv[1], "utf8")).version' "$root/package.json")

for f in dist/toolbox.js dist/host-update.js dist/man/toolbox.1 dist/man/host-update.1 \
         dist/completions/bash/toolbox dist/completions/zsh/_toolbox dist/completions/fish/toolbox.fish; do
  [ -e "$root/$f" ] || { echo "build-rpms: $f is missing; run 'npm run build' first" >&2; exit 1; }
done

top=$(mktemp -d "${TMPDIR:-/tmp}/toolbox-rpmbuild.XXXXXX")
trap 'rm -rf "$top"' EXIT
tree=$top/src/toolbox-$version
mkdir -p "$top/SOURCES" "$top/SPECS" "$tree/packaging"
cp -r "$root/dist" "$root/bin" "$root/LICENSE" "$tree/"
cp "$root/packaging/install-layout.sh" "$root/packaging/macros.toolbox-host-update" "$tree/packaging/"
tar -C "$top/src" --sort=name --owner=0 --group=0 --numeric-owner -czf "$top/SOURCES/toolbox-$version.tar.gz" "toolbox-$version"
sed "s/@VERSION@/$version/" "$root/packaging/toolbox.spec" > "$top/SPECS/toolbox.spec"

rpmbuild --quiet -ba --define "_topdir $top" "$top/SPECS/toolbox.spec" >&2
mkdir -p "$out"
cp "$top"/RPMS/noarch/*.rpm "$top"/SRPMS/*.rpm "$out/"
ls -1 "$out"/toolbox*-"$version"-*.rpm
