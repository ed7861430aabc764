#!/bin/sh
# Lays out one part of toolbox under DESTDIR from a built tree (dist/), the same way for the
# RPM's %install and for the toolbox image's install-from-dist path:
#   toolbox      PREFIX/bin/toolbox, the single executable (Node.js embedded: nothing else is
#                needed on the host); its licences and Node's; man page; bash/zsh/fish completions
#   host-update  PREFIX/bin/host-update -> toolbox (the same file: it picks the command by the name
#                it is called by); man page; the rpm macro file
# Usage: install-layout.sh SRC DESTDIR toolbox|host-update [EXECUTABLE]
#   EXECUTABLE, relative to SRC: dist/sea/toolbox (x86_64, the default) or
#   dist/sea/toolbox-linux-arm64 (aarch64)
set -eu
src=$1 dest=$2 part=$3 exe=${4:-dist/sea/toolbox}
prefix=/usr
install -d "$dest$prefix/bin" "$dest$prefix/share/man/man1"

case $part in
  toolbox)
    [ -x "$src/$exe" ] || { echo "install-layout.sh: $src/$exe is missing; run 'npm run build' first" >&2; exit 1; }
    install -m 755 "$src/$exe" "$dest$prefix/bin/toolbox"
    install -D -m 644 "$src/LICENSE" "$dest$prefix/share/licenses/toolbox/LICENSE"
    install -D -m 644 "$src/dist/sea/LICENSE.node" "$dest$prefix/share/licenses/toolbox/LICENSE.node"
    install -m 644 "$src/dist/man/toolbox.1" "$dest$prefix/share/man/man1/toolbox.1"
    install -D -m 644 "$src/dist/completions/bash/toolbox" "$dest$prefix/share/bash-completion/completions/toolbox"
    install -D -m 644 "$src/dist/completions/zsh/_toolbox" "$dest$prefix/share/zsh/site-functions/_toolbox"
    install -D -m 644 "$src/dist/completions/fish/toolbox.fish" "$dest$prefix/share/fish/vendor_completions.d/toolbox.fish"
    ;;
  host-update)
    ln -sf toolbox "$dest$prefix/bin/host-update"
    install -m 644 "$src/dist/man/host-update.1" "$dest$prefix/share/man/man1/host-update.1"
    install -D -m 644 "$src/packaging/macros.toolbox-host-update" "$dest$prefix/lib/rpm/macros.d/macros.toolbox-host-update"
    ;;
  *) echo "install-layout.sh: unknown part '$part' (toolbox or host-update)" >&2; exit 2 ;;
esac
