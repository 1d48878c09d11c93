#!/usr/bin/env bash
# One purchase test against real daemons: proxy, gateway and merchant as
# processes over TLS on 127.0.0.1, a real SQLite ledger, and `sippay
# customer buy`. Each case checks the customer's outcome, both balances and
# the ledger's invariants afterwards.
# Usage: purchase_case.sh SIPPAY CASE
source "$(dirname "${BASH_SOURCE[0]}")/purchase_lib.sh"

case_name=$2

# alice starts with 50.00 EUR, the merchant with nothing.
opening=5000

case_settled() {
  buy coffee coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat coffee.out coffee.err; fail "the purchase exited with status $buy_status"; }
  grep -q '^settled: paid 2.50 EUR to sip:merchant@pay.test' coffee.out || { cat coffee.out; fail "the customer printed no receipt"; }
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99

  # A second purchase is a new transaction and moves the money once more.
  buy again coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat again.out again.err; fail "the second purchase exited with status $buy_status"; }
  expect_balances $((opening - 500)) 500
  expect_stock coffee 98
}

case_wrong_pin() {
  printf '0000\n' >wrong.pin
  chmod 600 wrong.pin
  buy wrong coffee 2.50 --pin-file wrong.pin --yes
  expect_refused wrong 'PIN'
  expect_balances "$opening" 0

  # Repeated failures lock the PIN; then even the right PIN is refused.
  local attempt
  for attempt in 2 3 4 5; do
    buy "wrong$attempt" coffee 2.50 --pin-file wrong.pin --yes
    expect_refused "wrong$attempt" 'PIN|lock'
  done
  buy locked coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  expect_refused locked 'lock'
  expect_balances "$opening" 0
  expect_stock coffee 100
}

case_insufficient_balance() {
  buy television television 899.00 --pin-file "$deploy/alice.pin" --yes
  expect_refused television 'insufficient|balance|funds'
  expect_balances "$opening" 0
  expect_stock television 5
}

case_unknown_item() {
  buy unknown no-such-item 1.00 --pin-file "$deploy/alice.pin" --yes
  expect_refused unknown 'unknown|not found|no-such-item'
  expect_balances "$opening" 0
}

case_sold_out() {
  buy first ticket 15.00 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat first.out first.err; fail "the first ticket purchase exited with status $buy_status"; }
  buy second ticket 15.00 --pin-file "$deploy/alice.pin" --yes
  expect_refused second 'sold out|stock'
  expect_balances $((opening - 1500)) 1500
  expect_stock ticket 0
}

case_price_mismatch() {
  buy cheap coffee 2.00 --pin-file "$deploy/alice.pin" --yes
  expect_refused cheap 'price'
  expect_balances "$opening" 0
  expect_stock coffee 100
}

case_declined() {
  # Without --yes the customer reads the decision from standard input, which is
  # empty, so it declines.
  buy declined coffee 2.50 --pin-file "$deploy/alice.pin"
  expect_refused declined 'declin'
  expect_balances "$opening" 0
  expect_stock coffee 100
}

# The PIN must not reach the merchant and the order must not reach the
# gateway. NOTE: the daemons have no dump of the plaintext they received, so
# this checks what they store and log at info level instead. The merchant's
# database and logs must not contain the PIN. The gateway's ledger and logs
# must not contain the item id or name.
case_privacy() {
  printf '739251\n' >private.pin
  chmod 600 private.pin
  "$sippay" accounts set-pin --db "$deploy/ledger.sqlite" --id alice --pin-key "$deploy/pin.key" \
    --pin-file private.pin >set-pin.out || fail "sippay accounts set-pin exited with status $?"
  buy private television 899.00 --pin-file private.pin --yes
  expect_refused private 'insufficient|balance|funds'
  buy coffee coffee 2.50 --pin-file private.pin --yes
  [[ $buy_status -eq 0 ]] || { cat coffee.out coffee.err; fail "the purchase exited with status $buy_status"; }
  expect_balances $((opening - 250)) 250

  local file
  for file in "$deploy"/merchant.sqlite* "$deploy"/logs/merchant.*; do
    [[ -f $file ]] || continue
    if grep -aq 739251 "$file"; then fail "the merchant's $file contains the PIN"; fi
  done
  for file in "$deploy"/ledger.sqlite* "$deploy"/logs/gateway.*; do
    [[ -f $file ]] || continue
    if grep -aqiE 'coffee|television' "$file"; then fail "the gateway's $file contains the order's item"; fi
  done
  # The merchant did see the order, so the search above can find what it looks for.
  grep -aq coffee "$deploy"/merchant.sqlite* || fail "the merchant's database does not contain the item id"
}

# A MESSAGE straight to the gateway's listener, not through the proxy's
# mutual-TLS route, gets 403 even with a valid customer certificate.
case_gateway_direct() {
  local port
  port=$(sed -nE 's/^listen = "tls:127\.0\.0\.1:([0-9]+)"/\1/p' "$deploy/gateway.toml")
  [[ -n $port ]] || fail "no listen port in gateway.toml"
  local cert key
  cert=$(sed -nE 's/^certificate = "(.*)"/\1/p' "$deploy/alice.toml")
  key=$(sed -nE 's/^private_key = "(.*)"/\1/p' "$deploy/alice.toml")
  # A body the gateway can open: signed by alice, encrypted for the gateway.
  printf '{"type":"history-inquiry"}' >inner.json
  "$sippay" cms seal --in inner.json --out body.der --cert "$cert" --key "$key" \
    --recipient "$deploy/peers/gateway.pem" --ca "$deploy/pki/ca.pem" --content-type application/vnd.sippay.payment+json >seal.out ||
    fail "sippay cms seal exited with status $?"
  local status=0
  "$sippay" ua send --to "sips:gateway@127.0.0.1:$port" --from sip:alice@pay.test \
    --cert "$cert" --key "$key" --ca "$deploy/pki/ca.pem" \
    --content-type "application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m" \
    --body-file body.der >direct.out 2>direct.err || status=$?
  grep -q '403' direct.out direct.err || { cat direct.out direct.err; fail "the gateway did not answer 403"; }
  expect_balances "$opening" 0
}

# The gateway stops before the purchase and comes back while the merchant's
# request to it is pending: the purchase settles once or not at all.
case_gateway_restart() {
  stop_pid "$gateway_pid"
  buy restart coffee 2.50 --pin-file "$deploy/alice.pin" --yes &
  local buyer=$!
  sleep 2
  start_background gateway2.out gateway2.err "$sippay" gateway --config "$deploy/gateway.toml"
  gateway_pid=$last_pid
  wait_for_lines gateway2.out 'listening' 1 20
  wait "$buyer" || true
  if grep -q '^settled' restart.out; then
    expect_balances $((opening - 250)) 250
    expect_stock coffee 99
  else
    expect_balances "$opening" 0
    expect_stock coffee 100
  fi
}

# The merchant is killed with SIGKILL (no drain) after a purchase and
# restarted on its durable store. A new purchase then settles, and the first
# one is not settled again.
case_merchant_restart() {
  buy first coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat first.out first.err; fail "the first purchase exited with status $buy_status"; }
  kill -KILL "$merchant_pid"
  start_background merchant2.out merchant2.err "$sippay" merchant --config "$deploy/merchant.toml"
  merchant_pid=$last_pid
  wait_for_lines merchant2.out 'listening' 1 20
  buy second coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat second.out second.err; fail "the purchase after the restart exited with status $buy_status"; }
  expect_balances $((opening - 500)) 500
  expect_stock coffee 98
}

# The order is changed after alice's dual signature (two coffees for the
# price of one): the merchant's check of DS over H(OI) fails.
case_tampered_order() {
  tamper tampered --tamper order
  expect_refused tampered 'altered on the way\. \[dual-signature-invalid\]'
  expect_line tampered.out '^tampered: order quantity 2'
  expect_balances "$opening" 0
  expect_stock coffee 100
  expect_log merchant 'dual-signature-invalid'
}

# The payment details are changed after the dual signature (amount 0.01)
# and enveloped for the gateway beside the original DS. The merchant gets
# the original H(PI) and forwards the request. The gateway's DS check over
# the H(PI) it computes fails, and the merchant releases the stock on the
# failure notice.
case_tampered_payment() {
  tamper tampered --tamper payment
  expect_refused tampered 'altered on the way\. \[dual-signature-invalid\]'
  expect_line tampered.out '^tampered: payment amount 1 '
  expect_balances "$opening" 0
  expect_stock coffee 100
  expect_log gateway 'dual-signature-invalid'
}

# The settled purchase's exact bytes, with the same Authorization, in a new
# SIP transaction: the merchant already stores the purchase id, so it
# responds 200 with no new effect (docs/merchant.md, step 3). Nothing is
# forwarded again, and the money moves once.
case_replayed_purchase() {
  tamper replay --replay-purchase
  [[ $buy_status -eq 0 ]] || { cat replay.out replay.err; fail "the purchase exited with status $buy_status"; }
  expect_line replay.out '^settled: transaction '
  expect_line replay.out '^replayed purchase: 200 '
  expect_line replay.out '^after the replay: no message$'
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
  expect_gateway_outbox_empty 10
  expect_balances $((opening - 250)) 250
}

# The signed confirmation ack is sent twice. The gateway posts once, then
# responds to the second with 200 (the transaction is settled) and sends the
# receipt again, which the wallet accepts without a second outcome.
case_repeated_confirmation() {
  tamper twice --repeat-ack
  [[ $buy_status -eq 0 ]] || { cat twice.out twice.err; fail "the purchase exited with status $buy_status"; }
  expect_line twice.out '^settled: transaction '
  expect_line twice.out '^confirmation-ack: 200 '
  expect_line twice.out '^second confirmation-ack: 200 '
  expect_line twice.out '^after the second confirmation-ack: receipt x'
  [[ $(grep -c '^settled' twice.out) == 1 ]] || { cat twice.out; fail "the outcome was reported more than once"; }
  expect_gateway_outbox_empty 10
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

# The gateway's confirmation window is 10 s and its expiry sweep hourly, so
# the deadline is enforced where the ack is decided, not by the sweep. The
# customer confirms after 13 s, so the gateway rejects the ack as expired
# and voids the reservation, and the merchant releases the stock on the
# failure notice.
case_confirmation_after_expiry() {
  printf 'confirmation_timeout_seconds = 10\nexpiry_sweep_seconds = 3600\n' >>"$deploy/gateway.toml"
  restart_gateway
  buy_status=0
  { sleep 13; echo y; } | timeout 60 "$sippay" customer buy --config "$deploy/alice.toml" \
    --merchant sip:merchant@pay.test --item coffee --price 2.50 --pin-file "$deploy/alice.pin" \
    >late.out 2>late.err || buy_status=$?
  expect_refused late 'after the deadline\. \[expired\]'
  expect_line late.out '^pay\? \[y/N\] confirmed$'
  expect_balances "$opening" 0
  expect_stock coffee 100
  expect_log gateway 'expired'
}

# alice's certificate is revoked and a new CRL published. The merchant runs
# with crl_check_seconds = 0 and gets no SIGHUP, so it keeps the old CRL.
# The running gateway reloads the CRL on SIGHUP. So the merchant forwards,
# and the gateway's dual signature check refuses. No notice can be
# enveloped for the revoked certificate, so alice gets no outcome and her
# purchase times out (10 s here), while the merchant's notice releases the
# stock. Then the merchant is restarted and reads the new CRL at start: it
# rejects the purchase with 403 and the reason, before anything is
# reserved.
case_certificate_revoked() {
  sed -i 's/^\[identity\]$/[identity]\ncrl_check_seconds = 0/' "$deploy/merchant.toml"
  restart_merchant
  "$sippay" pki revoke --dir "$deploy/pki" --uri sip:alice@pay.test >revoke.out ||
    fail "sippay pki revoke exited with status $?"
  sed -i 's/^\[customer\]$/[customer]\ntimeout = 10/' "$deploy/alice.toml"
  kill -HUP "$gateway_pid"
  wait_for_lines "$deploy/logs/gateway.err" 'CRL reloaded from .*crl\.pem: number 2, 1 revoked certificate' 1 20
  expect_log gateway 'SIGHUP: reloading the CRL'
  buy at-gateway coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 3 ]] || { cat at-gateway.out at-gateway.err; fail "expected a timeout (3), got $buy_status"; }
  expect_line at-gateway.out '^timeout: no outcome arrived in time'
  expect_balances "$opening" 0
  expect_stock coffee 100
  expect_log gateway 'refused: certificate-revoked; failure notice queued for sip:merchant@pay\.test'

  restart_merchant
  buy at-merchant coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  expect_refused at-merchant '^refused: the merchant refused the purchase: 403 Your certificate is revoked; contact your operator\.$'
  expect_balances "$opening" 0
  expect_stock coffee 100
  expect_log merchant 'from sip:alice@pay\.test: 403 Your certificate is revoked'
}

# The demo's proxy requests client certificates and checks them against the
# CRL ([tls] require_client_certificate and crl). alice buys once. Then her certificate is revoked and the proxy reloads the
# CRL on SIGHUP, so her next TLS handshake with the proxy fails: the
# purchase never reaches the merchant and no money moves.
case_certificate_revoked_at_proxy() {
  grep -q '^require_client_certificate = true$' "$deploy/proxy.toml" || fail "the proxy does not ask for client certificates"
  grep -q '^crl = ' "$deploy/proxy.toml" || fail "the proxy has no CRL"

  buy before coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat before.out before.err; fail "the purchase before the revocation exited with status $buy_status"; }
  expect_balances $((opening - 250)) 250

  "$sippay" pki revoke --dir "$deploy/pki" --uri sip:alice@pay.test >revoke.out ||
    fail "sippay pki revoke exited with status $?"
  kill -HUP "$proxy_pid"
  wait_for_lines "$deploy/logs/proxy.err" 'TLS handshakes from now on check peers against the CRLs of' 1 20

  buy after coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -ne 0 && $buy_status -ne 124 ]] ||
    { cat after.out after.err; fail "expected the purchase to fail, got status $buy_status"; }
  # The customer reports the failed REGISTER, and the proxy logs the reason.
  expect_line after.err '^sippay customer: REGISTER failed: transport error'
  expect_line "$deploy/logs/proxy.err" 'TLS handshake with client tls:127\.0\.0\.1:[0-9]+ failed: .*certificate revoked'
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

# alice buys once, then her certificate is revoked while the merchant keeps
# running. The merchant picks up the new CRL without a restart: on SIGHUP
# (reload=sighup) or when its poll detects the file change (reload=poll). The
# next purchase gets the merchant's 403 and moves no money.
# Usage: purchase_after_revocation sighup|poll MERCHANT_LOG
purchase_after_revocation() {
  local reload=$1 merchant_log=$2
  local alice_before merchant_before
  alice_before=$(balance alice)
  merchant_before=$(balance merchant)
  buy before coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat before.out before.err; fail "the purchase before the revocation exited with status $buy_status"; }
  expect_balances $((alice_before - 250)) $((merchant_before + 250))

  "$sippay" pki revoke --dir "$deploy/pki" --uri sip:alice@pay.test >revoke.out ||
    fail "sippay pki revoke exited with status $?"
  [[ $reload == sighup ]] && kill -HUP "$merchant_pid"
  wait_for_lines "$merchant_log" 'CRL reloaded from .*crl\.pem: number 2, 1 revoked certificate' 1 20
  kill -0 "$merchant_pid" || fail "the merchant is no longer running"
  if [[ $reload == poll ]]; then
    expect_line "$merchant_log" 'crl\.pem changed; reloading the CRL'
  else
    expect_line "$merchant_log" 'SIGHUP: reloading the CRL'
  fi

  buy after coffee 2.50 --pin-file "$deploy/alice.pin" --yes
  expect_refused after '^refused: the merchant refused the purchase: 403 Your certificate is revoked; contact your operator\.$'
  expect_balances $((alice_before - 250)) $((merchant_before + 250))
  expect_stock coffee 99
  expect_line "$merchant_log" 'from sip:alice@pay\.test: 403 Your certificate is revoked'
}

# The merchant runs with crl_check_seconds = 0 (no polling), so only the
# SIGHUP can make it read the new CRL.
case_crl_reload_on_sighup() {
  sed -i 's/^\[identity\]$/[identity]\ncrl_check_seconds = 0/' "$deploy/merchant.toml"
  restart_merchant
  purchase_after_revocation sighup "$deploy/logs/merchant-$restarts.err"
}

# The merchant polls the CRL file (every 5 s by default). First a garbled
# CRL is published: the merchant logs an error naming the file and keeps
# its CRL, so alice, who reads her own copy of the old CRL, still buys.
# Then the revocation's new CRL file is reloaded without a signal.
case_crl_reload_on_file_change() {
  cp "$deploy/pki/crl.pem" "$deploy/alice-crl.pem"
  sed -i "s|^crl = .*|crl = \"$deploy/alice-crl.pem\"|" "$deploy/alice.toml"
  printf -- '-----BEGIN X509 CRL-----\nAAAA\n-----END X509 CRL-----\n' >"$deploy/pki/crl.pem.tmp"
  mv "$deploy/pki/crl.pem.tmp" "$deploy/pki/crl.pem"
  wait_for_lines "$deploy/logs/merchant.err" 'CRL reload failed: .*crl\.pem: invalid PEM CRL.*; the CRL in use stays' 1 20
  purchase_after_revocation poll "$deploy/logs/merchant.err"
}

# Runs a purchase in the background while the named daemon crashes at a
# failpoint, then restarts it. Sets buy_status.
# Usage: buy_through_crash NAME gateway|merchant FAILPOINT
buy_through_crash() {
  local name=$1 role=$2 point=$3
  "restart_$role" SIPPAY_FAILPOINT="$point"
  local crashing_pid
  [[ $role == gateway ]] && crashing_pid=$gateway_pid || crashing_pid=$merchant_pid
  # buy runs in a subshell, which exits with its status.
  (
    buy "$name" coffee 2.50 --pin-file "$deploy/alice.pin" --yes
    exit "$buy_status"
  ) &
  local buyer=$!
  expect_exit "$crashing_pid" 30 "the $role with failpoint $point"
  expect_log "$role" "failpoint $point reached"
  "restart_$role"
  buy_status=0
  wait "$buyer" || buy_status=$?
}

# The gateway dies after committing the reservation and queuing the
# confirmation request, before answering the merchant. After the restart
# the merchant's resent request finds the same transaction, the outbox
# delivers the confirmation request, and the purchase settles once.
case_gateway_crash_after_request() {
  buy_through_crash crash gateway gateway-after-commit-payment-request
  [[ $buy_status -eq 0 ]] || { cat crash.out crash.err; fail "the purchase exited with status $buy_status"; }
  expect_line crash.out '^settled: paid 2\.50 EUR'
  expect_gateway_outbox_empty 30
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

# The gateway dies after posting the transfer and queuing the receipts,
# before answering the customer's ack. After the restart the outbox
# delivers the receipts: settled once.
case_gateway_crash_after_ack() {
  buy_through_crash crash gateway gateway-after-commit-confirmation-ack
  [[ $buy_status -eq 0 ]] || { cat crash.out crash.err; fail "the purchase exited with status $buy_status"; }
  expect_line crash.out '^settled: paid 2\.50 EUR'
  expect_gateway_outbox_empty 30
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

# The merchant dies after committing the reservation and queuing its
# payment request, before answering the customer. The customer resends
# the same purchase; the restarted merchant treats it as a retransmission
# and its outbox forwards the request once: settled once.
case_merchant_crash_after_purchase() {
  buy_through_crash crash merchant merchant-after-commit-purchase
  [[ $buy_status -eq 0 ]] || { cat crash.out crash.err; fail "the purchase exited with status $buy_status"; }
  expect_line crash.out '^settled: paid 2\.50 EUR'
  expect_gateway_outbox_empty 30
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

# The merchant dies after recording the gateway's receipt, before answering
# it. The gateway resends the receipt to the restarted merchant, which
# already recorded it: the order is delivered once and the outbox drains.
# The proxy fails the receipt's branch as soon as the dead merchant's TLS
# connection closes and responds 500. So the gateway resends after its
# first backoff (1 s), not after the SIP transaction timeout (64*T1 = 32 s).
case_merchant_crash_after_receipt() {
  buy_through_crash crash merchant merchant-after-commit-receipt
  [[ $buy_status -eq 0 ]] || { cat crash.out crash.err; fail "the purchase exited with status $buy_status"; }
  expect_line crash.out '^settled: paid 2\.50 EUR'
  expect_gateway_outbox_empty 30
  expect_balances $((opening - 250)) 250
  expect_stock coffee 99
}

purchase_init
declare -F "case_$case_name" >/dev/null || fail "unknown case $case_name"
"case_$case_name"
echo "PASS: purchase $case_name"
