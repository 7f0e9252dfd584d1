#!/usr/bin/env bash
# Installs, idempotently, what Borgdesk's build and tests need on Debian or
# Ubuntu: system packages, the pinned Wails CLI, and the frontend's npm
# packages. It says what it installs and is quiet about what is already there.
set -euo pipefail

WAILS_VERSION="${WAILS_VERSION:-v2.16.0}"
root="$(cd "$(dirname "$0")/../.." && pwd)"

# Build: GTK + WebKitGTK 4.1 for Wails. Tests: Xvfb and friends for the real
# window, Chromium for Playwright, borg/FUSE (python3-pyfuse3 for borg mount)/OpenSSH
# for backup, mount and rollout tests,
# PostgreSQL/MariaDB and a private Docker engine (docker.io) for the job tests,
# aiosmtpd (a real SMTP server) for the e-mail tests, rclone for replication,
# sudo (visudo checks the FlexPBX sudoers drop-in on migrate) and zip (the
# FlexPBX fixtures' ZIP export) for the .flx tests.
packages=(
  build-essential pkg-config libgtk-3-dev libwebkit2gtk-4.1-dev
  xvfb xauth dbus dbus-x11 imagemagick xdotool
  chromium
  borgbackup fuse3 python3-pyfuse3 openssh-server openssh-client iproute2 sqlite3
  postgresql mariadb-server mariadb-client util-linux
  docker.io busybox-static
  python3-aiosmtpd
  rclone rsync
  sudo zip
)

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
  echo "deps: Debian packages present (${#packages[@]})"
fi

# The rollout test installs borg with apt-get inside a test host that has no
# network: it needs the package file in advance (fetched here, once).
debs=/var/cache/borgdesk-test
if ! ls "$debs"/borgbackup_*.deb >/dev/null 2>&1; then
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

cd "$root/frontend"
stamp=node_modules/.package-lock.json
if [ ! -f "$stamp" ] || [ package.json -nt "$stamp" ] || [ package-lock.json -nt "$stamp" ]; then
  echo "deps: installing npm packages"
  npm install --no-audit --no-fund --loglevel=error
else
  echo "deps: npm packages present"
fi
