#!/usr/bin/env bash
# need.sh COMMAND... -- PROGRAM ARGS...: runs PROGRAM when every COMMAND is
# installed. When one is missing it says so and fails, so `make test` never
# passes by not running; with BORGDESK_TEST_ALLOW_SKIP=1 (the opt-out the Go
# tests share, see backend/shared/testenv) it prints a SKIP line and succeeds.
set -euo pipefail

missing=()
while [ $# -gt 0 ] && [ "$1" != "--" ]; do
  command -v "$1" >/dev/null 2>&1 || missing+=("$1")
  shift
done
[ "${1:-}" = "--" ] || { echo "usage: need.sh COMMAND... -- PROGRAM ARGS..." >&2; exit 2; }
shift

if [ ${#missing[@]} -gt 0 ]; then
  if [ "${BORGDESK_TEST_ALLOW_SKIP:-}" = 1 ]; then
    echo "SKIP: $* (not installed: ${missing[*]}; skipped: BORGDESK_TEST_ALLOW_SKIP=1)"
    exit 0
  fi
  echo "FAIL: $* needs ${missing[*]}, not installed (make deps-test installs it; set BORGDESK_TEST_ALLOW_SKIP=1 to skip tests whose tools are missing)" >&2
  exit 1
fi
exec "$@"
