#!/usr/bin/env bash
# Checks the verdict of `sippay sip parse` on each RFC 4475 torture message
# against tests/rfc4475_verdicts.tsv.
#
# Usage: check_rfc4475.sh SIPPAY_BINARY VERDICTS_TSV [MESSAGES_DIR]
# MESSAGES_DIR holds the RFC's messages as NAME.dat files, as extracted from
# the archive in RFC 4475 Appendix A. It defaults to $SIPPAY_RFC4475_DIR;
# without either, the check is skipped (exit 77), because the messages are
# not part of this repository.
set -euo pipefail

sippay=$1
verdicts=$2
messages=${3:-${SIPPAY_RFC4475_DIR:-}}
if [[ -z "$messages" || ! -d "$messages" ]]; then
  echo "skipped: set SIPPAY_RFC4475_DIR to a folder of RFC 4475 .dat files"
  exit 77
fi

failures=0
checked=0
while IFS=$'\t' read -r name expected section; do
  [[ -z "$name" || "$name" == \#* ]] && continue
  file="$messages/$name.dat"
  if [[ ! -f "$file" ]]; then
    echo "MISSING $name ($file)"
    failures=$((failures + 1))
    continue
  fi
  set +e
  reason=$("$sippay" sip parse "$file" 2>&1 >/dev/null)
  status=$?
  set -e
  case $status in
    0) got=valid ;;
    1) got=invalid ;;
    *) got="error($status)" ;;
  esac
  checked=$((checked + 1))
  if [[ "$got" != "$expected" ]]; then
    echo "WRONG $name (section $section): expected $expected, got $got ${reason}"
    failures=$((failures + 1))
  fi
done < "$verdicts"

echo "$checked messages checked, $failures wrong"
[[ $failures -eq 0 ]]
