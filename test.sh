#!/usr/bin/env bash
# Runs memlens's whole test suite: every package's tests over the fixture matrix (Go 1.19, 1.26 and
# 1.27.3; amd64 live, amd64 core, arm64 core). Run as root, it first installs what the matrix needs
# from Debian (golang-1.19-go, qemu-user); the Go 1.27.3 toolchain comes through GOTOOLCHAIN.
# Extra arguments go to `go test` (e.g. ./test.sh -run Chan ./inspect/).
set -euo pipefail
cd "$(dirname "$0")"

need=()
[ -x /usr/lib/go-1.19/bin/go ] || need+=(golang-1.19-go)
[ -x /usr/bin/qemu-aarch64 ] || need+=(qemu-user)
if [ ${#need[@]} -gt 0 ]; then
  if [ "$(id -u)" = 0 ]; then
    echo "test.sh: installing ${need[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
  else
    echo "test.sh: missing ${need[*]}; install them (apt-get install ${need[*]}) to run the whole matrix" >&2
  fi
fi
# Fetch the Go 1.27.3 toolchain once, so that its download is not charged to a test.
GOTOOLCHAIN=go1.27.3 go version >/dev/null

# Test every package unless the arguments name packages themselves.
pkgs=(./...)
for a in "$@"; do
  case "$a" in
    ./*) pkgs=() ;;
  esac
done
exec go test -timeout 80m "${pkgs[@]}" "$@"
