#!/usr/bin/env bash
# TLS with server authentication only: `ua listen` without
# --require-client-cert, and `ua send` that checks the server against --ca.
# A client with a certificate and a client without one must both get 200,
# as most TLS clients carry no certificate of their own.
#
# Usage: tls_server_auth_only.sh SIPPAY
source "$(dirname "$0")/lib.sh"

sippay=$1

require_tools openssl
interop_init

make_test_pki
printf 'pay 3.00 EUR to merchant\n' >body.txt
body_length=$(stat -c %s body.txt)

start_listen listen "$sippay" --bind tls:127.0.0.1:0 --cert server.crt --key server.key
port=$(listening_port listen.out tls)

status=0
timeout 30 "$sippay" ua send --t1-ms 50 --to "sips:merchant@127.0.0.1:$port" \
  --from sip:with-cert@127.0.0.1 --ca ca.crt --cert client.crt --key client.key \
  --body-file body.txt >with-cert.out 2>with-cert.err || status=$?
expect_equal "$status" 0 "ua send exit status with a client certificate"
expect_equal "$(cat with-cert.out)" "200 OK" "ua send output with a client certificate"

status=0
timeout 30 "$sippay" ua send --t1-ms 50 --to "sips:merchant@127.0.0.1:$port" \
  --from sip:without-cert@127.0.0.1 --ca ca.crt \
  --body-file body.txt >without-cert.out 2>without-cert.err || status=$?
expect_equal "$status" 0 "ua send exit status without a client certificate ($(tail -n 1 without-cert.err))"
expect_equal "$(cat without-cert.out)" "200 OK" "ua send output without a client certificate"

listen_status=0
stop_process "$listen_pid" || listen_status=$?
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"

for user in with-cert without-cert; do
  event=$(grep -F "\"from\":\"<sip:$user@127.0.0.1>" listen.out || true)
  [[ -n $event ]] || fail "no message event from $user"
  [[ $event == *"\"content_type\":\"text/plain\",\"body_length\":$body_length,"* ]] ||
    fail "message event from $user has the wrong Content-Type or length: $event"
  [[ $event == *'"source":"tls:127.0.0.1:'* ]] || fail "message event from $user did not arrive over TLS: $event"
done

echo "PASS: TLS with server authentication only, with and without a client certificate"
