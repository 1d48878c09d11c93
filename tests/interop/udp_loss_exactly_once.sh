#!/usr/bin/env bash
# Retransmission under loss over UDP: `sippay ua send`, repeated with a
# distinct From and body each time, reaches `sippay ua listen` through
# lossy_udp_relay, which drops 30% of the datagrams in each direction and
# sends 10% twice. Every send must end with 200, and the listener must hand
# each MESSAGE to its handler exactly once.
#
# Both sides run with T1 = 50 ms so that retransmissions come fast. The
# relay drops a given datagram (and its byte-identical retransmissions) at
# most twice, so a transaction completes by its fifth request, long before
# Timer F; see lossy_udp_relay.cpp.
#
# Usage: udp_loss_exactly_once.sh SIPPAY LOSSY_UDP_RELAY
source "$(dirname "$0")/lib.sh"

sippay=$1
relay=$2
sends=60
parallel_sends=6
t1_ms=50
seed=${SIPPAY_LOSS_SEED:-1}

interop_init

start_listen listen "$sippay" --bind udp:127.0.0.1:0 --t1-ms "$t1_ms"
listen_port=$(listening_port listen.out udp)

start_background relay.out relay.err "$relay" --listen 127.0.0.1:0 --target "127.0.0.1:$listen_port" \
  --drop-rate 0.3 --duplicate-rate 0.1 --max-drops-per-datagram 2 --seed "$seed" \
  --port-file relay.port
relay_pid=$last_pid
for ((tick = 0; tick < 100; tick++)); do
  [[ -s relay.port ]] && break
  sleep 0.1
done
[[ -s relay.port ]] || fail "lossy_udp_relay wrote no port file"
relay_port=$(cat relay.port)

# Sends message number I and records its exit status in send-I.status.
send_one() {
  local i=$1 status=0
  printf 'payment %d of %d\n' "$i" "$sends" >"body-$i.txt"
  timeout 30 "$sippay" ua send --t1-ms "$t1_ms" --to "sip:merchant@127.0.0.1:$relay_port" \
    --from "sip:payer-$i@127.0.0.1" --content-type text/plain --body-file "body-$i.txt" \
    >"send-$i.out" 2>"send-$i.err" || status=$?
  echo "$status" >"send-$i.status"
}

batch=()
for ((i = 1; i <= sends; i++)); do
  send_one "$i" &
  batch+=("$!")
  if ((${#batch[@]} == parallel_sends || i == sends)); then
    wait "${batch[@]}"
    batch=()
  fi
done

relay_status=0
stop_process "$relay_pid" || relay_status=$?
listen_status=0
stop_process "$listen_pid" || listen_status=$?
expect_equal "$relay_status" 0 "lossy_udp_relay exit status"
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"

failed_sends=()
for ((i = 1; i <= sends; i++)); do
  if [[ $(cat "send-$i.status") != 0 || $(cat "send-$i.out") != "200 OK" ]]; then
    failed_sends+=("$i ($(tail -n 1 "send-$i.err"))")
  fi
done
((${#failed_sends[@]} == 0)) ||
  fail "${#failed_sends[@]} of $sends sends did not end with 200 OK: ${failed_sends[*]}"

expect_equal "$(count_lines listen.out '"event":"message"')" "$sends" "message events"
for ((i = 1; i <= sends; i++)); do
  events=$(count_lines listen.out "\"from\":\"<sip:payer-$i@127.0.0.1>;")
  expect_equal "$events" 1 "message events from payer-$i"
  body_length=$(stat -c %s "body-$i.txt")
  grep -F "\"from\":\"<sip:payer-$i@127.0.0.1>;" listen.out |
    grep -qF "\"content_type\":\"text/plain\",\"body_length\":$body_length," ||
    fail "the message event from payer-$i lacks text/plain and body_length $body_length"
done

# The relay must really have dropped and duplicated datagrams both ways,
# else the test proved nothing about retransmission.
stats=$(cat relay.out)
echo "relay counters: $stats"
counter() {
  sed -nE "s/.*\"$1\":\\{[^}]*\"$2\":([0-9]+).*/\\1/p" <<<"$stats"
}
for direction in to_target to_client; do
  for name in dropped duplicated; do
    value=$(counter "$direction" "$name")
    [[ -n $value && $value -gt 0 ]] || fail "relay counter $direction.$name is ${value:-missing}: $stats"
  done
done
# More requests reached the listener than there were messages, so the
# exactly-once counts above show that it absorbed retransmissions and copies.
delivered_requests=$(($(counter to_target forwarded) + $(counter to_target duplicated)))
((delivered_requests > sends)) ||
  fail "the listener received $delivered_requests requests for $sends messages, so no retransmission or copy reached it"

echo "PASS: $sends MESSAGEs through 30% loss with duplicates, each delivered once"
