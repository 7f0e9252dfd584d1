#!/usr/bin/env bash
# deps.sh run|package|test: installs, idempotently, what Borgdesk needs on
# Debian or Ubuntu, in three sizes:
#   run      building and running the desktop app (make run, make build):
#            build tools, GTK + WebKitGTK 4.1, borg, FUSE, the pinned Wails
#            CLI and the frontend's npm packages
#   package  run, and what make package adds (ImageMagick for the icons, the
#            pinned nfpm CLI)
#   test     package, and the test toolchain (make test)
#   list-test  prints the test toolchain's Debian packages
# It first checks Go and Node and stops with a sentence when either is older
# than the build needs. It says what it installs and is quiet about what is
# already there.
set -euo pipefail

WAILS_VERSION="${WAILS_VERSION:-v2.16.0}"
NFPM_VERSION="${NFPM_VERSION:-v2.45.2}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
kind="${1:-run}"
case "$kind" in run|package|test|list-test) ;; *) echo "usage: deps.sh run|package|test|list-test" >&2; exit 2 ;; esac

# The test toolchain (see below); list-test prints it, one per line, for
# the newcomer check (build/scripts/newcomer.sh: make run installs none).
test_packages=(
  xvfb xauth dbus dbus-x11 xdotool
  chromium
  openssh-server iproute2 sqlite3
  postgresql mariadb-server mariadb-client util-linux
  docker.io busybox-static
  python3-aiosmtpd
  rclone rsync
  sudo zip
  lintian desktop-file-utils xdg-utils shared-mime-info man-db rpm bash-completion
)
if [ "$kind" = list-test ]; then
  printf '%s\n' "${test_packages[@]}"
  exit 0
fi

# version_ge A B: A is B or newer.
version_ge() { [ "$(printf '%s\n%s\n' "$2" "$1" | sort -V | head -n1)" = "$2" ]; }

# Go: the go.mod's go line. Node: what vite (frontend) accepts, ^20.19 or >= 22.12.
go_need="$(sed -n 's/^go \([0-9.]*\)$/\1/p' "$root/go.mod")"
node_need=20.19.0
if ! command -v go >/dev/null 2>&1; then
  echo "deps: Go is not installed; Borgdesk needs Go $go_need or newer (https://go.dev/dl/), then run make again" >&2; exit 1
fi
go_have="$(go env GOVERSION | sed 's/^go//; s/[^0-9.].*$//')"
if ! version_ge "$go_have" "$go_need"; then
  echo "deps: Go $go_have is older than the Go $go_need Borgdesk needs (go.mod); install Go $go_need or newer (https://go.dev/dl/) and run make again" >&2; exit 1
fi
if ! command -v node >/dev/null 2>&1 || ! command -v npm >/dev/null 2>&1; then
  echo "deps: Node.js and npm are not installed; the frontend needs Node $node_need or newer (20.19+ or 22.12+; https://nodejs.org/), then run make again" >&2; exit 1
fi
node_have="$(node --version | sed 's/^v//')"
node_major="${node_have%%.*}"
if ! version_ge "$node_have" "$node_need" || [ "$node_major" = 21 ] || { [ "$node_major" = 22 ] && ! version_ge "$node_have" 22.12.0; }; then
  echo "deps: Node $node_have is not one the frontend's build (vite) accepts: install Node 20.19+ or 22.12+ (https://nodejs.org/) and run make again" >&2; exit 1
fi
echo "deps: Go $go_have (needs $go_need), Node $node_have (needs 20.19+ or 22.12+)"

# Running: GTK + WebKitGTK 4.1 for Wails, borg and FUSE (python3-pyfuse3 for
# borg mount), the OpenSSH client for rollout.
packages=(
  build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev
  borgbackup fuse3 python3-pyfuse3 openssh-client
)
# Packaging: the icons in every size (make package, make install).
if [ "$kind" != run ]; then
  packages+=(imagemagick)
fi
# Tests: Xvfb and friends for the real window, Chromium for Playwright,
# OpenSSH server for mount and rollout tests, PostgreSQL/MariaDB and a
# private Docker engine (docker.io) for the job tests, aiosmtpd (a real SMTP
# server) for the e-mail tests, rclone for replication, sudo (visudo checks
# the FlexPBX sudoers drop-in on migrate) and zip (the FlexPBX fixtures' ZIP
# export) for the .flx tests; lintian, desktop-file-utils, xdg-utils,
# shared-mime-info, man-db, rpm and bash-completion (which the generated
# bash completions build on) check the packages (make test-packages).
if [ "$kind" = test ]; then
  packages+=("${test_packages[@]}")
fi

sudo_cmd=()
if [ "$(id -u)" -ne 0 ]; then sudo_cmd=(sudo); fi

missing=()
for p in "${packages[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed"; then
    missing+=("$p")
  fi
done
if [ "${#missing[@]}" -gt 0 ]; then
  echo "deps: installing Debian packages: ${missing[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
else
  echo "deps: Debian packages for $kind present (${#packages[@]})"
fi

# The rollout test installs borg with apt-get inside a test host that has no
# network: it needs the package file in advance (fetched here, once).
debs=/var/cache/borgdesk-test
if [ "$kind" = test ] && ! ls "$debs"/borgbackup_*.deb >/dev/null 2>&1; then
  echo "deps: fetching the borgbackup package file for the rollout test"
  "${sudo_cmd[@]}" mkdir -p "$debs"
  (cd "$debs" && "${sudo_cmd[@]}" apt-get download -q borgbackup 2>/dev/null)
fi

gobin="$(go env GOPATH)/bin"
if [ "$("$gobin/wails" version 2>/dev/null | head -n1 || true)" != "$WAILS_VERSION" ]; then
  echo "deps: installing Wails CLI $WAILS_VERSION"
  go install "github.com/wailsapp/wails/v2/cmd/wails@$WAILS_VERSION"
else
  echo "deps: Wails CLI $WAILS_VERSION present"
fi

if [ "$kind" != run ]; then
  if [ "$(go version -m "$gobin/nfpm" 2>/dev/null | awk '$1 == "mod" { print $3 }')" != "$NFPM_VERSION" ]; then
    echo "deps: installing nfpm $NFPM_VERSION"
    go install "github.com/goreleaser/nfpm/v2/cmd/nfpm@$NFPM_VERSION"
  else
    echo "deps: nfpm $NFPM_VERSION present"
  fi
fi

cd "$root/frontend"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "deps: installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
else
  echo "deps: npm packages present"
fi
