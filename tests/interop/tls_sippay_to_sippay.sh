#!/usr/bin/env bash
# Mutual TLS between two sippay UAs, with a test PKI made here by the
# openssl CLI (P-256 keys):
#  - `ua send` with a client certificate reaches a `ua listen` that requires
#    one, by a sips: URI and by sip:...;transport=tls with host localhost;
#  - the listener rejects a client certificate from another CA;
#  - the listener rejects clients without a certificate: `ua send` and
#    openssl s_client;
#  - a client that trusts only another CA rejects the server.
#
# Usage: tls_sippay_to_sippay.sh SIPPAY
source "$(dirname "$0")/lib.sh"

sippay=$1

require_tools openssl
interop_init

make_test_pki
printf 'pay 12.50 EUR to merchant\n' >body.txt
body_length=$(stat -c %s body.txt)

start_listen listen "$sippay" --bind tls:127.0.0.1:0 --cert server.crt --key server.key --ca ca.crt \
  --require-client-cert
port=$(listening_port listen.out tls)

# Sends body.txt from USER, with any further `ua send` options. Leaves the
# exit status in send_status and the output in USER.out and USER.err.
# Timer F is 64*T1, so --t1-ms 50 bounds a send with no reply to 3.2 s.
# NOTE: a client whose certificate the listener rejects waits for Timer F,
# because TLS 1.3 lets it send before the server checks its certificate,
# and sippay does not fail a transaction when its connection closes.
# Usage: send_as USER TO [OPTION...]
send_as() {
  local user=$1 to=$2
  shift 2
  send_status=0
  timeout 30 "$sippay" ua send --t1-ms 50 --to "$to" --from "sip:$user@127.0.0.1" \
    --content-type text/plain --body-file body.txt "$@" >"$user.out" 2>"$user.err" || send_status=$?
}

# Mutual TLS by a sips: URI, checked against IP:127.0.0.1 in the server's certificate.
send_as alice-sips "sips:merchant@127.0.0.1:$port" --ca ca.crt --cert client.crt --key client.key
expect_equal "$send_status" 0 "ua send exit status to a sips: URI"
expect_equal "$(cat alice-sips.out)" "200 OK" "ua send output to a sips: URI"

# Mutual TLS by transport=tls, checked against DNS:localhost.
send_as alice-tls "sip:merchant@localhost:$port;transport=tls" --ca ca.crt --cert client.crt \
  --key client.key
expect_equal "$send_status" 0 "ua send exit status to sip:merchant@localhost;transport=tls"
expect_equal "$(cat alice-tls.out)" "200 OK" "ua send output to sip:merchant@localhost;transport=tls"

# A client certificate from another CA.
send_as rogue "sips:merchant@127.0.0.1:$port" --ca ca.crt --cert rogue.crt --key rogue.key
[[ $send_status -ne 0 ]] || fail "ua send with a client certificate from another CA succeeded"
grep -q 'TLS handshake with client .* failed' listen.err ||
  fail "the listener logged no failed TLS handshake for the client certificate from another CA"

# No client certificate at all, from `ua send` and from openssl s_client.
handshake_failures_before=$(grep -c 'TLS handshake with client .* failed' listen.err || true)
send_as no-cert "sips:merchant@127.0.0.1:$port" --ca ca.crt
[[ $send_status -ne 0 ]] || fail "ua send without a client certificate succeeded"
wait_for_lines listen.err 'TLS handshake with client .* failed' $((handshake_failures_before + 1)) 10
printf '%s\r\n' "MESSAGE sip:merchant@127.0.0.1:$port SIP/2.0" \
  "Via: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKnocert1" "Max-Forwards: 70" \
  "From: <sip:no-cert-openssl@127.0.0.1>;tag=1" "To: <sip:merchant@127.0.0.1>" \
  "Call-ID: no-cert-openssl-1" "CSeq: 1 MESSAGE" "Content-Type: text/plain" "Content-Length: 2" "" \
  >no-cert-request.sip
printf 'hi' >>no-cert-request.sip
timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile ca.crt -verify_return_error -quiet \
  -no_ign_eof <no-cert-request.sip >no-cert-openssl.out 2>no-cert-openssl.err || true
wait_for_lines listen.err 'TLS handshake with client .* failed' $((handshake_failures_before + 2)) 10

# A client that trusts only another CA.
send_as wrong-ca "sips:merchant@127.0.0.1:$port" --ca other-ca.crt --cert client.crt --key client.key
[[ $send_status -ne 0 ]] || fail "ua send that trusts only another CA accepted the server"
grep -q 'certificate verify failed' wrong-ca.err ||
  fail "ua send that trusts only another CA did not report a failed certificate check"

listen_status=0
stop_process "$listen_pid" || listen_status=$?
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"

expect_equal "$(count_lines listen.out '"event":"message"')" 2 "message events"
for user in alice-sips alice-tls; do
  event=$(grep -F "\"from\":\"<sip:$user@127.0.0.1>" listen.out || true)
  [[ -n $event ]] || fail "no message event from $user"
  [[ $event == *"\"content_type\":\"text/plain\",\"body_length\":$body_length,"* ]] ||
    fail "message event from $user has the wrong Content-Type or length: $event"
  [[ $event == *'"source":"tls:127.0.0.1:'* ]] || fail "message event from $user did not arrive over TLS: $event"
done

echo "PASS: mutual TLS between sippay UAs; each side rejects a peer it cannot verify"
