#!/usr/bin/env bash
# test-packages-deb12.sh DIST: installs the borgdesk and borgdesk-agent
# .deb files with apt into a clean Debian 12 root (debootstrap --variant=
# minbase from the machine's Debian mirror, made once and kept in
# build/cache/deb12-minbase; each run works on a copy), so that apt resolves
# the dependencies the packages declare. Checks: every program runs and no
# library of the desktop binary is missing; shared-mime-info's trigger knows
# .flx; apt-get remove leaves none of the packages' files and the trigger
# forgets .flx. Needs root and the mirror; about 3 minutes after the first
# run (debootstrap adds about 2.5). Not part of make test.
set -euo pipefail

dist="${1:?usage: test-packages-deb12.sh DIST}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
[ "$(id -u)" = 0 ] || { echo "test-packages-deb12: needs root (debootstrap, chroot); run it with sudo" >&2; exit 1; }
mirror="$(sed -n 's/^URIs: *\(http[^ ]*debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -n1)"
mirror="${mirror:-$(awk '$1 == "deb" && $3 == "bookworm" { print $2; exit }' /etc/apt/sources.list 2>/dev/null)}"
mirror="${mirror:-http://deb.debian.org/debian}"
cache=build/cache/deb12-minbase
if [ ! -x "$cache/bin/bash" ]; then
  echo "test-packages-deb12: making a Debian 12 root from $mirror into $cache (once)"
  rm -rf "$cache.tmp" && mkdir -p build/cache
  debootstrap --variant=minbase bookworm "$cache.tmp" "$mirror" >/dev/null
  mv "$cache.tmp" "$cache"
fi
r="$(mktemp -d)/root"
cleanup() { umount "$r/proc" 2>/dev/null || true; rm -rf "$(dirname "$r")"; }
trap cleanup EXIT
cp -a "$cache" "$r"
mount -t proc proc "$r/proc"
cp "$dist"/borgdesk_*_amd64.deb "$dist"/borgdesk-agent_*_amd64.deb "$r/tmp/"
echo "test-packages-deb12: apt-get install the packages into a copy of the root"
chroot "$r" bash -c 'export DEBIAN_FRONTEND=noninteractive; apt-get update -qq && apt-get install -y -qq --no-install-recommends /tmp/borgdesk-agent_*_amd64.deb /tmp/borgdesk_*_amd64.deb' >"$r/../install.log" 2>&1 \
  || { tail -20 "$r/../install.log" >&2; echo "test-packages-deb12: apt-get install failed" >&2; exit 1; }
chroot "$r" bash -euo pipefail -c '
  fails=0
  for p in borgdesk borgdesk-cli borgdesk-agent; do
    $p version >/dev/null && echo "ok   $p version: $($p version)" || { echo "FAIL $p version"; fails=$((fails+1)); }
  done
  missing="$(ldd /usr/bin/borgdesk | grep "not found" || true)"
  [ -z "$missing" ] && echo "ok   every library of /usr/bin/borgdesk is there" || { echo "FAIL missing: $missing"; fails=$((fails+1)); }
  grep -q "application/x-flexpbx-flx:\*\.flx$" /usr/share/mime/globs2 && echo "ok   the MIME database knows *.flx" || { echo "FAIL *.flx not in the MIME database"; fails=$((fails+1)); }
  dpkg -L borgdesk borgdesk-agent | sort > /tmp/owned
  DEBIAN_FRONTEND=noninteractive apt-get remove -y -qq borgdesk borgdesk-agent >/dev/null 2>&1
  left=0; while read -r f; do if [ -e "$f" ] && [ ! -d "$f" ]; then echo "left: $f"; left=$((left+1)); fi; done < /tmp/owned
  [ "$left" = 0 ] && echo "ok   apt-get remove leaves none of the $(wc -l < /tmp/owned) paths the packages owned" || fails=$((fails+1))
  ! grep -q flexpbx /usr/share/mime/globs2 && echo "ok   the MIME database forgets .flx" || { echo "FAIL .flx still in the MIME database"; fails=$((fails+1)); }
  [ "$fails" = 0 ] || { echo "test-packages-deb12: $fails check(s) failed"; exit 1; }
'
echo "test-packages-deb12: every check passed"
