#!/usr/bin/env bash
# make bench: runs the Go benchmarks several times and prints a report of
# medians and ratios; the raw output and the report are kept in $1.
set -euo pipefail
out="${1:-artifacts}"
mkdir -p "$out"
count="${BENCH_COUNT:-5}"
echo "bench: $(nproc) cores, $(go version | cut -d' ' -f3), count=$count"
go test -run '^$' -bench . -benchmem -count "$count" ./... | tee "$out/bench-raw.txt" | grep -E '^(Benchmark|ok|FAIL)' || true
echo
go run ./build/benchreport <"$out/bench-raw.txt" | tee "$out/bench-report.txt"
