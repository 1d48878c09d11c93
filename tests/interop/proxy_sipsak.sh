#!/usr/bin/env bash
# sipsak against `sippay proxy`: REGISTER with Digest (a 401, then 200 with
# the contact bound), a wrong password rejected with 403, OPTIONS to the
# proxy itself over UDP and TCP, OPTIONS to merchant relayed to the
# registered SIPp UAS, whose 200 (with its Allow) comes back through the
# proxy, and the same OPTIONS answered 480 after merchant unregisters.
#
# NOTE: sipsak 0.9.8.1 cuts the last digit off a five-digit port in the
# Request-URI and To header field it writes, though it sends to the right
# port. The proxy ignores the port of a local domain's URI, so the test does
# not depend on it. sipsak also needs -u: without it, it sends the Digest
# username "merchant@".
#
# Usage: proxy_sipsak.sh SIPPAY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$interop_dir/proxy_lib.sh"

sippay=$1

require_tools sipsak sipp
interop_init

port=$(free_port)
write_proxy_config "$PWD/proxy.toml" "$port"
start_proxy "$sippay" "$PWD/proxy.toml" "$port"

uas_port=$(free_port)
start_background uas.out uas.err \
  sipp -sf "$interop_dir/sipp/proxy_uas_any.xml" -i 127.0.0.1 -p "$uas_port" -nostdin \
  -default_behaviors all,-bye -trace_logs -log_file uas.log
uas_pid=$last_pid
wait_for_port udp "$uas_port" 10

# REGISTER merchant's contact at the UAS. sipsak sends credentials after the 401.
status=0
run_sipsak register.out -vvv -U -C "sip:merchant@127.0.0.1:$uas_port" -x 3600 -u merchant -a merchantpw \
  -s "sip:merchant@127.0.0.1:$port" || status=$?
expect_equal "$status" 0 "sipsak REGISTER exit status"
grep -qE '^ *SIP/2\.0 401 ' register.out || fail "the first REGISTER got no 401 challenge"
expect_equal "$(sipsak_final_status register.out)" 200 "final status of the REGISTER"
grep -qiE "^(Contact|m):.*127\.0\.0\.1:$uas_port" register.out ||
  fail "the 200 to REGISTER does not list the contact 127.0.0.1:$uas_port"

# A wrong password: 403 for a wrong Digest response.
status=0
run_sipsak wrong.out -vvv -U -C "sip:merchant@127.0.0.1:$uas_port" -x 3600 -u merchant -a wrongpw \
  -s "sip:merchant@127.0.0.1:$port" || status=$?
[[ $status -ne 0 ]] || fail "sipsak REGISTER with a wrong password exited 0"
expect_equal "$(sipsak_final_status wrong.out)" 403 "final status of the REGISTER with a wrong password"

# OPTIONS to the proxy itself, over UDP and TCP.
for transport in udp tcp; do
  status=0
  run_sipsak "options-$transport.out" -vv -E "$transport" -s "sip:127.0.0.1:$port" || status=$?
  expect_equal "$status" 0 "sipsak OPTIONS to the proxy over $transport exit status"
  expect_equal "$(sipsak_final_status "options-$transport.out")" 200 "OPTIONS to the proxy over $transport"
done
expect_equal "$(count_lines uas.log 'got OPTIONS')" 0 "OPTIONS for the proxy that reached the UAS"

# OPTIONS to merchant, relayed to the UAS, which replies 200 with its Allow. The
# request comes from alice, with her credentials: the proxy challenges every
# request whose From is in one of its domains, and sipsak's own From
# (sip:sipsak@127.0.0.1) is no user there.
printf '%s\n' \
  "OPTIONS sip:merchant@127.0.0.1 SIP/2.0" \
  "From: <sip:alice@127.0.0.1>;tag=options-$RANDOM" \
  "To: <sip:merchant@127.0.0.1>" \
  "Call-ID: options-$RANDOM@127.0.0.1" \
  "CSeq: 1 OPTIONS" \
  "Max-Forwards: 70" \
  "Accept: application/sdp" \
  "Content-Length: 0" \
  "" >options.sip
status=0
run_sipsak options-merchant.out -vv -f options.sip -s "sip:merchant@127.0.0.1:$port" -u alice -a alicepw ||
  status=$?
expect_equal "$status" 0 "sipsak OPTIONS to merchant exit status"
expect_equal "$(sipsak_final_status options-merchant.out)" 200 "OPTIONS to merchant"
grep -qE '^Allow: OPTIONS, MESSAGE' options-merchant.out ||
  fail "the 200 to OPTIONS for merchant did not come from the SIPp UAS (no Allow: OPTIONS, MESSAGE)"
wait_for_lines uas.log 'got OPTIONS' 1 10

# Unregister (Expires 0): OPTIONS to merchant then finds no contact.
status=0
run_sipsak unregister.out -vvv -U -C "sip:merchant@127.0.0.1:$uas_port" -x 0 -u merchant -a merchantpw \
  -s "sip:merchant@127.0.0.1:$port" || status=$?
expect_equal "$status" 0 "sipsak REGISTER with Expires 0 exit status"
expect_equal "$(sipsak_final_status unregister.out)" 200 "final status of the REGISTER with Expires 0"
status=0
run_sipsak options-unregistered.out -vv -f options.sip -s "sip:merchant@127.0.0.1:$port" -u alice -a alicepw ||
  status=$?
expect_equal "$(sipsak_final_status options-unregistered.out)" 480 "OPTIONS to merchant after unregistering"
expect_equal "$(count_lines uas.log 'got OPTIONS')" 1 "OPTIONS that reached the UAS"

stop_process "$uas_pid" 10 USR1 || true
proxy_status=0
stop_process "$proxy_pid" 10 || proxy_status=$?
expect_equal "$proxy_status" 0 "sippay proxy exit status after SIGTERM"
echo "PASS: sipsak REGISTER with Digest, OPTIONS over UDP and TCP, relayed OPTIONS and unregister"
