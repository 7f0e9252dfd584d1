#!/usr/bin/env bash
# make bench: Go micro-benchmarks (medians and ratios), the agent gateway
# load test, backups, rollout, .flx, the catalog, replication and the
# dashboard in the real window (needs the desktop binary: make bench builds
# it); raw output and reports are kept in $1.
set -euo pipefail
out="${1:-artifacts}"
mkdir -p "$out"
count="${BENCH_COUNT:-5}"
echo "bench: $(nproc) cores, $(go version | cut -d' ' -f3), count=$count, load average $(cut -d' ' -f1-3 /proc/loadavg)"
go test -run '^$' -bench . -benchmem -count "$count" ./... | tee "$out/bench-raw.txt" | grep -E '^(Benchmark|ok|FAIL)' || true
echo
go run ./build/benchreport <"$out/bench-raw.txt" | tee "$out/bench-report.txt"
echo
echo "agent gateway load test (${BENCH_AGENTS:-10000} simulated agents over mTLS on 127.0.0.1, heartbeats at the production 60 s, then a coordinator restart under them):"
go run ./build/benchgateway -agents "${BENCH_AGENTS:-10000}" -heartbeat 60s -hold 60s -settle 20s | tee "$out/bench-gateway.txt"
echo
echo "backup orchestration (${BENCH_MB:-400} MiB generated tree, real borg, agent process, Borg SSH server and OpenSSH's sshd on 127.0.0.1) and a ${BENCH_RESTORE_MB:-1024} MiB restore against borg extract:"
go run ./build/benchbackup -mb "${BENCH_MB:-400}" -restore-mb "${BENCH_RESTORE_MB:-1024}" | tee "$out/bench-backup.txt"
echo
echo "SSH rollout (real sshd in network namespaces; needs root):"
BORGDESK_BENCH_ROLLOUT=1 go test -count=1 -run '^TestRolloutTimings$' -v ./app 2>&1 | grep -E '^(rollout|---|FAIL|ok)|hosts made' | tee "$out/bench-rollout.txt"
echo
echo ".flx snapshots (create, verify, restore against sha256+base64 of the same files; peak memory per size):"
go run ./build/benchflx -mb "${BENCH_FLX_MB:-256,1024}" -rounds "${BENCH_FLX_ROUNDS:-3}" | tee "$out/bench-flx.txt"
echo
echo "file catalog (${BENCH_CATALOG_ARCHIVES:-10} generated archives of ${BENCH_CATALOG_FILES:-1000000} entries over two servers):"
go run ./build/benchcatalog -files "${BENCH_CATALOG_FILES:-1000000}" -archives "${BENCH_CATALOG_ARCHIVES:-10}" | tee "$out/bench-catalog.txt"
echo
echo "replication (a real borg repository of ${BENCH_REPL_MB:-256} MiB of data; rclone to a local directory and to a real sshd in a network namespace, against cp -a and rsync; needs root):"
BORGDESK_BENCH_REPLICATE=1 BENCH_REPL_MB="${BENCH_REPL_MB:-256}" go test -count=1 -run '^TestReplicationThroughput$' -v ./backend/shared/replicate 2>&1 | grep -E '^(replication|---|FAIL|ok)' | tee "$out/bench-replication.txt"
echo
echo "dashboard in the real window (500 servers and 100,000 runs against 5 servers; the desktop binary under Xvfb):"
if ! xvfb-run -a -s "-screen 0 1280x800x24" dbus-run-session -- go run ./build/benchdash -bin "${BORGDESK_BIN:-build/bin/borgdesk}" \
  -rounds "${BENCH_DASH_ROUNDS:-3}" -raw "$out/bench-dashboard-raw.jsonl" 2>"$out/bench-dashboard.log" |
  grep --line-buffered -v '^SpiRegistry daemon' | tee "$out/bench-dashboard.txt"; then
  echo "the dashboard bench failed; the end of $out/bench-dashboard.log:"
  tail -n 30 "$out/bench-dashboard.log"
  exit 1
fi
