#!/usr/bin/env bash
# newcomer.sh: what a newcomer does first on a clean checkout, checked (CI
# runs it before make test, on a fresh machine): `make run` installs what
# running needs, builds, and opens the window, whose self-test round trip
# (JavaScript → bound Go method → back) passes; and it installed none of the
# test toolchain's Debian packages (build/scripts/deps.sh list-test).
#
# A desktop has a display and a session bus; a CI machine has neither, so
# the harness installs Xvfb and D-Bus first (before the package list is
# taken: they are the harness's, not make run's).
set -euo pipefail
cd "$(dirname "$0")/../.."

harness=(xvfb xauth dbus)
need=()
for p in "${harness[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || need+=("$p")
done
if [ "${#need[@]}" -gt 0 ]; then
  sudo_cmd=()
  [ "$(id -u)" -eq 0 ] || sudo_cmd=(sudo)
  echo "newcomer: installing the harness's display and bus: ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 update -qq
  "${sudo_cmd[@]}" apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${need[@]}" >/dev/null
fi

installed() { dpkg-query -W -f='${Package} ${Status}\n' | awk '$NF == "installed" { print $1 }' | sort -u; }
before="$(mktemp)" after="$(mktemp)" data="$(mktemp -d)" log="$(mktemp)"
trap 'rm -rf "$before" "$after" "$data" "$log"' EXIT
installed >"$before"

set +e
xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- \
  make run RUN_ARGS="--data $data --self-test --listen 127.0.0.1:0 --ssh-listen 127.0.0.1:0" >"$log" 2>&1
code=$?
set -e
if [ "$code" -ne 0 ] || ! grep -q "self-test: ok" "$log"; then
  echo "FAIL: make run on a clean checkout (exit $code) did not open a window that passed its self-test:"
  tail -n 40 "$log"; exit 1
fi
grep "self-test: ok" "$log"

installed >"$after"
new="$(comm -13 "$before" "$after")"
bad="$(comm -12 <(printf '%s\n' "$new" | sort -u) <(build/scripts/deps.sh list-test | sort -u) | grep -vxF -f <(printf '%s\n' "${harness[@]}") || true)"
if [ -n "$bad" ]; then
  echo "FAIL: make run installed packages of the test toolchain: $(echo $bad)"; exit 1
fi
echo "ok: make run opened the window (self-test passed) and installed $(printf '%s\n' "$new" | grep -c . || true) Debian packages, none of the test toolchain's"
