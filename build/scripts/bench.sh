#!/usr/bin/env bash
# make bench: Go micro-benchmarks (medians and ratios) and the agent gateway
# load test; raw output and reports are kept in $1.
set -euo pipefail
out="${1:-artifacts}"
mkdir -p "$out"
count="${BENCH_COUNT:-5}"
echo "bench: $(nproc) cores, $(go version | cut -d' ' -f3), count=$count"
go test -run '^$' -bench . -benchmem -count "$count" ./... | tee "$out/bench-raw.txt" | grep -E '^(Benchmark|ok|FAIL)' || true
echo
go run ./build/benchreport <"$out/bench-raw.txt" | tee "$out/bench-report.txt"
echo
echo "agent gateway load test (${BENCH_AGENTS:-2000} simulated agents over mTLS on 127.0.0.1):"
go run ./build/benchgateway -agents "${BENCH_AGENTS:-2000}" | tee "$out/bench-gateway.txt"
echo
echo "backup orchestration (${BENCH_MB:-400} MiB generated tree, real borg, agent process, Borg SSH server on 127.0.0.1):"
go run ./build/benchbackup -mb "${BENCH_MB:-400}" | tee "$out/bench-backup.txt"
echo
echo "SSH rollout (real sshd in network namespaces; needs root):"
BORGDESK_BENCH_ROLLOUT=1 go test -count=1 -run '^TestRolloutTimings$' -v ./app 2>&1 | grep -E '^(rollout|---|FAIL|ok)|hosts made' | tee "$out/bench-rollout.txt"
echo
echo ".flx snapshots (create, verify, restore against sha256+base64 of the same files; peak memory per size):"
go run ./build/benchflx -mb "${BENCH_FLX_MB:-256,1024}" | tee "$out/bench-flx.txt"
echo
echo "file catalog (${BENCH_CATALOG_ARCHIVES:-10} generated archives of ${BENCH_CATALOG_FILES:-1000000} entries over two servers):"
go run ./build/benchcatalog -files "${BENCH_CATALOG_FILES:-1000000}" -archives "${BENCH_CATALOG_ARCHIVES:-10}" | tee "$out/bench-catalog.txt"
echo
echo "replication (a real borg repository of ${BENCH_REPL_MB:-256} MiB of data; rclone to a local directory and to a real sshd in a network namespace, against cp -a and rsync; needs root):"
BORGDESK_BENCH_REPLICATE=1 BENCH_REPL_MB="${BENCH_REPL_MB:-256}" go test -count=1 -run '^TestReplicationThroughput$' -v ./backend/replicate 2>&1 | grep -E '^(replication|---|FAIL|ok)' | tee "$out/bench-replication.txt"
