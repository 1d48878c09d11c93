#!/usr/bin/env bash
# Mutual TLS between two sippay UAs, with a test PKI made here by the
# openssl CLI (P-256 keys):
#  - `ua send` with a client certificate reaches a `ua listen` that requires
#    one, by a sips: URI and by sip:...;transport=tls with host localhost;
#  - the listener rejects a client certificate from another CA;
#  - the listener rejects a client without a certificate (openssl s_client,
#    because `ua send` needs a certificate to open a TLS transport at all);
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
# Timer F is 64*T1, so --t1-ms 100 bounds a send with no reply to 6.4 s.
# Usage: send_as USER TO [OPTION...]
send_as() {
  local user=$1 to=$2
  shift 2
  send_status=0
  timeout 30 "$sippay" ua send --t1-ms 100 --to "$to" --from "sip:$user@127.0.0.1" \
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

# No client certificate at all.
handshake_failures_before=$(grep -c 'TLS handshake with client .* failed' listen.err || true)
printf 'MESSAGE sip:merchant@127.0.0.1:%s SIP/2.0\r\nVia: SIP/2.0/TLS 127.0.0.1:5061;branch=z9hG4bKnocert1\r\nMax-Forwards: 70\r\nFrom: <sip:no-cert@127.0.0.1>;tag=1\r\nTo: <sip:merchant@127.0.0.1>\r\nCall-ID: no-cert-1\r\nCSeq: 1 MESSAGE\r\nContent-Type: text/plain\r\nContent-Length: 2\r\n\r\nhi' "$port" |
  timeout 10 openssl s_client -connect "127.0.0.1:$port" -CAfile ca.crt -verify_return_error -quiet -no_ign_eof \
    >no-cert.out 2>no-cert.err || true
wait_for_lines listen.err 'TLS handshake with client .* failed' $((handshake_failures_before + 1)) 10

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

echo "PASS: mutual TLS between sippay UAs, and both sides reject certificates from another CA"
