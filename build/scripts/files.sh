#!/usr/bin/env bash
# files.sh: the one list of files Borgdesk installs, shared by `make install`
# and `make package` so the two cannot drift.
#
#   files.sh gen                      make the generated files (icons, man pages,
#                                     completions, units for PREFIX, docs) under build/pkg
#   files.sh install desk|agent ARCH  copy the files under DESTDIR
#   files.sh uninstall desk|agent ARCH  remove them from under DESTDIR again
#   files.sh nfpm desk|agent ARCH     print the same list as nfpm `contents:`
#
# Environment: PREFIX (/usr/local), SYSCONFDIR (/etc), DESTDIR (empty),
# VERSION (the binaries' git describe). The binaries come from build/bin
# (make build, make cli, make agent).
set -euo pipefail

root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
PREFIX="${PREFIX:-/usr/local}"
SYSCONFDIR="${SYSCONFDIR:-/etc}"
DESTDIR="${DESTDIR:-}"
VERSION="${VERSION:-dev}"
case "$PREFIX" in /*) ;; *) echo "files.sh: PREFIX must be an absolute path (PREFIX=/usr or /usr/local), not $PREFIX" >&2; exit 2 ;; esac
bin=build/bin
gen="build/pkg/gen$(echo "$PREFIX" | tr / -)"
sizes=(16 24 32 48 64 128 256 512)
mimetypes=(application-x-flexpbx-flx application-x-flexpbx-flxx)

generate() {
  rm -rf "$gen" && mkdir -p "$gen/icons" "$gen/man" "$gen/completion" "$gen/systemd" "$gen/doc-desk" "$gen/doc-agent"
  for f in "$bin/borgdesk-cli" "$bin/borgdesk-agent-linux-amd64"; do
    [ -x "$f" ] || { echo "files.sh: $f is missing; run make cli agent first" >&2; exit 1; }
  done
  # The app icon in the usual hicolor sizes; the .flx/.flxx files' own icon:
  # a page with a folded corner carrying the app icon.
  convert -size 512x512 xc:none -fill white -stroke '#4a5560' -strokewidth 10 \
    -draw "polygon 96,16 336,16 448,128 448,496 96,496" -fill '#d7dde3' \
    -draw "polygon 336,16 336,128 448,128" \
    \( build/appicon.png -resize 272x272 \) -gravity center -geometry +0+48 -composite \
    "$gen/icons/flx-512.png"
  for s in "${sizes[@]}"; do
    convert build/appicon.png -strip -resize "${s}x${s}" "PNG32:$gen/icons/app-$s.png"
    convert "$gen/icons/flx-512.png" -strip -resize "${s}x${s}" "PNG32:$gen/icons/flx-$s.png"
  done
  local date; date="$(git log -1 --format=%cs 2>/dev/null || date -u +%F)"
  # Man pages (one a command) and bash, zsh and fish completions, written by
  # the programs from their own command trees, so they cannot drift.
  "$bin/borgdesk-cli" __gendocs "$gen/docs-desk" --date "$date"
  "$bin/borgdesk-agent-linux-amd64" __gendocs "$gen/docs-agent" --date "$date"
  local p f
  for p in desk agent; do
    for f in "$gen/docs-$p"/man1/*.1; do gzip -9n < "$f" > "$gen/man/$(basename "$f").gz"; done
  done
  # borgdesk-cli is the same program: its completions answer to both names.
  { cat "$gen/docs-desk/completion/bash/borgdesk"; echo "complete -o default -F __start_borgdesk borgdesk-cli"; } > "$gen/completion/borgdesk.bash"
  sed '1s/^#compdef borgdesk$/#compdef borgdesk borgdesk-cli/' "$gen/docs-desk/completion/zsh/_borgdesk" > "$gen/completion/_borgdesk"
  cp "$gen/docs-desk/completion/fish/borgdesk.fish" "$gen/completion/borgdesk.fish"
  sed 's/\bborgdesk\b/borgdesk-cli/g; s/__borgdesk_/__borgdesk_cli_/g' "$gen/docs-desk/completion/fish/borgdesk.fish" > "$gen/completion/borgdesk-cli.fish"
  cp "$gen/docs-agent/completion/bash/borgdesk-agent" "$gen/completion/borgdesk-agent.bash"
  cp "$gen/docs-agent/completion/zsh/_borgdesk-agent" "$gen/completion/_borgdesk-agent"
  cp "$gen/docs-agent/completion/fish/borgdesk-agent.fish" "$gen/completion/borgdesk-agent.fish"
  sed "s|/usr/local/bin/|$PREFIX/bin/|; s|/etc/borgdesk-agent/|$SYSCONFDIR/borgdesk-agent/|" build/systemd/borgdesk-agent.service > "$gen/systemd/borgdesk-agent.service"
  sed "s|/usr/local/bin/|$PREFIX/bin/|" build/systemd/user/borgdesk.service > "$gen/systemd/borgdesk.user.service"
  for p in desk agent; do
    gzip -9n < CHANGELOG.md > "$gen/doc-$p/changelog.gz"
    cp build/package/copyright "$gen/doc-$p/copyright"
  done
  echo "files.sh: generated files in $gen"
}

# put SRC DST MODE, link DST TARGET, dir DST MODE: one entry of the list.
put() {
  case "$mode" in
    install) install -D -m "$3" "$1" "$DESTDIR$2" ;;
    uninstall) rm -f "$DESTDIR$2" ;;
    nfpm) printf -- '  - src: %s\n    dst: %s\n    file_info: {mode: 0%s}\n' "$1" "$2" "$3" ;;
  esac
}
link() {
  case "$mode" in
    install) mkdir -p "$(dirname "$DESTDIR$1")" && ln -sfn "$2" "$DESTDIR$1" ;;
    uninstall) rm -f "$DESTDIR$1" ;;
    nfpm) printf -- '  - src: %s\n    dst: %s\n    type: symlink\n' "$2" "$1" ;;
  esac
}
dir() {
  case "$mode" in
    install) install -d -m "$2" "$DESTDIR$1" ;;
    uninstall) rmdir "$DESTDIR$1" 2>/dev/null || echo "files.sh: $DESTDIR$1 is not empty (the agent's configuration and key): left in place" ;;
    nfpm) printf -- '  - dst: %s\n    type: dir\n    file_info: {mode: 0%s}\n' "$1" "$2" ;;
  esac
}

desk_files() {
  local share="$PREFIX/share" s m
  put "$bin/borgdesk" "$PREFIX/bin/borgdesk" 755
  put "$bin/borgdesk-cli" "$PREFIX/bin/borgdesk-cli" 755
  # The builds rollout hands out (agentdist.DefaultDir finds them here).
  for a in amd64 arm64; do
    put "$bin/borgdesk-agent-linux-$a" "$PREFIX/lib/borgdesk/agents/borgdesk-agent-linux-$a" 755
  done
  put build/linux/borgdesk.desktop "$share/applications/borgdesk.desktop" 644
  put build/linux/borgdesk-mime.xml "$share/mime/packages/borgdesk.xml" 644
  for s in "${sizes[@]}"; do
    put "$gen/icons/app-$s.png" "$share/icons/hicolor/${s}x${s}/apps/borgdesk.png" 644
    for m in "${mimetypes[@]}"; do
      put "$gen/icons/flx-$s.png" "$share/icons/hicolor/${s}x${s}/mimetypes/$m.png" 644
    done
  done
  for m in "$gen"/man/borgdesk.1.gz "$gen"/man/borgdesk-*.1.gz; do
    case "$(basename "$m")" in borgdesk-agent*) continue ;; esac
    put "$m" "$share/man/man1/$(basename "$m")" 644
  done
  link "$share/man/man1/borgdesk-cli.1.gz" borgdesk.1.gz
  put "$gen/completion/borgdesk.bash" "$share/bash-completion/completions/borgdesk" 644
  link "$share/bash-completion/completions/borgdesk-cli" borgdesk
  put "$gen/completion/_borgdesk" "$share/zsh/vendor-completions/_borgdesk" 644
  put "$gen/completion/borgdesk.fish" "$share/fish/vendor_completions.d/borgdesk.fish" 644
  put "$gen/completion/borgdesk-cli.fish" "$share/fish/vendor_completions.d/borgdesk-cli.fish" 644
  put "$gen/systemd/borgdesk.user.service" "$PREFIX/lib/systemd/user/borgdesk.service" 644
  put "$gen/doc-desk/copyright" "$share/doc/borgdesk/copyright" 644
  put "$gen/doc-desk/changelog.gz" "$share/doc/borgdesk/changelog.gz" 644
  put build/package/lintian-borgdesk "$share/lintian/overrides/borgdesk" 644
}

agent_files() {
  local arch="$1" share="$PREFIX/share" t
  put "$bin/borgdesk-agent-linux-$arch" "$PREFIX/bin/borgdesk-agent" 755
  # The FlexPBX tools' names: the agent dispatches on argv[0].
  for t in flexpbx-backup flexpbx-restore flexpbx-migrate; do
    link "$PREFIX/bin/$t" borgdesk-agent
    put "$gen/man/$t.1.gz" "$share/man/man1/$t.1.gz" 644
  done
  put "$gen/systemd/borgdesk-agent.service" "$PREFIX/lib/systemd/system/borgdesk-agent.service" 644
  dir "$SYSCONFDIR/borgdesk-agent" 700
  for m in "$gen"/man/borgdesk-agent.1.gz "$gen"/man/borgdesk-agent-*.1.gz; do
    put "$m" "$share/man/man1/$(basename "$m")" 644
  done
  put "$gen/completion/borgdesk-agent.bash" "$share/bash-completion/completions/borgdesk-agent" 644
  put "$gen/completion/_borgdesk-agent" "$share/zsh/vendor-completions/_borgdesk-agent" 644
  put "$gen/completion/borgdesk-agent.fish" "$share/fish/vendor_completions.d/borgdesk-agent.fish" 644
  put "$gen/doc-agent/copyright" "$share/doc/borgdesk-agent/copyright" 644
  put "$gen/doc-agent/changelog.gz" "$share/doc/borgdesk-agent/changelog.gz" 644
  put build/package/lintian-borgdesk-agent "$share/lintian/overrides/borgdesk-agent" 644
}

mode="${1:-}"
case "$mode" in
  gen) generate ;;
  install|uninstall|nfpm)
    what="${2:-}" arch="${3:-$(go env GOARCH)}"
    [ -d "$gen" ] || { echo "files.sh: $gen is missing; run files.sh gen with the same PREFIX first" >&2; exit 1; }
    case "$what" in
      desk) desk_files ;;
      agent) agent_files "$arch" ;;
      *) echo "files.sh: say desk or agent, not '$what'" >&2; exit 2 ;;
    esac ;;
  *) echo "usage: files.sh gen | install|uninstall|nfpm desk|agent [ARCH]" >&2; exit 2 ;;
esac
