#!/usr/bin/env bash
# Requests that `sippay proxy` must reject, sent by sipsak from files, each
# with alice's credentials so that a 407 is answered and the rejection that
# follows is the one under test:
#
#   Max-Forwards: 0                          483 Too Many Hops
#   MESSAGE to a user with no credentials    404 Not Found
#   MESSAGE to bob, who never registered     480 Temporarily Unavailable
#   a 2,000-byte body, limit 1,500 bytes     513 Message Too Large
#   From alice, credentials of bob           403 Forbidden
#
# A MESSAGE from alice to merchant with the same setup gets 200 first, and
# the SIPp UAS registered as merchant receives that one MESSAGE and no other.
#
# Usage: proxy_rejections.sh SIPPAY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$interop_dir/proxy_lib.sh"

sippay=$1
max_message_bytes=1500

require_tools sipsak sipp
interop_init

port=$(free_port)
PROXY_MAX_MESSAGE_BYTES=$max_message_bytes write_proxy_config "$PWD/proxy.toml" "$port"
start_proxy "$sippay" "$PWD/proxy.toml" "$port"

uas_port=$(free_port)
start_background uas.out uas.err \
  sipp -sf "$interop_dir/sipp/proxy_uas_any.xml" -i 127.0.0.1 -p "$uas_port" -nostdin \
  -default_behaviors all,-bye -trace_logs -log_file uas.log
uas_pid=$last_pid
wait_for_port udp "$uas_port" 10
sipp_register merchant merchantpw "127.0.0.1:$uas_port;transport=udp" "$port"

# Writes a MESSAGE request to FILE. sipsak adds the Via and the CRs.
# Usage: write_message FILE TO_USER FROM_USER MAX_FORWARDS BODY
write_message() {
  local file=$1 to=$2 from=$3 max_forwards=$4 body=$5
  printf '%s\n' \
    "MESSAGE sip:$to@127.0.0.1 SIP/2.0" \
    "From: <sip:$from@127.0.0.1>;tag=$RANDOM" \
    "To: <sip:$to@127.0.0.1>" \
    "Call-ID: $(basename "$file" .sip)-$RANDOM@127.0.0.1" \
    "CSeq: 1 MESSAGE" \
    "Max-Forwards: $max_forwards" \
    "Content-Type: text/plain" \
    "Content-Length: ${#body}" \
    "" >"$file"
  printf '%s' "$body" >>"$file"
}

# Sends FILE through the proxy with sipsak as USER (password USERpw) and
# checks the final status code it received.
# Usage: expect_final FILE USER EXPECTED_STATUS
expect_final() {
  local file=$1 user=$2 expected=$3 output=${1%.sip}.out
  run_sipsak "$output" -vv -f "$file" -s "sip:merchant@127.0.0.1:$port" -u "$user" -a "${user}pw" || true
  expect_equal "$(sipsak_final_status "$output")" "$expected" "final status for $file"
}

write_message control.sip merchant alice 70 'pay 12.50 EUR to merchant'
expect_final control.sip alice 200
wait_for_lines uas.log 'got MESSAGE' 1 10

write_message max_forwards_zero.sip merchant alice 0 'pay 12.50 EUR to merchant'
expect_final max_forwards_zero.sip alice 483

write_message unknown_user.sip nobody alice 70 'pay 12.50 EUR to nobody'
expect_final unknown_user.sip alice 404

write_message unregistered.sip bob alice 70 'pay 12.50 EUR to bob'
expect_final unregistered.sip alice 480

write_message oversized.sip merchant alice 70 "$(head -c 2000 /dev/zero | tr '\0' x)"
[[ $(stat -c %s oversized.sip) -gt $max_message_bytes ]] || fail "oversized.sip is not over the limit"
expect_final oversized.sip alice 513

write_message identity_mismatch.sip merchant alice 70 'pay 12.50 EUR to merchant'
expect_final identity_mismatch.sip bob 403

stop_process "$uas_pid" 10 USR1 || true
expect_equal "$(count_lines uas.log 'got MESSAGE')" 1 "MESSAGEs that reached the UAS"

# Each rejection is counted under its reason. A counter may exceed 1 when
# sipsak retransmitted over UDP before the reply came.
proxy_counters counters.json
for counter in too_many_hops not_found unavailable message_too_large identity_mismatch; do
  value=$(json_number counters.json "$counter")
  [[ $value != missing && $value -ge 1 ]] || fail "counter $counter is $value, expected at least 1: $(cat counters.json)"
done
proxy_status=0
stop_process "$proxy_pid" 10 || proxy_status=$?
expect_equal "$proxy_status" 0 "sippay proxy exit status after SIGTERM"
echo "PASS: 483, 404, 480, 513 and 403 received by sipsak, and only the control MESSAGE relayed"
