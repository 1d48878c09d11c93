#!/usr/bin/env bash
# Checks that `sippay ua listen` given SIGTERM stops listening and exits 0
# within its shutdown limit, after answering a MESSAGE sent just before.
#
# Usage: check_ua_shutdown.sh SIPPAY_BINARY
set -euo pipefail

sippay=$1
work=$(mktemp -d)
listener=""
cleanup() {
  [[ -n "$listener" ]] && kill -KILL "$listener" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

"$sippay" ua listen --bind udp:127.0.0.1:0 >"$work/out" 2>"$work/err" &
listener=$!
for _ in $(seq 100); do
  grep -q '"event":"listening"' "$work/out" 2>/dev/null && break
  sleep 0.05
done
address=$(sed -n 's/.*"address":"udp:\([0-9.]*:[0-9]*\)".*/\1/p' "$work/out" | head -1)
if [[ -z "$address" ]]; then
  echo "FAIL: the listener printed no address"; cat "$work/err"; exit 1
fi

printf 'before shutdown' >"$work/body"
"$sippay" ua send --to "sip:merchant@$address" --body-file "$work/body" >"$work/send.out" 2>"$work/send.err"
grep -qx '200 OK' "$work/send.out" || { echo "FAIL: send did not get 200"; cat "$work/send.err"; exit 1; }

kill -TERM "$listener"
status=0
for _ in $(seq 100); do
  kill -0 "$listener" 2>/dev/null || break
  sleep 0.1
done
if kill -0 "$listener" 2>/dev/null; then
  echo "FAIL: the listener still runs 10 s after SIGTERM"; exit 1
fi
wait "$listener" || status=$?
listener=""
if [[ $status -ne 0 ]]; then
  echo "FAIL: exit status $status after SIGTERM"; cat "$work/err"; exit 1
fi
grep -q '"body_length":15' "$work/out" || { echo "FAIL: the MESSAGE was not reported"; cat "$work/out"; exit 1; }
echo "listener answered, then exited 0 on SIGTERM"
