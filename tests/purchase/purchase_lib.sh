# Helpers of the purchase tests. Source this file with the sippay binary as
# $1 and the tampering_customer binary as $3 (optional), then call
# purchase_init. All traffic stays on 127.0.0.1.
#
# purchase_init starts a fresh deployment with `sippay demo --keep
# --no-purchase` in the test's temporary folder: proxy, gateway and merchant
# as separate processes over TLS, a SQLite ledger where alice has 50.00 EUR
# and a PIN, and the catalog coffee 2.50 (stock 100), ticket 15.00 (stock 1)
# and television 899.00 (stock 5). The EXIT trap stops the three daemons.

source "$(dirname "${BASH_SOURCE[0]}")/../interop/lib.sh"

sippay=$(realpath "$1")
tampering_customer=
[[ -n ${3:-} ]] && tampering_customer=$(realpath "$3")
deploy=
proxy_pid= gateway_pid= merchant_pid=

purchase_init() {
  interop_init
  trap purchase_cleanup EXIT
  deploy=$work/deploy
  "$sippay" demo --keep --no-purchase --dir "$deploy" >demo.out 2>demo.err ||
    { cat demo.out demo.err; fail "sippay demo --keep --no-purchase exited with status $?"; }
  read -r proxy_pid gateway_pid merchant_pid <"$deploy/pids"
}

purchase_cleanup() {
  local status=$? pid
  for pid in $merchant_pid $gateway_pid $proxy_pid; do
    stop_pid "$pid"
  done
  if [[ $status -ne 0 && -n $deploy ]]; then
    local log
    for log in "$deploy"/logs/*; do
      echo "---- last lines of $log"
      tail -n 40 "$log" | cut -c 1-300
    done
  fi
  (exit "$status")
  interop_cleanup
}

# Sends SIGTERM to a process that is not a child of this shell and waits up to
# 10 s for it to exit, then SIGKILL.
stop_pid() {
  local pid=$1 tick
  [[ -n $pid ]] || return 0
  kill -TERM "$pid" 2>/dev/null || return 0
  for ((tick = 0; tick < 100; tick++)); do
    kill -0 "$pid" 2>/dev/null || return 0
    sleep 0.1
  done
  kill -KILL "$pid" 2>/dev/null || true
}

# Prints an account's balance in minor units.
balance() {
  "$sippay" accounts show --db "$deploy/ledger.sqlite" --id "$1" |
    sed -nE 's/^balance: +(-?)([0-9]+)\.([0-9]{2}).*/\1\2\3/p' | sed -E 's/^(-?)0+([0-9])/\1\2/'
}

# Prints an account's available amount (balance minus pending debits) in minor units.
available() {
  "$sippay" accounts show --db "$deploy/ledger.sqlite" --id "$1" |
    sed -nE 's/^available: +(-?)([0-9]+)\.([0-9]{2}).*/\1\2\3/p' | sed -E 's/^(-?)0+([0-9])/\1\2/'
}

# Fails unless alice's and the merchant's balances are the given minor units
# and nothing is pending, and the ledger's invariants hold.
expect_balances() {
  expect_equal "$(balance alice)" "$1" "alice's balance"
  expect_equal "$(balance merchant)" "$2" "the merchant's balance"
  expect_equal "$(available alice)" "$1" "alice's available amount"
  "$sippay" accounts check --db "$deploy/ledger.sqlite" >check.out ||
    { cat check.out; fail "sippay accounts check: the ledger's invariants do not hold"; }
}

# Runs `sippay customer buy` for alice with the PIN file and --yes, plus any
# extra options. Output in NAME.out and NAME.err; sets buy_status.
# Usage: buy NAME ITEM PRICE [OPTION...]
buy() {
  local name=$1 item=$2 price=$3
  shift 3
  buy_status=0
  timeout 60 "$sippay" customer buy --config "$deploy/alice.toml" --merchant sip:merchant@pay.test \
    --item "$item" --price "$price" "$@" >"$name.out" 2>"$name.err" </dev/null || buy_status=$?
}

# Fails unless the last buy exited with a status other than 0 and 124 (timeout)
# and its output contains the given text (case-insensitive extended regex).
expect_refused() {
  local name=$1 regex=$2
  [[ $buy_status -ne 0 ]] || fail "$name: sippay customer buy succeeded; expected a refusal"
  [[ $buy_status -ne 124 ]] || fail "$name: sippay customer buy did not finish within 60 s"
  grep -qiE -- "$regex" "$name.out" "$name.err" ||
    { cat "$name.out" "$name.err"; fail "$name: no message matching '$regex'"; }
}

# Prints the available stock of an item in the merchant's database: the
# catalog's stock minus sold and reserved units.
stock() {
  sqlite3 -readonly "$deploy/merchant.sqlite" "SELECT available FROM items WHERE item_id = '$1'"
}

# Fails unless an item's available stock reaches COUNT within 15 s. The
# merchant releases a reservation when the gateway's failure notice arrives,
# which may be after the customer has its answer.
expect_stock() {
  local item=$1 count=$2 tick
  for ((tick = 0; tick < 150; tick++)); do
    [[ $(stock "$item") == "$count" ]] && return 0
    sleep 0.1
  done
  fail "stock of $item: expected $count, got $(stock "$item")"
}

# Runs tampering_customer as alice with her PIN file for one coffee (2.50),
# plus the given options. Output in NAME.out and NAME.err; sets buy_status.
# Usage: tamper NAME [OPTION...]
tamper() {
  local name=$1
  shift
  [[ -n $tampering_customer ]] || fail "no tampering_customer binary given as the third argument"
  buy_status=0
  timeout 90 "$tampering_customer" --config "$deploy/alice.toml" --merchant sip:merchant@pay.test \
    --item coffee --price 250 --pin-file "$deploy/alice.pin" "$@" >"$name.out" 2>"$name.err" </dev/null ||
    buy_status=$?
}

# Fails unless the output file contains a line matching the extended regex.
expect_line() {
  local file=$1 regex=$2
  grep -qE -- "$regex" "$file" || { cat "$file"; fail "$file: no line matching '$regex'"; }
}

# Fails unless a log of the role (its first run from the demo and every
# restart) has a line matching the extended regex.
# Usage: expect_log gateway|merchant REGEX
expect_log() {
  local role=$1 regex=$2 file
  local files=("$deploy/logs/$role.err")
  for file in "$deploy/logs/$role"-*.err; do
    [[ -f $file ]] && files+=("$file")
  done
  grep -qE -- "$regex" "${files[@]}" || fail "no $role log line matching '$regex'"
}

restarts=0

# Stops the gateway (SIGTERM) and starts it again on the same files, with
# any VARIABLE=VALUE given in its environment (such as SIPPAY_FAILPOINT).
# Usage: restart_gateway [VARIABLE=VALUE...]
restart_gateway() {
  stop_pid "$gateway_pid"
  restarts=$((restarts + 1))
  start_background "$deploy/logs/gateway-$restarts.out" "$deploy/logs/gateway-$restarts.err" \
    env "$@" "$sippay" gateway --config "$deploy/gateway.toml"
  gateway_pid=$last_pid
  wait_for_lines "$deploy/logs/gateway-$restarts.out" 'listening' 1 20
}

# As restart_gateway, for the merchant; waits until it listens.
restart_merchant() {
  stop_pid "$merchant_pid"
  restarts=$((restarts + 1))
  start_background "$deploy/logs/merchant-$restarts.out" "$deploy/logs/merchant-$restarts.err" \
    env "$@" "$sippay" merchant --config "$deploy/merchant.toml"
  merchant_pid=$last_pid
  wait_for_lines "$deploy/logs/merchant-$restarts.out" 'listening' 1 20
}

# Waits up to SECONDS for a process to exit. Fails if it is still running.
expect_exit() {
  local pid=$1 seconds=$2 what=$3 tick
  for ((tick = 0; tick < seconds * 10; tick++)); do
    kill -0 "$pid" 2>/dev/null || { wait "$pid" 2>/dev/null || true; return 0; }
    sleep 0.1
  done
  fail "$what is still running after ${seconds}s"
}

# Fails unless the gateway's outbox is empty within SECONDS: every receipt
# and notice was delivered.
expect_gateway_outbox_empty() {
  local seconds=$1 tick rows
  for ((tick = 0; tick < seconds * 10; tick++)); do
    rows=$(sqlite3 -readonly "$deploy/ledger.sqlite" 'SELECT count(*) FROM gateway_outbox')
    [[ $rows == 0 ]] && return 0
    sleep 0.1
  done
  fail "the gateway's outbox still has $rows message(s) after ${seconds}s"
}
