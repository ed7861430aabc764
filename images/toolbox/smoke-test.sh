#!/bin/sh
# Smoke test for a build of the toolbox image (./Containerfile), production or CI:
#   podman run --rm -v "$PWD/images/toolbox/smoke-test.sh:/smoke-test.sh:ro" IMAGE sh /smoke-test.sh
# Prints one line per check and "smoke test: passed" last; exits 1 on the first failure.
set -u
fail() { echo "FAIL: $*"; exit 1; }

for tool in strace gdb lsof tcpdump ip ping dig ethtool socat curl ps pkill killall iostat htop \
            less vim man sudo nsenter mount systemctl journalctl which file find tar gzip hostname; do
  command -v "$tool" >/dev/null 2>&1 || fail "$tool is not on PATH"
done
echo "tools: on PATH"

# host-update embeds its own Node.js: the image needs none, and ships none.
if command -v node >/dev/null 2>&1; then fail "node is on PATH ($(command -v node)); the image should not need it"; fi
echo "node: none"

[ "$(rpm --eval '%_netsharedpath')" = /dev:/etc/hosts ] || fail "%_netsharedpath is not /dev:/etc/hosts"
echo "rpm: %_netsharedpath /dev:/etc/hosts"

bin=$(command -v host-update) || fail "host-update is not on PATH"
[ -x "$(readlink -f "$bin")" ] || fail "$bin is not executable"
# 126/127: the companion could not be started at all.
host-update --help >/dev/null 2>&1
code=$?
[ "$code" -ne 126 ] && [ "$code" -ne 127 ] || fail "host-update could not be started (exit $code)"
echo "host-update: $(readlink -f "$bin"), --help exits $code"
echo "smoke test: passed"
