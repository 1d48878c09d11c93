#!/usr/bin/env bash
# What `openssl cms` writes, sippay opens. openssl signs a payload and
# envelopes it with AES-128-GCM for a P-256 recipient (SHA-256 KDF) and an
# RSA-OAEP recipient; `sippay cms open` must print the signer's SIP URI and
# write the exact payload. `sippay cms verify` reads openssl's SignedData in
# PEM, and `open` accepts an AES-CBC EnvelopedData around signed content.
# sippay rejects what openssl writes by default or on request: the SHA-1
# KDF, PKCS#1 v1.5 key transport, CBC around unsigned content, no signed
# attributes, and a wrong recipient or claimed sender.
#
# Usage: openssl_cms_openssl_to_sippay.sh SIPPAY
source "$(dirname "$0")/lib.sh"
source "$(dirname "$0")/openssl_cms_lib.sh"

sippay=$1

require_tools openssl
interop_init

make_parties
printf 'ORDER 4711 amount=12.50 EUR\r\n' >order.txt
{
  printf 'Content-Type: text/plain\r\n\r\n'
  cat order.txt
} >payload.mime

# Usage: expect_rejected NAME FAILURE STATUS COMMAND...
# Runs a sippay command that must exit 1 naming FAILURE and the SIP STATUS.
expect_rejected() {
  local name=$1 failure=$2 status=$3
  shift 3
  local rc=0
  "$@" >"$name.out" 2>"$name.err" || rc=$?
  expect_equal "$rc" 1 "exit status of sippay for $name"
  grep -qF "rejected: $failure" "$name.err" || fail "$name: stderr does not name $failure"
  grep -qF "answers $status" "$name.err" || fail "$name: stderr does not give SIP status $status"
}

# Sign, wrap as an S/MIME entity, envelope for two recipients.
openssl cms -sign -binary -nodetach -in payload.mime -signer alice.crt -inkey alice.key \
  -outform DER -out signed.der
smime_entity signed-data signed.der >signed.mime
openssl cms -encrypt -binary -aes-128-gcm -in signed.mime -outform DER -out sealed.der \
  -recip merchant.crt -keyopt ecdh_kdf_md:sha256 \
  -recip gateway.crt -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256

for recipient in merchant gateway; do
  "$sippay" cms open --in sealed.der --out "opened_$recipient.txt" --cert "$recipient.crt" \
    --key "$recipient.key" --ca ca.crt --sender sip:alice@pay.test >"open_$recipient.out" \
    2>"open_$recipient.err" || fail "sippay cms open failed for $recipient"
  grep -qxF 'signer: sip:alice@pay.test' "open_$recipient.out" || fail "open did not print the signer"
  grep -qxF 'content-type: text/plain' "open_$recipient.out" || fail "open did not print the content type"
  expect_file_equal "opened_$recipient.txt" order.txt "payload opened by sippay as $recipient"
done

# Without --sender, open prints the signer of any certificate the CA trusts.
"$sippay" cms open --in sealed.der --out any.txt --cert merchant.crt --key merchant.key \
  --ca ca.crt >open_any.out 2>open_any.err || fail "sippay cms open without --sender failed"
grep -qxF 'signer: sip:alice@pay.test' open_any.out || fail "open without --sender did not print the signer"

# SignedData alone, DER and PEM, ECDSA and RSA PKCS#1 v1.5.
for signer in alice gateway; do
  openssl cms -sign -binary -nodetach -in order.txt -signer "$signer.crt" -inkey "$signer.key" \
    -outform PEM -out "signed_$signer.pem"
  uri=$(openssl x509 -in "$signer.crt" -noout -ext subjectAltName | grep -o 'sip:[^ ,]*')
  "$sippay" cms verify --in "signed_$signer.pem" --out "verified_$signer.txt" --ca ca.crt \
    --sender "$uri" >"verify_$signer.out" 2>"verify_$signer.err" || fail "sippay cms verify failed for $signer"
  grep -qxF "signer: $uri" "verify_$signer.out" || fail "verify did not print $uri"
  expect_file_equal "verified_$signer.txt" order.txt "content verified by sippay for $signer"
done

# AES-CBC EnvelopedData around signed content is accepted by open.
openssl cms -encrypt -binary -aes-128-cbc -in signed.mime -outform DER -out cbc_signed.der \
  -recip gateway.crt -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256
"$sippay" cms open --in cbc_signed.der --out cbc_opened.txt --cert gateway.crt --key gateway.key \
  --ca ca.crt --sender sip:alice@pay.test >cbc_open.out 2>cbc_open.err ||
  fail "sippay cms open rejected CBC around signed content"
expect_file_equal cbc_opened.txt order.txt "payload of the CBC envelope"

# Policy rejections of what openssl writes by default.
openssl cms -encrypt -binary -aes-128-gcm -in signed.mime -outform DER -out sha1_kdf.der -recip merchant.crt
expect_rejected sha1_kdf sha1_kdf 493 \
  "$sippay" cms open --in sha1_kdf.der --out x --cert merchant.crt --key merchant.key --ca ca.crt

openssl cms -encrypt -binary -aes-128-gcm -in signed.mime -outform DER -out pkcs1.der -recip gateway.crt
expect_rejected pkcs1 rsa_pkcs1_key_transport 493 \
  "$sippay" cms decrypt --in pkcs1.der --out x --cert gateway.crt --key gateway.key

openssl cms -encrypt -binary -aes-128-cbc -in order.txt -outform DER -out cbc_plain.der \
  -recip gateway.crt -keyopt rsa_padding_mode:oaep -keyopt rsa_oaep_md:sha256
expect_rejected cbc_plain unauthenticated_content 493 \
  "$sippay" cms decrypt --in cbc_plain.der --out x --cert gateway.crt --key gateway.key

expect_rejected wrong_recipient not_a_recipient 493 \
  "$sippay" cms open --in sealed.der --out x --cert alice.crt --key alice.key --ca ca.crt

expect_rejected wrong_sender 'signer_certificate_rejected (identity_mismatch)' 403 \
  "$sippay" cms open --in sealed.der --out x --cert merchant.crt --key merchant.key --ca ca.crt \
  --sender sip:mallory@pay.test

openssl cms -sign -binary -nodetach -noattr -in order.txt -signer alice.crt -inkey alice.key \
  -outform DER -out noattr.der
expect_rejected noattr missing_signed_attributes 403 \
  "$sippay" cms verify --in noattr.der --out x --ca ca.crt --sender sip:alice@pay.test

[[ ! -e x ]] || fail "a rejected input left an output file"

# An unreadable input file is a usage error (exit 2), not a rejection.
rc=0
"$sippay" cms verify --in missing.der --out x --ca ca.crt >missing.out 2>missing.err || rc=$?
expect_equal "$rc" 2 "exit status of sippay cms verify for a missing file"
grep -qF 'missing.der' missing.err || fail "the error does not name the missing file"
echo "PASS: sippay opened what openssl wrote and rejected its unsafe defaults"
