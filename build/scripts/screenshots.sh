#!/usr/bin/env bash
# README's screenshots are the real window's, taken by make test-desktop
# (build/scripts/desktop-smoke.sh) on its seeded data dir: the dashboard
# and the first backup's five steps. They cannot go stale:
#
#   screenshots.sh check ARTIFACTS    fail when a screenshot in docs/screenshots
#                                     differs from this run's beyond the tolerance
#   screenshots.sh update ARTIFACTS   copy this run's into docs/screenshots
#                                     (make screenshots; commit them)
#
# The same build on the same fonts renders the same pixels, except for what
# a run makes anew: times, archive names and the seed's temporary paths. So
# a pixel counts as different only beyond a colour distance (FUZZ), and a
# screenshot is stale when more than MAX_PERCENT of its pixels are: a page
# redesigned, a step showing another page, a new sidebar entry.
set -euo pipefail

mode="${1:?usage: screenshots.sh check|update ARTIFACTS}"
art="${2:?usage: screenshots.sh check|update ARTIFACTS}"
docs="$(cd "$(dirname "$0")/../.." && pwd)/docs/screenshots"
FUZZ="${SCREENSHOT_FUZZ:-12%}"
MAX_PERCENT="${SCREENSHOT_MAX_PERCENT:-1}"

# docs name <- artifacts name
shots=(
  "dashboard:dashboard-light"
  "add-server:shell-add-server"
  "new-job:shell-new-job"
  "back-up-now:shell-jobs-wide"
  "browse:shell-browse"
  "restore:shell-dialog"
)

# normal SRC DST: the screenshot as kept in docs (no metadata, so the same
# pixels make the same file).
normal() { convert "$1" -strip -define png:exclude-chunks=date,time "$2"; }

case "$mode" in
update)
  mkdir -p "$docs"
  for s in "${shots[@]}"; do
    normal "$art/${s#*:}.png" "$docs/${s%%:*}.png"
    echo "updated docs/screenshots/${s%%:*}.png from $art/${s#*:}.png"
  done
  ;;
check)
  failed=0
  for s in "${shots[@]}"; do
    name="${s%%:*}" new="$art/${s#*:}.png" kept="$docs/${s%%:*}.png"
    if [ ! -f "$kept" ]; then
      echo "FAIL: docs/screenshots/$name.png is missing: run make screenshots and commit docs/screenshots"; failed=1; continue
    fi
    [ -f "$new" ] || { echo "FAIL: this run took no $new"; failed=1; continue; }
    ksize="$(identify -format '%wx%h' "$kept")" nsize="$(identify -format '%wx%h' "$new")"
    if [ "$ksize" != "$nsize" ]; then
      echo "FAIL: docs/screenshots/$name.png is $ksize, the window now renders $nsize: run make screenshots and commit docs/screenshots"; failed=1; continue
    fi
    # compare prints the number of differing pixels on stderr and exits 1
    # when there are any; 2 is an error.
    set +e
    diff="$(compare -metric AE -fuzz "$FUZZ" "$kept" "$new" null: 2>&1)"
    code=$?
    set -e
    if [ "$code" -gt 1 ]; then echo "FAIL: compare $kept $new: $diff"; failed=1; continue; fi
    total="$(identify -format '%[fx:w*h]' "$new")"
    pct="$(awk -v d="${diff%% *}" -v t="$total" 'BEGIN { printf "%.2f", 100 * d / t }')"
    if awk -v p="$pct" -v m="$MAX_PERCENT" 'BEGIN { exit !(p > m) }'; then
      echo "FAIL: docs/screenshots/$name.png no longer shows what the window renders ($pct% of its pixels differ, over $MAX_PERCENT%): run make screenshots and commit docs/screenshots"
      failed=1
    else
      echo "ok: docs/screenshots/$name.png is current ($pct% of pixels differ beyond $FUZZ, at most $MAX_PERCENT%)"
    fi
  done
  exit "$failed"
  ;;
*)
  echo "usage: screenshots.sh check|update ARTIFACTS" >&2; exit 2 ;;
esac
