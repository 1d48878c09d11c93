#!/usr/bin/env bash
# Checks `sippay sip parse` on examples/sip: files named invalid-*.sip must
# be rejected with a reason on stderr, every other file accepted with JSON
# output.
#
# Usage: check_examples.sh SIPPAY_BINARY EXAMPLES_DIR
set -euo pipefail

sippay=$1
examples=$2
failures=0
for file in "$examples"/*.sip; do
  set +e
  output=$("$sippay" sip parse "$file" 2>/tmp/sippay-examples-$$.err)
  status=$?
  set -e
  errors=$(cat /tmp/sippay-examples-$$.err)
  if [[ $(basename "$file") == invalid-* ]]; then
    if [[ $status -ne 1 || "$errors" != "$file: invalid: "* ]]; then
      echo "FAIL $file: expected exit 1 with a reason, got $status: $errors"
      failures=$((failures + 1))
    fi
  elif [[ $status -ne 0 || "$output" != '{"file":'* ]]; then
    echo "FAIL $file: expected exit 0 with JSON, got $status: $errors"
    failures=$((failures + 1))
  fi
done
rm -f /tmp/sippay-examples-$$.err
[[ $failures -eq 0 ]]
