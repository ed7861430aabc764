#!/bin/sh
# Lays out one part of toolbox under DESTDIR from a built tree (dist/, bin/), the same way for the
# RPM's %install and for the toolbox image's install-from-dist path:
#   PREFIX/lib/NAME/{package.json,bin,dist}  the bundle; package.json marks it as ES modules
#   PREFIX/bin/BIN -> ../lib/NAME/bin/BIN.js node follows the link, so ../dist resolves
#   man page, completions (toolbox) or the rpm macro file (host-update)
# Usage: install-layout.sh SRC DESTDIR toolbox|host-update
set -eu
src=$1 dest=$2 part=$3
prefix=/usr
case $part in
  toolbox) name=toolbox bin=toolbox ;;
  host-update) name=toolbox-host-update bin=host-update ;;
  *) echo "install-layout.sh: unknown part '$part' (toolbox or host-update)" >&2; exit 2 ;;
esac
lib=$dest$prefix/lib/$name

install -d "$lib/bin" "$lib/dist" "$dest$prefix/bin" "$dest$prefix/share/man/man1"
printf '{"type":"module"}\n' > "$lib/package.json"
chmod 644 "$lib/package.json"
# The JavaScript only: the man pages and completions get their own places below.
(cd "$src/dist" && find . -name '*.js' -type f) | while read -r f; do
  install -D -m 644 "$src/dist/$f" "$lib/dist/$f"
done
# A fixed interpreter path, as distribution packages want (no /usr/bin/env lookup).
sed '1s|^#!.*|#!/usr/bin/node|' "$src/bin/$bin.js" > "$lib/bin/$bin.js"
chmod 755 "$lib/bin/$bin.js"
ln -sf "../lib/$name/bin/$bin.js" "$dest$prefix/bin/$bin"
install -m 644 "$src/dist/man/$bin.1" "$dest$prefix/share/man/man1/$bin.1"

if [ "$part" = toolbox ]; then
  install -D -m 644 "$src/dist/completions/bash/toolbox" "$dest$prefix/share/bash-completion/completions/toolbox"
  install -D -m 644 "$src/dist/completions/zsh/_toolbox" "$dest$prefix/share/zsh/site-functions/_toolbox"
  install -D -m 644 "$src/dist/completions/fish/toolbox.fish" "$dest$prefix/share/fish/vendor_completions.d/toolbox.fish"
else
  install -D -m 644 "$src/packaging/macros.toolbox-host-update" "$dest$prefix/lib/rpm/macros.d/macros.toolbox-host-update"
fi
