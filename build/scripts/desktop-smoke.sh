#!/usr/bin/env bash
# Smoke test of the real desktop window: under Xvfb, the app's self-test runs
# JavaScript in the window that calls a bound Go method and reports back; the
# binary exits non-zero if the round trip fails. While the window is open we
# take a screenshot and check that the CLI reaches the window's coordinator.
set -euo pipefail

bin="$(realpath "$1")"
out="$(mkdir -p "$2" && realpath "$2")"

if [ "${3:-}" != "--inside-xvfb" ]; then
  data="$(mktemp -d)"
  trap 'rm -rf "$data"' EXIT

  # Without a display the app must say so in one sentence and fail.
  set +e
  msg="$(env -u DISPLAY -u WAYLAND_DISPLAY "$bin" --data "$data" 2>&1)"
  code=$?
  set -e
  if [ "$code" -eq 0 ] || ! grep -q "no graphical display" <<<"$msg"; then
    echo "FAIL: no display: exit $code, output: $msg"; exit 1
  fi
  echo "ok: without a display: $msg"

  BORGDESK_DATA="$data" xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- "$0" "$1" "$2" --inside-xvfb
  exit $?
fi

# wait_for LOG TEXT PID: until LOG has TEXT, the process ends, or 60 s.
wait_for() {
  for _ in $(seq 1 600); do
    grep -q "$2" "$1" && return 0
    kill -0 "$3" 2>/dev/null || break
    sleep 0.1
  done
  grep -q "$2" "$1"
}

log="$out/desktop-selftest.log"
"$bin" --self-test --self-test-hold 5s --listen 127.0.0.1:0 --ssh-listen 127.0.0.1:0 >"$log" 2>&1 &
pid=$!
if ! wait_for "$log" "self-test: ok" "$pid"; then
  wait "$pid" || true
  echo "FAIL: self-test did not pass:"; cat "$log"; exit 1
fi
sleep 1 # let the first paint settle before the screenshot
import -window root "$out/desktop.png"
list="$("$bin" server list --json)"
code=0
wait "$pid" || code=$?
if [ "$code" -ne 0 ]; then echo "FAIL: app exited $code"; cat "$log"; exit 1; fi
if [ "$list" != "[]" ]; then echo "FAIL: CLI against the window's coordinator printed: $list"; exit 1; fi
# A blank (single-colour) screenshot means nothing was painted.
spread="$(convert "$out/desktop.png" -colorspace Gray -format '%[fx:standard_deviation]' info:)"
if awk -v s="$spread" 'BEGIN { exit !(s < 0.02) }'; then
  echo "FAIL: screenshot $out/desktop.png looks blank (grey deviation $spread)"; exit 1
fi
grep "self-test: ok" "$log"
echo "ok: desktop window self-test passed; screenshot $out/desktop.png (grey deviation $spread); CLI reached the window's coordinator"

# A .flx dropped on the window opens the restore view. The drop goes through
# Wails' own file-drop event (the path a real drag from the file manager
# takes into Go); the page then shows the snapshot, verified.
snapdir="$(mktemp -d)"
mkdir -p "$snapdir/src/etc/pbx"
printf 'context=default\npassword=smoke-secret\n' >"$snapdir/src/etc/pbx/pbx.conf"
snap="$("$bin" flx create --root "$snapdir/src" -o "$snapdir" --prefix smoke etc 2>/dev/null | tail -n1)"
log2="$out/desktop-drop.log"
"$bin" --self-test --self-test-drop "$snap" --self-test-hold 4s --listen 127.0.0.1:0 --ssh-listen 127.0.0.1:0 >"$log2" 2>&1 &
pid=$!
if ! wait_for "$log2" "self-test: ok (dropped" "$pid"; then
  wait "$pid" || true
  rm -rf "$snapdir"
  echo "FAIL: dropping a .flx did not open the restore view:"; cat "$log2"; exit 1
fi
sleep 1
import -window root "$out/desktop-flx.png"
code=0
wait "$pid" || code=$?
rm -rf "$snapdir"
if [ "$code" -ne 0 ]; then echo "FAIL: app exited $code after the drop"; cat "$log2"; exit 1; fi
grep "self-test: ok (dropped" "$log2"
echo "ok: a dropped .flx opened the restore view; screenshot $out/desktop-flx.png"
