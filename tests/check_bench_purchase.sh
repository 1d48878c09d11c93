#!/usr/bin/env bash
# Smoke test of `sippay bench purchase`: a short run with 2 customers must
# settle purchases, fail none and pass every ledger check. It checks no
# speed, because the machine running the tests may be busy.
#
# Usage: check_bench_purchase.sh SIPPAY_BINARY
set -euo pipefail

sippay=$1
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

status=0
"$sippay" bench purchase --customers 2 --duration 2 --warmup 1 --floor-time 10 --dir "$work/deployment" \
  >"$work/out" 2>"$work/err" || status=$?
if [[ $status -ne 0 ]]; then
  echo "FAIL: sippay bench purchase exited with status $status"
  cat "$work/out" "$work/err"
  tail -20 "$work"/deployment/logs/*.err 2>/dev/null || true
  exit 1
fi

json=$(grep '^{"benchmark":"purchase"' "$work/out" || true)
if [[ -z "$json" ]]; then
  echo "FAIL: no JSON result line"; cat "$work/out"; exit 1
fi
python3 - "$json" <<'PY'
import json, sys
result = json.loads(sys.argv[1])
problems = []
if result["window_settled"] < 1:
    problems.append(f"no purchase settled in the window: {result['window_settled']}")
if result["failed"] != 0:
    problems.append(f"{result['failed']} purchases failed")
if result["ledger_ok"] is not True:
    problems.append("a ledger check failed")
for side in ("customer", "merchant", "gateway"):
    if not result["crypto_us"][side] > 0:
        problems.append(f"no crypto cost measured for the {side}")
# The floor keeps each operation's faster measurement, so it is at least
# as high as either measurement alone.
before, after, floor = result["floor_before_per_s"], result["floor_after_per_s"], result["floor_per_s"]
if not (before > 0 and after > 0):
    problems.append(f"a floor measurement is missing: before {before}, after {after}")
elif floor < max(before, after) * (1 - 1e-9):
    problems.append(f"the floor {floor}/s is below one of its measurements ({before}/s, {after}/s)")
if abs(result["floor_ratio"] - result["settled_per_s"] / floor) > 1e-9:
    problems.append(f"floor_ratio {result['floor_ratio']} is not settled_per_s / floor_per_s")
if not result["p50_ms"] > 0:
    problems.append("no latency measured")
if problems:
    print("FAIL: " + "; ".join(problems))
    sys.exit(1)
PY
grep -q 'posted payment transfers .*: ok' "$work/out" || { echo "FAIL: the ledger line is missing"; cat "$work/out"; exit 1; }
grep -q 'sippay accounts check: ' "$work/out" || { echo "FAIL: no accounts check"; cat "$work/out"; exit 1; }
grep -q "lower of the two, per operation" "$work/out" || { echo "FAIL: no floor taken from the two measurements"; cat "$work/out"; exit 1; }
echo "ok: $json"
