#!/usr/bin/env bash
# Certificates from `sippay pki` work for S/MIME bodies in sippay and in
# `openssl cms`. A customer (P-256) seals for a merchant (P-256) and a gateway
# (RSA-3072). Each recipient opens the body with `sippay cms open` against the
# CA and CRL, and openssl decrypts and verifies the same body. After
# `sippay pki revoke` the customer's next body is rejected with 403 as
# revoked.
#
# Usage: openssl_cms_sippay_pki.sh SIPPAY
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/openssl_cms_lib.sh"

sippay=$1

require_tools openssl
interop_init

"$sippay" pki init --dir pki >init.out 2>init.err || fail "sippay pki init failed"

# Usage: issue_party NAME URI ROLE [ALGORITHM]
# Issues a certificate and copies it and its key to NAME.crt and NAME.key.
issue_party() {
  local name=$1 uri=$2 role=$3 algorithm=${4:-ec-p256} serial
  "$sippay" pki issue --dir pki --uri "$uri" --role "$role" --algorithm "$algorithm" \
    >"issue_$name.out" 2>"issue_$name.err" || fail "sippay pki issue failed for $name"
  serial=$(awk -F'\t' -v uri="$uri" '$6 == uri { serial = $1 } END { print serial }' pki/index.tsv)
  [[ -n $serial ]] || fail "no index line for $uri"
  cp "pki/issued/$serial.pem" "$name.crt"
  cp "pki/issued/$serial.key" "$name.key"
  chmod 600 "$name.key"
}

issue_party alice sip:alice@pay.test customer
issue_party merchant sip:merchant@shop.test merchant
issue_party gateway sip:gateway@pay.test gateway rsa-3072
printf 'ORDER 4711 amount=12.50 EUR\r\n' >order.txt

"$sippay" cms seal --in order.txt --out sealed.der --cert alice.crt --key alice.key \
  --recipient merchant.crt --recipient gateway.crt --ca pki/ca.pem --crl pki/crl.pem \
  --content-type text/plain >seal.out 2>seal.err || fail "sippay cms seal failed"

for recipient in merchant gateway; do
  "$sippay" cms open --in sealed.der --out "opened_$recipient.txt" --cert "$recipient.crt" \
    --key "$recipient.key" --ca pki/ca.pem --crl pki/crl.pem --sender sip:alice@pay.test \
    >"open_$recipient.out" 2>"open_$recipient.err" || fail "sippay cms open failed for $recipient"
  grep -qxF 'signer: sip:alice@pay.test' "open_$recipient.out" || fail "open did not print the signer"
  expect_file_equal "opened_$recipient.txt" order.txt "payload opened by sippay as $recipient"

  openssl cms -decrypt -binary -inform DER -in sealed.der -recip "$recipient.crt" \
    -inkey "$recipient.key" -out "signed_$recipient.mime" 2>"decrypt_$recipient.err" ||
    fail "openssl could not decrypt the body as $recipient"
  entity_body "signed_$recipient.mime" >"signed_$recipient.der"
  openssl cms -verify -binary -inform DER -in "signed_$recipient.der" -CAfile pki/ca.pem \
    -out "payload_$recipient.mime" 2>"verify_$recipient.err" ||
    fail "openssl could not verify the signature of a sippay pki certificate"
  entity_body "payload_$recipient.mime" >"payload_$recipient.txt"
  expect_file_equal "payload_$recipient.txt" order.txt "payload verified by openssl as $recipient"
done

"$sippay" pki revoke --dir pki --uri sip:alice@pay.test >revoke.out 2>revoke.err ||
  fail "sippay pki revoke failed"
"$sippay" cms seal --in order.txt --out revoked.der --cert alice.crt --key alice.key \
  --recipient merchant.crt --ca pki/ca.pem >seal_revoked.out 2>seal_revoked.err ||
  fail "sippay cms seal failed (sealing does not check the signer's own certificate)"
rc=0
"$sippay" cms open --in revoked.der --out x --cert merchant.crt --key merchant.key --ca pki/ca.pem \
  --crl pki/crl.pem --sender sip:alice@pay.test >open_revoked.out 2>open_revoked.err || rc=$?
expect_equal "$rc" 1 "exit status of open for a revoked signer"
grep -qF 'rejected: signer_certificate_rejected (revoked)' open_revoked.err ||
  fail "open did not reject the revoked signer as revoked"
grep -qF 'answers 403' open_revoked.err || fail "a revoked signer does not map to 403"

echo "PASS: sippay pki certificates seal and open with sippay and openssl; revocation rejects"
