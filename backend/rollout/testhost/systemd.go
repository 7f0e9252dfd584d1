package testhost

import (
	"context"
	"testing"
)

// fakeSystemctl is enough of systemctl for a unit with one ExecStart: the
// command runs in its own session under a restart loop (Restart=always),
// its process group id in /run/testhost-systemd/UNIT.pid and its output in
// UNIT.log beside it.
const fakeSystemctl = `#!/bin/sh
# testhost: a stand-in for systemctl (daemon-reload, enable, disable [--now],
# start, stop, restart, is-active); the host has no systemd.
set -u
state=/run/testhost-systemd
mkdir -p "$state"
verb=${1:-}; [ $# -gt 0 ] && shift
now=no
if [ "${1:-}" = --now ]; then now=yes; shift; fi
unit=${1:-}; unit=${unit%.service}
stop() {
  if [ -f "$state/$unit.pid" ]; then kill -TERM -"$(cat "$state/$unit.pid")" 2>/dev/null; rm -f "$state/$unit.pid"; fi
}
start() {
  cmd=$(sed -n 's/^ExecStart=//p' "/etc/systemd/system/$unit.service" 2>/dev/null | head -n1)
  [ -n "$cmd" ] || { echo "Unit $unit.service not found." >&2; exit 5; }
  setsid sh -c 'echo $$ > "$1"; shift; while :; do "$@"; sleep 1; done' sh "$state/$unit.pid" $cmd </dev/null >>"$state/$unit.log" 2>&1 &
  sleep 0.2
}
case $verb in
  daemon-reload) ;;
  enable) if [ $now = yes ]; then stop; start; fi ;;
  disable) if [ $now = yes ]; then stop; fi ;;
  stop) stop ;;
  start|restart) stop; start ;;
  is-active) [ -f "$state/$unit.pid" ] ;;
  *) echo "testhost systemctl: $verb is not simulated" >&2; exit 1 ;;
esac
`

// FakeSystemd makes the host look as if systemd ran it: /run/systemd/system
// exists and /usr/local/sbin/systemctl (first in root's PATH and sudo's
// secure_path) starts, stops and restarts units with one ExecStart. Use it
// to exercise a rollout's systemd path; nothing else of systemd is there.
func (h *Host) FakeSystemd(t testing.TB) {
	t.Helper()
	script := `set -e; mkdir -p /run/systemd/system /usr/local/sbin /etc/systemd/system; cat > /usr/local/sbin/systemctl; chmod 0755 /usr/local/sbin/systemctl`
	if out, err := h.execInput(context.Background(), fakeSystemctl, "sh", "-c", script); err != nil {
		t.Fatalf("testhost: a stand-in systemd on %s: %v %s", h.Name, err, out)
	}
}
