#!/usr/bin/env bash
# `sippay customer history` against real daemons: alice makes more purchases
# than one history page holds, and the command follows the gateway's cursor
# until it has printed every transaction, newest first, with its amount.
# Usage: purchase_history.sh SIPPAY
source "$(dirname "${BASH_SOURCE[0]}")/purchase_lib.sh"

# Runs `sippay customer history` for alice with the given options. Output in
# NAME.out and NAME.err; fails unless it exits with status 0.
show_history() {
  local name=$1 status=0
  shift
  timeout 60 "$sippay" customer history --config "$deploy/alice.toml" "$@" >"$name.out" 2>"$name.err" </dev/null ||
    status=$?
  [[ $status -eq 0 ]] || { cat "$name.out" "$name.err"; fail "$name: sippay customer history exited with status $status"; }
}

# Prints "STATE AMOUNT TRANSACTION" for each entry line of a history output.
entries() {
  sed -nE 's/^  [0-9TZ:-]{20}  ([a-z]+) +([0-9.]+) EUR  .* transaction ([A-Za-z0-9_-]+)  purchase .*/\1 \2 \3/p' "$1"
}

purchase_init

# Five purchases with different amounts, oldest first; alice has 50.00 EUR.
bought=()
purchases=("coffee 2.50 1" "ticket 15.00 1" "coffee 2.50 2" "coffee 2.50 3" "coffee 2.50 1")
amounts=(2.50 15.00 5.00 7.50 2.50)
for index in "${!purchases[@]}"; do
  read -r item price quantity <<<"${purchases[index]}"
  buy "buy$index" "$item" "$price" --quantity "$quantity" --pin-file "$deploy/alice.pin" --yes
  [[ $buy_status -eq 0 ]] || { cat "buy$index.out" "buy$index.err"; fail "purchase $index exited with status $buy_status"; }
  transaction=$(sed -nE 's/^  transaction: (.*)/\1/p' "buy$index.out")
  [[ -n $transaction ]] || { cat "buy$index.out"; fail "purchase $index printed no transaction id"; }
  bought+=("$transaction")
done
expect_balances $((5000 - 3250)) 3250

# The newest first: what `history` must print, one "STATE AMOUNT TRANSACTION" a line.
expected=
for ((index = ${#bought[@]} - 1; index >= 0; index--)); do
  expected+="settled ${amounts[index]} ${bought[index]}"$'\n'
done

# Pages of two entries: three inquiries, every transaction once.
show_history paged --page-size 2
expect_equal "$(entries paged.out)" "${expected%$'\n'}" "the entries of history --page-size 2"
grep -qx '5 entries' paged.out || { cat paged.out; fail "history --page-size 2 did not report 5 entries"; }

# The default page size fits them all, and the output is the same.
show_history whole
expect_equal "$(entries whole.out)" "${expected%$'\n'}" "the entries of history"

# --limit caps the total across pages, and the last line states that more exist.
show_history limited --page-size 2 --limit 3
expect_equal "$(entries limited.out)" "$(head -n 3 <<<"$expected")" "the entries of history --limit 3"
grep -q '^3 entries; the gateway has more' limited.out ||
  { cat limited.out; fail "history --limit 3 did not say that more exist"; }

echo "PASS: purchase history"
