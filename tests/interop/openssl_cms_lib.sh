# Helpers for the openssl cms interop tests: an operator PKI made with the
# openssl command (a CA, P-256 and RSA-2048 leaves whose subjectAltName is a
# SIP URI, key usage for S/MIME), and the S/MIME entity framing sippay uses.
# Source after lib.sh and interop_init; files land in the current folder.

# Makes ca.crt and ca.key: a P-256 CA valid for one day.
make_ca() {
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -keyout ca.key -out ca.crt \
    -subj "/CN=sippay interop CA" -days 1 \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>openssl_req.err
  chmod 600 ca.key
}

# Usage: issue NAME SIP_URI ec|rsa
# Makes NAME.crt and NAME.key (mode 0600), signed by the CA, fit for signing
# and for ECDH key agreement (ec) or RSA key transport (rsa).
issue() {
  local name=$1 uri=$2 kind=$3 newkey usage
  if [[ $kind == ec ]]; then
    newkey=(-newkey ec -pkeyopt ec_paramgen_curve:P-256)
    usage=digitalSignature,keyAgreement
  else
    newkey=(-newkey rsa:2048)
    usage=digitalSignature,keyEncipherment
  fi
  openssl req -new "${newkey[@]}" -nodes -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" \
    2>>openssl_req.err
  chmod 600 "$name.key"
  printf 'subjectAltName=URI:%s\nkeyUsage=critical,%s\nextendedKeyUsage=emailProtection\nbasicConstraints=critical,CA:FALSE\n' \
    "$uri" "$usage" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA ca.crt -CAkey ca.key -CAcreateserial -days 1 \
    -extfile "$name.ext" -out "$name.crt" 2>>openssl_req.err
}

# Makes the CA and three parties: alice (P-256, a customer), merchant (P-256)
# and gateway (RSA).
make_parties() {
  make_ca
  issue alice sip:alice@pay.test ec
  issue merchant sip:merchant@shop.test ec
  issue gateway sip:gateway@pay.test rsa
}

# Usage: smime_entity SMIME_TYPE DER_FILE > ENTITY_FILE
# Writes the application/pkcs7-mime entity that sippay nests inside an envelope.
smime_entity() {
  printf 'Content-Type: application/pkcs7-mime; smime-type=%s; name=smime.p7m\r\n' "$1"
  printf 'Content-Disposition: attachment; handling=required; filename=smime.p7m\r\n'
  printf 'Content-Transfer-Encoding: binary\r\n\r\n'
  cat "$2"
}

# Usage: entity_body ENTITY_FILE > BODY_FILE
# Writes what follows the first blank line (CRLF CRLF) of a MIME entity.
entity_body() {
  local offset
  offset=$(grep -abo $'\r$' "$1" | awk -F: 'prev + 2 == $1 { print $1 + 2; exit } { prev = $1 }')
  [[ -n $offset ]] || fail "no blank line in $1"
  tail -c +"$((offset + 1))" "$1"
}

# Usage: expect_file_equal FILE EXPECTED_FILE WHAT
expect_file_equal() {
  cmp -s "$1" "$2" || fail "$3: $1 differs from $2"
}
