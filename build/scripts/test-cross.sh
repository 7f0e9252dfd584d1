#!/usr/bin/env bash
# test-cross.sh: go vet and go build, for macOS (arm64; TARGETS for amd64 too) and Windows
# (amd64), of the CLI (the main package without the desktop tags) and of
# every package it needs, plus the window's own packages where they build
# without cgo: on Windows the whole desktop app (Wails builds Windows
# without cgo), on macOS backend/notify (the rest of the window, Wails'
# Cocoa side and fyne.io/systray's menu bar, is cgo against Apple's SDK and
# builds on a Mac only).
#
# Left out on purpose: the agent (./agent/...), which runs on Linux
# servers only (openat2, statfs, borg), and the tests, which are Linux-only
# by design (real borg, FUSE, sshd in network namespaces): go vet checks a
# package's tests too, so the tests that need Linux say so with
# //go:build linux. The test helpers (backend/rollout/testhost,
# backend/dbustest, safefs/safefstest) are not in any list.
set -euo pipefail

cd "$(dirname "$0")/../.."
export CGO_ENABLED=0
out="$(mktemp -d)"
trap 'rm -rf "$out"' EXIT

# One macOS architecture by default (the code is the same for both; each
# target costs minutes on a cold cache): TARGETS adds darwin/amd64.
for target in ${TARGETS:-darwin/arm64 windows/amd64}; do
  export GOOS="${target%/*}" GOARCH="${target#*/}"
  start=$SECONDS
  mapfile -t cli < <(go list -deps . | grep '^borgdesk/')
  case "$GOOS" in
    windows)
      mapfile -t window < <(go list -deps -tags desktop,production . | grep '^borgdesk/')
      go vet "${cli[@]}"
      go vet -tags desktop,production "${window[@]}"
      go build -o "$out/borgdesk-cli.exe" .
      go build -tags desktop,production -ldflags "-H windowsgui" -o "$out/borgdesk.exe" .
      ;;
    darwin)
      go vet "${cli[@]}" borgdesk/backend/notify
      go build -o "$out/borgdesk-cli" .
      go build borgdesk/backend/notify
      ;;
  esac
  echo "ok: $target: go vet and go build of the CLI (${#cli[@]} packages)$([ "$GOOS" = windows ] && echo " and the desktop app (${#window[@]} packages)") in $((SECONDS - start)) s"
done
