#!/usr/bin/env bash
# sipsak sends OPTIONS to `sippay ua listen` over UDP and over TCP. sipsak
# must exit 0 (a 200 arrived), and the 200 must list MESSAGE and OPTIONS in
# Allow and come from sippay.
#
# NOTE: sipsak 0.9.8.1 cuts the last digit off a five-digit port in the
# Request-URI and To header field it writes, though it sends to the right
# port. sippay replies to OPTIONS whatever the Request-URI's port, so the
# test does not depend on it.
#
# Usage: sipsak_options.sh SIPPAY
source "$(dirname "$0")/lib.sh"

sippay=$1

require_tools sipsak
interop_init

start_listen listen "$sippay" --bind udp:127.0.0.1:0 --bind tcp:127.0.0.1:0
udp_port=$(listening_port listen.out udp)
tcp_port=$(listening_port listen.out tcp)

# Usage: check_reply FILE TRANSPORT
check_reply() {
  local file=$1 transport=$2
  grep -qE '^SIP/2.0 200 OK' "$file" || fail "no 200 OK in sipsak's output over $transport"
  grep -qE "^Via: SIP/2.0/$transport " "$file" || fail "the reply over $transport has no $transport Via"
  grep -qE '^Server: sippay/' "$file" || fail "the reply over $transport has no Server: sippay/..."
  local allow
  allow=$(grep -E '^Allow:' "$file" | head -n 1)
  [[ -n $allow ]] || fail "the reply over $transport has no Allow header field"
  [[ $allow == *MESSAGE* ]] || fail "Allow over $transport lacks MESSAGE: $allow"
  [[ $allow == *OPTIONS* ]] || fail "Allow over $transport lacks OPTIONS: $allow"
}

status=0
timeout 20 sipsak -vv -s "sip:uas@127.0.0.1:$udp_port" >sipsak_udp.out 2>&1 || status=$?
expect_equal "$status" 0 "sipsak exit status over UDP"
check_reply sipsak_udp.out UDP

status=0
timeout 20 sipsak -vv -E tcp -s "sip:uas@127.0.0.1:$tcp_port" >sipsak_tcp.out 2>&1 || status=$?
expect_equal "$status" 0 "sipsak exit status over TCP"
check_reply sipsak_tcp.out TCP

listen_status=0
stop_process "$listen_pid" || listen_status=$?
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"
expect_equal "$(count_lines listen.out '"event":"message"')" 0 "message events for OPTIONS"

echo "PASS: sipsak OPTIONS over UDP and TCP got 200 with Allow: MESSAGE, OPTIONS"
