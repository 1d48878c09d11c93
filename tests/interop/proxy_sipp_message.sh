#!/usr/bin/env bash
# SIPp UAs register with Digest at `sippay proxy` and exchange MESSAGE
# through it. A SIPp UAS replies 200 to MESSAGE, and its address is
# registered as merchant's contact. A SIPp UAC registers as alice, then
# sends COUNT MESSAGEs to merchant through the proxy, each retried with
# alice's credentials after a 407. Every MESSAGE must get 200 at the UAC and reach the UAS once,
# with its body length intact and the proxy's Via above the UAC's.
#
# The body is base64 text, because SIPp 3.6.1 cuts a binary body at its
# first NUL byte in a request that carries Digest credentials. SIPp puts
# sip:HOST:PORT in the Digest uri unless -auth_uri names the Request-URI,
# and the proxy rejects a uri that differs from the Request-URI with 400.
#
# Usage: proxy_sipp_message.sh SIPPAY udp|tcp
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$interop_dir/proxy_lib.sh"

sippay=$1
transport=$2
count=200
sipp_transport=u1
[[ $transport == tcp ]] && sipp_transport=t1

require_tools sipp
interop_init

port=$(free_port)
write_proxy_config "$PWD/proxy.toml" "$port"
start_proxy "$sippay" "$PWD/proxy.toml" "$port"

base64 -w 0 "$interop_dir/sipp/body.p7m" >body.b64
body_length=$(stat -c %s body.b64)

# The UAS stops by itself after COUNT calls.
uas_port=$(free_port)
start_background uas.out uas.err \
  sipp -sf "$interop_dir/sipp/uas_message.xml" -i 127.0.0.1 -p "$uas_port" -t "$sipp_transport" \
  -m "$count" -nostdin -default_behaviors all,-bye -trace_logs -log_file uas.log \
  -trace_msg -message_file uas_messages.log -trace_stat -stf uas.csv
uas_pid=$last_pid
wait_for_port "$transport" "$uas_port" 10

sipp_register merchant merchantpw "127.0.0.1:$uas_port;transport=$transport" "$port"

uac_port=$(free_port)
sipp_register alice alicepw "127.0.0.1:$uac_port;transport=$transport" "$port"

status=0
timeout 90 sipp -sf "$interop_dir/sipp/proxy_uac_message_b64.xml" -key bodyfile "$PWD/body.b64" \
  -key caller alice -s merchant -au alice -ap alicepw -auth_uri "merchant@127.0.0.1:$port" \
  -i 127.0.0.1 -p "$uac_port" -t "$sipp_transport" \
  "127.0.0.1:$port" -r 50 -m "$count" -nostdin -default_behaviors all,-bye -timeout 60s -timeout_error \
  -trace_stat -stf uac.csv -trace_counts >uac.out 2>uac.err || status=$?
expect_equal "$status" 0 "SIPp UAC exit status"
expect_equal "$(sipp_stat uac.csv 'SuccessfulCall(C)')" "$count" "MESSAGEs answered with 200 at the UAC"
expect_equal "$(sipp_stat uac.csv 'FailedCall(C)')" 0 "failed MESSAGEs at the UAC"
# Scenario rows: 3 is the 407, 7 the 200 after the credentials.
counts=$(ls proxy_uac_message_b64_*_counts.csv)
expect_equal "$(sipp_stat "$counts" 3_407_Recv)" "$count" "407 challenges received by the UAC"
expect_equal "$(sipp_stat "$counts" 7_200_Recv)" "$count" "200 responses to authenticated MESSAGEs"

wait_for_lines uas.log '^MESSAGE ct=' "$count" 30
expect_equal "$(grep -c "^MESSAGE ct=application/pkcs7-mime len=$body_length\$" uas.log)" "$count" \
  "MESSAGEs at the UAS with Content-Length $body_length"
uas_status=0
stop_process "$uas_pid" 10 || uas_status=$?
expect_equal "$uas_status" 0 "SIPp UAS exit status"
expect_equal "$(sipp_stat uas.csv 'SuccessfulCall(C)')" "$count" "MESSAGEs answered by the UAS"

# The first relayed MESSAGE: the proxy's Via on top, the UAC's below it.
first=$(awk '/^MESSAGE sip:/ { inside = 1 } inside { print } inside && /^\r?$/ { exit }' uas_messages.log)
vias=$(grep -ciE '^(Via|v):' <<<"$first" || true)
expect_equal "$vias" 2 "Via header fields in the MESSAGE at the UAS"
top_via=$(grep -iE '^(Via|v):' <<<"$first" | head -n 1)
second_via=$(grep -iE '^(Via|v):' <<<"$first" | sed -n 2p)
[[ $top_via == *"127.0.0.1:$port"* && $top_via == *"branch=z9hG4bK"* ]] ||
  fail "the top Via at the UAS is not the proxy's (127.0.0.1:$port, RFC 3261 branch): $top_via"
[[ $second_via == *"127.0.0.1:$uac_port"* ]] || fail "the second Via at the UAS is not the UAC's: $second_via"

proxy_counters counters.json
forwarded=$(json_number counters.json forwarded)
[[ $forwarded != missing && $forwarded -ge $count ]] ||
  fail "the proxy counted $forwarded forwarded requests, fewer than the $count MESSAGEs: $(cat counters.json)"

proxy_status=0
stop_process "$proxy_pid" 10 || proxy_status=$?
expect_equal "$proxy_status" 0 "sippay proxy exit status after SIGTERM"
echo "PASS: $count MESSAGEs over $transport from a SIPp UAC answered 407 and reached the SIPp UAS through sippay proxy"
