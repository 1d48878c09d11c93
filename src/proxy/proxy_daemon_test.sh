#!/usr/bin/env bash
# Drives `sippay proxy` as a process, with `sippay ua` processes as peers.
# A bad config exits 2 naming the key. Bob registers with Digest, and alice
# sends him a MESSAGE with proxy credentials. A wrong password gets 403 and
# an unknown user 404. SIGUSR1 prints the counters, and SIGTERM prints them
# and exits 0. A restart keeps bob's binding in the SQLite file. A [tls] crl
# that is not a CRL stops the start naming the file; SIGHUP reloads a good
# one, and a bad file on SIGHUP keeps the CRL in use.
#
# Usage: proxy_daemon_test.sh SIPPAY_BINARY LIB_SH
set -euo pipefail

sippay=$1
# shellcheck source=/dev/null
source "$2"
interop_init

python3 - <<'PYTHON' >users.ha1
import hashlib
for user, password in (("alice", "alice-secret"), ("bob", "bob-secret")):
    for name, hash_function in (("SHA-256", hashlib.sha256), ("MD5", hashlib.md5)):
        ha1 = hash_function(f"{user}:pay.test:{password}".encode()).hexdigest()
        print(user, "pay.test", name, ha1)
PYTHON

port=$(free_port)
write_config() {
  cat >proxy.toml <<TOML
[proxy]
domains = ["pay.test", "127.0.0.1"]
listen = ["udp:127.0.0.1:$port", "tcp:127.0.0.1:$port"]
[auth]
realm = "pay.test"
credentials = "users.ha1"
[registrar]
database = "location.sqlite"
$1
TOML
}

# A bad config exits 2 with the key and what to do.
write_config '[limits]
over_limit = "ignore"'
status=0
"$sippay" proxy --config proxy.toml >bad.out 2>bad.err || status=$?
expect_equal "$status" 2 "exit status for a bad config"
grep -q '\[limits\] over_limit: "ignore" is invalid; use "reply" or "drop"' bad.err ||
  fail "the error does not name the key: $(cat bad.err)"

write_config ""
start_background proxy.out proxy.err "$sippay" proxy --config proxy.toml
proxy_pid=$last_pid
wait_for_lines proxy.out '"event":"listening"' 2 10
expect_equal "$(listening_port proxy.out udp)" "$port" "the proxy's UDP port"

start_listen bob "$sippay" --bind "udp:127.0.0.1:0"
bob_port=$(listening_port bob.out udp)
"$sippay" ua register --registrar "sip:127.0.0.1:$port" --aor sip:bob@pay.test \
  --contact "sip:bob@127.0.0.1:$bob_port" --user bob --password bob-secret --once \
  --bind udp:127.0.0.1:0 >register.out 2>register.err
grep -q '"result":"200 OK"' register.out || fail "bob did not register: $(cat register.out)"

printf 'pay 10.00' >body
send() {
  "$sippay" ua send --to "$1" --via "sip:127.0.0.1:$port" --from sip:alice@pay.test \
    --user alice --password "$2" --body-file body >send.out 2>send.err || true
}
send sip:bob@pay.test alice-secret
grep -qx '200 OK' send.out || fail "alice's MESSAGE did not get 200: $(cat send.err)"
wait_for_lines bob.out '"event":"message".*alice@pay.test' 1 5

send sip:bob@pay.test wrong
grep -q '403 Forbidden' send.err || fail "a wrong password did not get 403: $(cat send.err)"
send sip:nobody@pay.test alice-secret
grep -q '404 Not Found' send.err || fail "an unknown user did not get 404: $(cat send.err)"

kill -USR1 "$proxy_pid"
wait_for_lines proxy.out '"event":"counters"' 1 5
grep '"event":"counters"' proxy.out | grep -q '"forwarded":1,' || fail "counters: $(tail -1 proxy.out)"
grep -q 'rejected MESSAGE from udp:127.0.0.1:[0-9]* with 404 (not_found), Call-ID' proxy.err ||
  fail "no log line for the 404"

stop_process "$proxy_pid" 10 || fail "the proxy did not exit 0 on SIGTERM"
expect_equal "$(count_lines proxy.out '"event":"counters"')" 2 "counter lines after SIGTERM"
grep '"event":"counters"' proxy.out | tail -1 | grep -q '"not_found":1,' || fail "final counters: $(tail -1 proxy.out)"

# The binding survives a restart; at --log-level warn rejections are not logged.
start_background proxy2.out proxy2.err "$sippay" proxy --config proxy.toml --log-level warn
proxy_pid=$last_pid
wait_for_lines proxy2.out '"event":"listening"' 2 10
send sip:bob@pay.test alice-secret
grep -qx '200 OK' send.out || fail "after a restart the MESSAGE did not get 200: $(cat send.err)"
wait_for_lines bob.out '"event":"message"' 2 5
expect_equal "$(count_lines proxy2.err 'rejected MESSAGE')" 0 "rejection lines at --log-level warn"
stop_process "$proxy_pid" 10 || fail "the restarted proxy did not exit 0 on SIGTERM"

# [tls] crl: a file without a CRL stops the start with status 2, naming it.
"$sippay" pki init --dir pki --name "proxy test CA" >pki.out
printf 'not a CRL\n' >bad-crl.pem
write_config '[tls]
ca = "pki/ca.pem"
crl = "bad-crl.pem"'
status=0
"$sippay" proxy --config proxy.toml >bad-crl.out 2>bad-crl.err || status=$?
expect_equal "$status" 2 "exit status for a bad [tls] crl"
grep -q '\[tls\] crl: ".*bad-crl.pem" cannot be used' bad-crl.err || fail "the error does not name crl: $(cat bad-crl.err)"
grep -q 'CRL file ".*bad-crl.pem" contains no PEM CRL' bad-crl.err || fail "the log does not say why: $(cat bad-crl.err)"

# SIGHUP reloads a good CRL; a bad file keeps the CRL in use.
write_config '[tls]
ca = "pki/ca.pem"
crl = "pki/crl.pem"'
start_background proxy3.out proxy3.err "$sippay" proxy --config proxy.toml
proxy_pid=$last_pid
wait_for_lines proxy3.out '"event":"listening"' 2 10
kill -HUP "$proxy_pid"
wait_for_lines proxy3.err 'TLS handshakes from now on check peers against the CRLs of ".*pki/crl.pem"' 1 10
printf 'not a CRL\n' >pki/crl.pem
kill -HUP "$proxy_pid"
wait_for_lines proxy3.err 'TLS CRL reload failed: CRL file ".*pki/crl.pem" contains no PEM CRL.*; the CRL in use stays' 1 10
send sip:bob@pay.test alice-secret
grep -qx '200 OK' send.out || fail "after the CRL reloads the MESSAGE did not get 200: $(cat send.err)"
stop_process "$proxy_pid" 10 || fail "the proxy with a CRL did not exit 0 on SIGTERM"
echo "proxy daemon: config error, register, relay, rejections, counters, restart, TLS CRL all passed"
