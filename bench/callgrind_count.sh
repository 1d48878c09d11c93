#!/usr/bin/env bash
# Counts the instructions each library executes per parse of the benchmark's
# sample message, under valgrind's callgrind. Unlike the timed benchmark, the
# count does not depend on the machine's load, so it compares parsers on a
# busy machine too. The count covers parsing, reading the proxy's headers and
# freeing, as in the timed benchmark. It does not show cache misses or branch
# mispredictions.
#
# Usage: bench/callgrind_count.sh [SIPPAY_BENCH] [COUNT]
#   SIPPAY_BENCH  the benchmark binary (default: build-bench/bench/sippay_bench)
#   COUNT         parses per library (default: 2000)
set -euo pipefail

binary=${1:-build-bench/bench/sippay_bench}
count=${2:-2000}

if [[ ! -x $binary ]]; then
  echo "callgrind_count: $binary not found or not executable; run 'make bench' first or pass its path" >&2
  exit 1
fi
if ! command -v valgrind >/dev/null; then
  echo "callgrind_count: valgrind not found; install the Debian package valgrind" >&2
  exit 1
fi

out_dir=$(mktemp -d)
trap 'rm -rf "$out_dir"' EXIT

printf '%-14s %14s\n' library instructions/parse
for library in sippay sippay_fresh osip2 sofia; do
  out_file="$out_dir/$library.out"
  valgrind --tool=callgrind --callgrind-out-file="$out_file" \
    --toggle-collect=sippay_bench_parse_loop --collect-atstart=no \
    "$binary" --callgrind-loop "$library" "$count" >/dev/null 2>"$out_dir/$library.log" || {
    echo "callgrind_count: valgrind failed for $library; its log follows" >&2
    cat "$out_dir/$library.log" >&2
    exit 1
  }
  # The totals line contains the instructions executed while collection was on:
  # the COUNT parses plus the one warm-up parse before them.
  total=$(awk '/^(totals|summary):/ { print $2; exit }' "$out_file")
  printf '%-14s %14d\n' "$library" $((total / (count + 1)))
done
