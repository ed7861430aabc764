#!/usr/bin/env bash
# Builds the RPMs toolbox and toolbox-host-update for each architecture that `npm run build`
# made an executable for (x86_64 always; aarch64 when dist/sea/toolbox-linux-arm64 exists), and
# the source RPM. Prints the RPM paths on stdout, each RPM's size on stderr.
# Usage: packaging/build-rpms.sh [OUTDIR]    (default: packaging/out)
set -euo pipefail
shopt -s nullglob
root=$(cd "$(dirname "$0")/.." && pwd)
out=$(realpath -m "${1:-$root/packaging/out}")
version=$(sed -n 's/^  "version": "\(.*\)",$/\1/p' "$root/package.json")
[ -n "$version" ] || { echo "build-rpms: no version in package.json" >&2; exit 1; }

for f in dist/sea/toolbox dist/sea/LICENSE.node dist/man/toolbox.1 dist/man/host-update.1 \
         dist/completions/bash/toolbox dist/completions/zsh/_toolbox dist/completions/fish/toolbox.fish; do
  [ -e "$root/$f" ] || { echo "build-rpms: $f is missing; run 'npm run build' first" >&2; exit 1; }
done
arches=(x86_64)
[ -e "$root/dist/sea/toolbox-linux-arm64" ] && arches+=(aarch64)

if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  # Reproducible: the source RPM records its %prep with the build directory's path in it (and
  # the binary RPMs the source RPM's digest), so that path is fixed, and one build at a time uses it.
  # The path is known to all, so it is made afresh (mkdir never follows a link), or else it must
  # be a directory of ours alone, left by a build that died; anything else is refused.
  top=/tmp/toolbox-rpmbuild-reproducible
  if ! mkdir -m 700 "$top" 2>/dev/null; then
    if [ -d "$top" ] && [ ! -L "$top" ] && [ -O "$top" ] && [ "$(stat -c %a "$top")" = 700 ]; then
      rm -rf "$top" && mkdir -m 700 "$top"
    else
      echo "build-rpms: $top exists and is not a private directory of yours; remove it and build again" >&2
      exit 1
    fi
  fi
else
  top=$(mktemp -d "${TMPDIR:-/tmp}/toolbox-rpmbuild.XXXXXX")
fi
trap 'rm -rf "$top"' EXIT
tree=$top/src/toolbox-$version
mkdir -p "$top/SOURCES" "$top/SPECS" "$tree/packaging" "$tree/dist"
# Only what %install reads: the executables, man pages, completions, licences.
cp -r "$root/dist/sea" "$root/dist/man" "$root/dist/completions" "$tree/dist/"
cp "$root/LICENSE" "$tree/"
cp "$root/packaging/install-layout.sh" "$root/packaging/macros.toolbox-host-update" "$tree/packaging/"
# SOURCE_DATE_EPOCH (npm run release sets it from the commit) pins every time stamp: the tarball's,
# the RPMs' build time and file times, and the build host's name, so one commit gives the same
# bytes wherever it is built.
mtime=()
repro=()
if [ -n "${SOURCE_DATE_EPOCH:-}" ]; then
  mtime=(--mtime="@$SOURCE_DATE_EPOCH")
  repro=(--define 'use_source_date_epoch_as_buildtime 1' --define 'clamp_mtime_to_source_date_epoch 1'
         --define '_buildhost reproducible')
fi
tar -C "$top/src" --sort=name --owner=0 --group=0 --numeric-owner "${mtime[@]}" -c "toolbox-$version" |
  gzip -n -1 > "$top/SOURCES/toolbox-$version.tar.gz"
sed "s/@VERSION@/$version/" "$root/packaging/toolbox.spec" > "$top/SPECS/toolbox.spec"

# zstd, as openSUSE packages are. Level 9 packs the 105 MiB executable to 35 MB in about 4 s;
# level 19 saves 5 MB more but takes minutes on these 2-core machines. The source tarball is
# compressed already.
payload=(--define '_binary_payload w9.zstdio' --define '_source_payload w0.ufdio')
for arch in "${arches[@]}"; do
  if [ "$arch" = "${arches[0]}" ]; then mode=-ba; else mode=-bb; fi
  rpmbuild --quiet "$mode" --target "$arch" --define "_topdir $top" "${payload[@]}" "${repro[@]}" "$top/SPECS/toolbox.spec" 2>&1 |
    { grep -v -e '^Building target platforms: ' -e '^Building for target ' || true; } >&2
done
mkdir -p "$out"
for rpm in "$top"/RPMS/*/*.rpm "$top"/SRPMS/*.rpm; do
  cp "$rpm" "$out/"
  echo "build-rpms: $(basename "$rpm") $(du -h --apparent-size "$rpm" | cut -f1)" >&2
done
ls -1 "$out"/toolbox*-"$version"-*.rpm
