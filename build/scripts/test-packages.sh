#!/usr/bin/env bash
# test-packages.sh DIST: checks the packages make package left in DIST.
# The borgdesk and borgdesk-agent .deb files of this machine's architecture
# are installed with dpkg --root into a temporary root (no chroot, no
# network: their dependencies are this machine's) and checked there: the
# binaries run and say the version, the desktop entry validates, .flx files
# get Borgdesk's type and open in Borgdesk (xdg-mime over the installed
# share dir), the man pages render, the units pass systemd-analyze verify,
# make install's tree is the package's tree, and removing the packages
# leaves nothing; the .rpm files install with rpm --root, hold the same
# files and leave none on removal. lintian must report no errors on any .deb.
set -euo pipefail

dist="${1:?usage: test-packages.sh DIST}"
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
arch="$(dpkg --print-architecture)"
desk=("$dist"/borgdesk_*_"$arch".deb)
agent=("$dist"/borgdesk-agent_*_"$arch".deb)
[ -f "${desk[0]}" ] && [ -f "${agent[0]}" ] || { echo "test-packages: no borgdesk/borgdesk-agent .deb for $arch in $dist; run make package" >&2; exit 1; }
version="$(dpkg-deb -f "${desk[0]}" Version)"
describe="${VERSION:-$(build/scripts/version.sh)}"

tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
r="$tmp/root"
fails=0
ok() { echo "ok   $*"; }
bad() { echo "FAIL $*" >&2; fails=$((fails + 1)); }
check() { local what="$1"; shift; if out="$("$@" 2>&1)"; then ok "$what"; else bad "$what: $out"; fi; }

echo "== install into $r (dpkg --root)"
mkdir -p "$r/var/lib/dpkg/info" "$r/var/lib/dpkg/updates" "$r/var/log"
: > "$r/var/lib/dpkg/status"
# --force-depends: the dependencies are this machine's, not the root's.
dpkg --root="$r" --log=/dev/null --force-depends --force-not-root -i "${desk[0]}" "${agent[0]}" >"$tmp/dpkg-i.log" 2>&1 || { cat "$tmp/dpkg-i.log" >&2; exit 1; }
before="$(cd "$r" && find . -path ./var -prune -o ! -type d -print | sort)"

echo "== binaries"
# --version, as every binary answers it (issue 21).
got="$("$r/usr/bin/borgdesk" --version)"
[ "$got" = "borgdesk $describe" ] && ok "borgdesk version says $describe" || bad "borgdesk version says '$got', want 'borgdesk $describe' (a desktop binary built before the last commit: make build, then make test-packages)"
got="$("$r/usr/bin/borgdesk-cli" --version)"
[ "$got" = "borgdesk $describe" ] && ok "borgdesk-cli version says $describe" || bad "borgdesk-cli version says '$got'"
got="$("$r/usr/bin/borgdesk-agent" version)"
[[ $got == *"$describe"* ]] && ok "borgdesk-agent version says $describe" || bad "borgdesk-agent version says '$got'"
for t in flexpbx-backup flexpbx-restore flexpbx-migrate; do
  [ "$(readlink "$r/usr/bin/$t")" = borgdesk-agent ] || bad "/usr/bin/$t is not a link to borgdesk-agent"
  check "$t -h answers as $t (argv[0] dispatch through the link)" bash -c '"$1" -h | grep -q -- "$2"' _ "$r/usr/bin/$t" "$t"
done
for a in amd64 arm64; do
  f="$r/usr/lib/borgdesk/agents/borgdesk-agent-linux-$a"
  [ -x "$f" ] && ok "rollout's agent build for $a in /usr/lib/borgdesk/agents" || bad "$f is missing"
done
[ "$(stat -c %a "$r/etc/borgdesk-agent")" = 700 ] && ok "/etc/borgdesk-agent is 0700" || bad "/etc/borgdesk-agent is $(stat -c %a "$r/etc/borgdesk-agent"), want 700"

echo "== desktop entry and file type"
check "desktop-file-validate borgdesk.desktop" desktop-file-validate "$r/usr/share/applications/borgdesk.desktop"
# The caches dpkg's triggers would build (shared-mime-info), made in a copy
# of the installed share dir so that the removal check below sees only what
# the packages own.
cp -a "$r/usr/share" "$tmp/share"
update-mime-database "$tmp/share/mime" >/dev/null 2>&1
mkdir -p "$tmp/home/.local/share" "$tmp/files"
printf '{"format":"flx","version":1}\n' > "$tmp/files/x.flx"
printf '{"format":"flx","version":1}\n' > "$tmp/files/x.flxx"
gzip -c "$tmp/files/x.flx" > "$tmp/files/x.flx.gz"
xdg() { HOME="$tmp/home" XDG_DATA_HOME="$tmp/home/.local/share" XDG_DATA_DIRS="$tmp/share" XDG_CONFIG_HOME="$tmp/home/.config" XDG_CONFIG_DIRS="$tmp/xdg" XDG_CURRENT_DESKTOP=GNOME xdg-mime "$@"; }
for f in x.flx:application/x-flexpbx-flx x.flx.gz:application/x-flexpbx-flx x.flxx:application/x-flexpbx-flxx; do
  got="$(xdg query filetype "$tmp/files/${f%%:*}")"
  [ "$got" = "${f#*:}" ] && ok "xdg-mime query filetype ${f%%:*} = $got" || bad "xdg-mime query filetype ${f%%:*} = '$got', want ${f#*:}"
done
for t in application/x-flexpbx-flx application/x-flexpbx-flxx; do
  got="$(xdg query default "$t")"
  [ "$got" = borgdesk.desktop ] && ok "xdg-mime query default $t = $got" || bad "xdg-mime query default $t = '$got', want borgdesk.desktop"
done
for s in 16 48 256; do
  for i in apps/borgdesk mimetypes/application-x-flexpbx-flx; do
    f="$r/usr/share/icons/hicolor/${s}x${s}/$i.png"
    [ "$(identify -format %wx%h "$f" 2>/dev/null)" = "${s}x${s}" ] && ok "icon $i at ${s}x${s}" || bad "icon $f is missing or not ${s}x${s}"
  done
done

echo "== man pages, completion, units"
for m in borgdesk borgdesk-cli borgdesk-agent flexpbx-backup; do
  check "man -l $m.1.gz" bash -c 'MANWIDTH=100 MANPAGER=cat man -l "$1" 2>&1 | grep -q "$2"' _ "$r/usr/share/man/man1/$m.1.gz" "SYNOPSIS"
done
for m in borgdesk-job-edit borgdesk-agent-enroll; do # a page a command, from the command trees
  check "man -l $m.1.gz" bash -c 'MANWIDTH=100 MANPAGER=cat man -l "$1" 2>&1 | grep -q "$2"' _ "$r/usr/share/man/man1/$m.1.gz" "SYNOPSIS"
done
# The completions ask the installed program (borgdesk-cli __complete …).
completes() { # FILE WANT WORD…: bash completion offers WANT for the last WORD
  local file="$1" want="$2" got; shift 2
  got="$(PATH="$r/usr/bin:$PATH" bash -c 'source /usr/share/bash-completion/bash_completion; source "$1"; shift
    COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
    fn="$(complete -p "$1" | sed "s/.* -F \([^ ]*\) .*/\1/")"; "$fn"; echo "${COMPREPLY[*]}"' _ "$file" "$@" 2>/dev/null)"
  [ "$got" = "$want" ] || { echo "offered '$got', want '$want'"; return 1; }
}
check "bash completion completes 'borgdesk-cli job e'" completes "$r/usr/share/bash-completion/completions/borgdesk-cli" "edit enable" borgdesk-cli job e
check "bash completion completes 'borgdesk-agent flx backup --comp'" completes "$r/usr/share/bash-completion/completions/borgdesk-agent" "--compress" borgdesk-agent flx backup --comp
for f in zsh/vendor-completions/_borgdesk zsh/vendor-completions/_borgdesk-agent fish/vendor_completions.d/borgdesk.fish fish/vendor_completions.d/borgdesk-agent.fish; do
  check "$f" grep -q '__complete' "$r/usr/share/$f"
done
# systemd-analyze verify checks ExecStart's program exists: the units are
# verified as installed but for /usr/bin/ pointing into the temporary root.
# Any complaint (an unknown key is only a warning) fails the check.
mkdir -p "$tmp/units/system" "$tmp/units/user" "$tmp/run" && chmod 700 "$tmp/run"
verify() {
  local unit="$1" out; shift
  grep -q '^ExecStart=/usr/bin/borgdesk' "$r$unit" || { echo "$unit: ExecStart does not run /usr/bin/borgdesk…"; return 1; }
  sed "s|=/usr/bin/|=$r/usr/bin/|" "$r$unit" > "$tmp/units/$(basename "$(dirname "$unit")")/$(basename "$unit")"
  out="$(XDG_RUNTIME_DIR="$tmp/run" systemd-analyze "$@" verify --man=no "$tmp/units/$(basename "$(dirname "$unit")")/$(basename "$unit")" 2>&1)" || { echo "$out"; return 1; }
  [ -z "$out" ] || { echo "$out"; return 1; }
}
check "systemd-analyze verify borgdesk-agent.service" verify /usr/lib/systemd/system/borgdesk-agent.service
check "systemd-analyze --user verify borgdesk.service" verify /usr/lib/systemd/user/borgdesk.service --user

echo "== make install's tree is the package's tree"
for p in desk agent; do
  stage="$tmp/stage-$p"
  PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$stage" build/scripts/files.sh install "$p" "$arch"
  deb="${desk[0]}"; [ "$p" = agent ] && deb="${agent[0]}"
  want="$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\.\//, "", $6); print $6 }' | sort)"
  have="$(cd "$stage" && find . ! -type d | sed 's|^\./||' | sort)"
  if [ -n "$want" ] && [ "$want" = "$have" ]; then ok "files.sh install $p = the .deb's files ($(echo "$have" | wc -l))"; else bad "files.sh install $p differs from the .deb: $(diff <(echo "$want") <(echo "$have") | head -5)"; fi
  PREFIX=/usr SYSCONFDIR=/etc DESTDIR="$stage" build/scripts/files.sh uninstall "$p" "$arch" >/dev/null
  left="$(cd "$stage" && find . ! -type d)"
  [ -z "$left" ] && ok "files.sh uninstall $p removes every file" || bad "files.sh uninstall $p left: $(echo "$left" | head -5)"
done

echo "== removal"
dpkg --root="$r" --log=/dev/null --force-depends --force-not-root -r borgdesk borgdesk-agent >"$tmp/dpkg-r.log" 2>&1 || { cat "$tmp/dpkg-r.log" >&2; bad "dpkg -r failed"; }
left="$(cd "$r" && find . -path ./var -prune -o -mindepth 1 -print | sort)"
[ -z "$left" ] && ok "dpkg -r leaves nothing ($(echo "$before" | wc -l) files were installed)" || bad "dpkg -r left: $(echo "$left" | head -10)"

echo "== rpm"
# The .rpm files into another temporary root (rpm --root; no dependencies,
# they name Fedora's packages): the version runs, the list is the .deb's,
# and rpm -e leaves no file (rpm keeps the folders it made, as it does).
rr="$tmp/rpmroot"
mkdir -p "$rr"
rpm --root "$rr" --initdb 2>/dev/null
rpms=("$dist"/borgdesk-[0-9]*."$(uname -m)".rpm "$dist"/borgdesk-agent-[0-9]*."$(uname -m)".rpm)
if rpm --root "$rr" -i --nodeps "${rpms[@]}" >"$tmp/rpm-i.log" 2>&1; then
  got="$("$rr/usr/bin/borgdesk-cli" version)"
  [ "$got" = "borgdesk $describe" ] && ok "rpm: borgdesk-cli version says $describe" || bad "rpm: borgdesk-cli version says '$got'"
  for n in 0 1; do
    deb="${desk[0]}"; [ $n = 1 ] && deb="${agent[0]}"
    want="$(dpkg-deb -c "$deb" | awk '$1 !~ /^d/ { sub(/^\./, "", $6); print $6 }' | sort)"
    have="$(rpm -qpl "${rpms[$n]}" 2>/dev/null | grep -vx /etc/borgdesk-agent | sort)"
    [ -n "$want" ] && [ "$want" = "$have" ] && ok "rpm: $(basename "${rpms[$n]}") holds the .deb's $(echo "$want" | wc -l) files" || bad "rpm: $(basename "${rpms[$n]}") differs from the .deb: $(diff <(echo "$want") <(echo "$have") | head -5)"
  done
  rpm --root "$rr" -e borgdesk borgdesk-agent >"$tmp/rpm-e.log" 2>&1 || bad "rpm -e: $(cat "$tmp/rpm-e.log")"
  left="$(cd "$rr" && find . ! -type d ! -path './root/.rpmdb/*' ! -path './var/*' ! -path './usr/lib/sysimage/*')"
  [ -z "$left" ] && ok "rpm -e leaves no file" || bad "rpm -e left: $(echo "$left" | head -5)"
else
  bad "rpm -i: $(cat "$tmp/rpm-i.log")"
fi

echo "== lintian"
for deb in "$dist"/*.deb; do
  out="$(lintian --tag-display-limit 0 "$deb" 2>/dev/null || true)"
  errs="$(echo "$out" | grep '^E:' || true)"
  if [ -z "$errs" ]; then ok "lintian $(basename "$deb"): no errors ($(echo "$out" | grep -c '^W:' || true) warnings)"; else bad "lintian $(basename "$deb"): $errs"; fi
done

if [ "$fails" -gt 0 ]; then echo "test-packages: $fails check(s) failed" >&2; exit 1; fi
echo "test-packages: every check passed ($version)"
