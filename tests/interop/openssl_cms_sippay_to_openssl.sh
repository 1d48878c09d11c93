#!/usr/bin/env bash
# What sippay writes, `openssl cms` reads. openssl decrypts a sealed body
# (signed, then AES-128-GCM AuthEnvelopedData for a P-256 and an RSA
# recipient) with either key and verifies its inner SignedData against the
# CA. It also verifies SignedData with ECDSA and with RSA-PSS, and decrypts an
# envelope per recipient type. The test checks the bytes openssl outputs and
# the algorithms its ASN.1 dump shows (SHA-256 KDF, RSA-OAEP, AES-128-GCM).
#
# Usage: openssl_cms_sippay_to_openssl.sh SIPPAY
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/openssl_cms_lib.sh"

sippay=$1

require_tools openssl
interop_init

make_parties
printf 'ORDER 4711 amount=12.50 EUR\r\nbinary:\001\002\377\n' >order.bin

# Sealed body, opened by openssl with each recipient key.
"$sippay" cms seal --in order.bin --out sealed.der --cert alice.crt --key alice.key \
  --recipient merchant.crt --recipient gateway.crt --ca ca.crt --content-type text/plain \
  >seal.out 2>seal.err || fail "sippay cms seal failed"
grep -qF 'Content-Type: application/pkcs7-mime; smime-type=authEnveloped-data; name=smime.p7m' seal.out ||
  fail "seal did not print the authEnveloped-data Content-Type"
openssl asn1parse -inform DER -in sealed.der >sealed.asn1
grep -qF 'id-smime-ct-authEnvelopedData' sealed.asn1 || fail "sealed body is not AuthEnvelopedData"
grep -qF 'dhSinglePass-stdDH-sha256kdf-scheme' sealed.asn1 || fail "no ECDH recipient with the SHA-256 KDF"
grep -qF 'rsaesOaep' sealed.asn1 || fail "no RSA-OAEP recipient"
grep -qF 'aes-128-gcm' sealed.asn1 || fail "content not encrypted with AES-128-GCM"

for recipient in merchant gateway; do
  openssl cms -decrypt -binary -inform DER -in sealed.der -recip "$recipient.crt" \
    -inkey "$recipient.key" -out "signed_$recipient.mime" 2>"decrypt_$recipient.err" ||
    fail "openssl could not decrypt the sealed body as $recipient"
  grep -qaF 'smime-type=signed-data' "signed_$recipient.mime" ||
    fail "the envelope for $recipient does not hold a signed-data entity"
  entity_body "signed_$recipient.mime" >"signed_$recipient.der"
  openssl cms -verify -binary -inform DER -in "signed_$recipient.der" -CAfile ca.crt \
    -out "payload_$recipient.mime" 2>"verify_$recipient.err" ||
    fail "openssl could not verify the signed entity decrypted by $recipient"
  grep -qF 'Verification successful' "verify_$recipient.err" || fail "openssl did not report success"
  entity_body "payload_$recipient.mime" >"payload_$recipient.bin"
  expect_file_equal "payload_$recipient.bin" order.bin "payload opened by openssl as $recipient"
  grep -qaF 'Content-Type: text/plain' "payload_$recipient.mime" || fail "payload lost its Content-Type"
done

# SignedData from an EC key (ECDSA) and an RSA key (RSA-PSS).
for signer in alice gateway; do
  "$sippay" cms sign --in order.bin --out "signed_by_$signer.der" --cert "$signer.crt" \
    --key "$signer.key" 2>"sign_$signer.err" || fail "sippay cms sign failed for $signer"
  openssl cms -verify -binary -inform DER -in "signed_by_$signer.der" -CAfile ca.crt \
    -out "verified_$signer.bin" 2>"openssl_verify_$signer.err" ||
    fail "openssl could not verify the SignedData of $signer"
  expect_file_equal "verified_$signer.bin" order.bin "content verified by openssl for $signer"
done
openssl asn1parse -inform DER -in signed_by_gateway.der | grep -qF 'rsassaPss' ||
  fail "the RSA signature is not RSA-PSS"
openssl asn1parse -inform DER -in signed_by_alice.der | grep -qF 'ecdsa-with-SHA256' ||
  fail "the EC signature is not ECDSA with SHA-256"

# A tampered SignedData: openssl must reject it too.
cp signed_by_alice.der tampered.der
printf '\x39' | dd of=tampered.der bs=1 seek="$(grep -abo 'amount=12' tampered.der | head -n 1 | cut -d: -f1)" \
  conv=notrunc 2>/dev/null
if openssl cms -verify -binary -inform DER -in tampered.der -CAfile ca.crt -out /dev/null 2>/dev/null; then
  fail "openssl verified a tampered SignedData"
fi

# Plain envelopes, one per recipient type.
for recipient in merchant gateway; do
  "$sippay" cms encrypt --in order.bin --out "enc_$recipient.der" --recipient "$recipient.crt" \
    --ca ca.crt 2>"encrypt_$recipient.err" || fail "sippay cms encrypt failed for $recipient"
  openssl cms -decrypt -binary -inform DER -in "enc_$recipient.der" -recip "$recipient.crt" \
    -inkey "$recipient.key" -out "dec_$recipient.bin" 2>"openssl_decrypt_$recipient.err" ||
    fail "openssl could not decrypt the envelope for $recipient"
  expect_file_equal "dec_$recipient.bin" order.bin "content decrypted by openssl for $recipient"
done

echo "PASS: openssl decrypted and verified what sippay wrote"
