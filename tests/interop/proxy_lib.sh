# Helpers for the interop tests of `sippay proxy`. Source lib.sh first, then
# this file, then call interop_init.
#
# The proxy serves the domains pay.test and 127.0.0.1 with the realm
# pay.test. Its credential file has three users: alice (alicepw), merchant
# (merchantpw) and bob (bobpw), each with an MD5 and a SHA-256 HA1.
#
# The proxy challenges with MD5 only, because SIPp 3.6.1 and sipsak 0.9.8.1
# take the first challenge of a 401 or 407 and support no algorithm but MD5:
# SIPp fails the call ("authentication must use MD5 or AKAv1-MD5") and sipsak
# exits ("unsupported authentication algorithm") when SHA-256 comes first.

proxy_realm=pay.test

# Writes the credential file FILE for alice, merchant and bob.
# Usage: write_proxy_credentials FILE
write_proxy_credentials() {
  local file=$1 user password
  : >"$file"
  for user in alice merchant bob; do
    password=${user}pw
    printf '%s %s MD5 %s\n' "$user" "$proxy_realm" \
      "$(printf '%s:%s:%s' "$user" "$proxy_realm" "$password" | md5sum | cut -d ' ' -f 1)" >>"$file"
    printf '%s %s SHA-256 %s\n' "$user" "$proxy_realm" \
      "$(printf '%s:%s:%s' "$user" "$proxy_realm" "$password" | sha256sum | cut -d ' ' -f 1)" >>"$file"
  done
}

# Writes the proxy configuration FILE (and users.ha1 beside it) for UDP and
# TCP on 127.0.0.1:PORT. These variables change the defaults:
#   PROXY_CHALLENGE          challenge_requests (default true)
#   PROXY_DIGEST_ALGORITHMS  Digest algorithms to challenge with (default ["MD5"];
#                            set but empty leaves the key out)
#   PROXY_RATE, PROXY_BURST  token bucket per source address (default 1000, 2000)
#   PROXY_MAX_MESSAGE_BYTES  max_message_bytes (default 65535)
#   PROXY_MAX_IN_FLIGHT      max_in_flight (default 10000)
#   PROXY_WORKERS            workers (default 1)
#   PROXY_DATABASE           registrar database file (default: in memory)
# Usage: write_proxy_config FILE PORT
write_proxy_config() {
  local file=$1 port=$2 database_line= algorithms_line=
  write_proxy_credentials "$(dirname "$file")/users.ha1"
  [[ -n ${PROXY_DATABASE:-} ]] && database_line="database = \"$PROXY_DATABASE\""
  [[ -n ${PROXY_DIGEST_ALGORITHMS-x} ]] && algorithms_line="algorithms = ${PROXY_DIGEST_ALGORITHMS:-[\"MD5\"]}"
  cat >"$file" <<TOML
[proxy]
domains = ["pay.test", "127.0.0.1"]
listen = ["udp:127.0.0.1:$port", "tcp:127.0.0.1:$port"]
workers = ${PROXY_WORKERS:-1}

[auth]
realm = "$proxy_realm"
credentials = "users.ha1"
nonce_lifetime = 300
challenge_requests = ${PROXY_CHALLENGE:-true}
$algorithms_line

[registrar]
$database_line
min_expires = 60
max_expires = 86400
default_expires = 3600
max_contacts = 10

[limits]
rate = ${PROXY_RATE:-1000}
burst = ${PROXY_BURST:-2000}
over_limit = "reply"
retry_after = 5
max_in_flight = ${PROXY_MAX_IN_FLIGHT:-10000}
max_message_bytes = ${PROXY_MAX_MESSAGE_BYTES:-65535}

[policy]
forward_to_other_domains = false
TOML
}

# Starts `sippay proxy --config CONFIG` listening on PORT (UDP and TCP),
# waits for both sockets and sets proxy_pid. Output goes to proxy.out, logs
# to proxy.err.
# Usage: start_proxy SIPPAY CONFIG PORT
start_proxy() {
  local sippay=$1 config=$2 port=$3
  start_background proxy.out proxy.err "$sippay" proxy --config "$config"
  proxy_pid=$last_pid
  local tick
  for ((tick = 0; tick < 100; tick++)); do
    kill -0 "$proxy_pid" 2>/dev/null || fail "sippay proxy exited at start: $(tail -n 5 proxy.err)"
    if proxy_port_bound udp "$port" && proxy_port_bound tcp "$port"; then
      return 0
    fi
    sleep 0.1
  done
  fail "sippay proxy did not bind udp and tcp 127.0.0.1:$port within 10 s"
}

# Returns 0 when a UDP socket or a listening TCP socket is bound to
# 127.0.0.1:PORT.
# Usage: proxy_port_bound udp|tcp PORT
proxy_port_bound() {
  local state=07
  [[ $1 == tcp ]] && state=0A
  awk -v port=":$(printf '%04X' "$2")" -v state="$state" \
    '$2 == "0100007F" port && $4 == state { found = 1 } END { exit !found }' "/proc/net/$1"
}

# Sends SIGUSR1 to the proxy, waits for the counter line it prints (a JSON
# object with "event":"counters" on one line of proxy.out) and copies that
# line to FILE.
# Usage: proxy_counters FILE
proxy_counters() {
  local file=$1 before tick
  before=$(count_lines proxy.out '"event":"counters"')
  kill -USR1 "$proxy_pid"
  for ((tick = 0; tick < 100; tick++)); do
    if [[ $(count_lines proxy.out '"event":"counters"') -gt $before ]]; then
      grep -F '"event":"counters"' proxy.out | tail -n 1 >"$file"
      return 0
    fi
    sleep 0.1
  done
  fail "sippay proxy printed no counter line within 10 s of SIGUSR1"
}

# Prints the number under KEY in the JSON object of FILE, searching nested
# objects too, or "missing".
# Usage: json_number FILE KEY
json_number() {
  python3 - "$1" "$2" <<'PYTHON'
import json
import sys

def find(value, key):
    if isinstance(value, dict):
        if key in value and isinstance(value[key], (int, float)):
            return value[key]
        for child in value.values():
            found = find(child, key)
            if found is not None:
                return found
    return None

with open(sys.argv[1]) as file:
    found = find(json.loads(file.readline()), sys.argv[2])
print("missing" if found is None else found)
PYTHON
}

# Registers USER's CONTACT (host:port;transport=...) at the proxy on PORT
# with SIPp and Digest; fails the test unless the REGISTER got 200.
# Usage: sipp_register USER PASSWORD CONTACT PORT
sipp_register() {
  local user=$1 password=$2 contact=$3 port=$4 local_port status=0
  local_port=$(free_port)
  timeout 30 sipp -sf "$interop_dir/sipp/proxy_register.xml" -s "$user" -au "$user" -ap "$password" \
    -key contact "$contact" -i 127.0.0.1 -p "$local_port" "127.0.0.1:$port" -m 1 -nostdin \
    -timeout 20s -timeout_error -trace_stat -stf "register-$user.csv" \
    >"register-$user.out" 2>"register-$user.err" || status=$?
  expect_equal "$status" 0 "SIPp REGISTER of $user exit status"
  expect_equal "$(sipp_stat "register-$user.csv" 'SuccessfulCall(C)')" 1 "successful REGISTER calls of $user"
}

# Runs sipsak with ARGUMENTS, its output and errors in FILE, for up to 20 s,
# and returns its exit status. sipsak prints the reply that makes it fail on
# standard error and the others on standard output, so standard output is
# made line-buffered to keep the two in order.
# Usage: run_sipsak FILE ARGUMENT...
run_sipsak() {
  local file=$1
  shift
  timeout 20 stdbuf -oL sipsak "$@" >"$file" 2>&1
}

# Prints the status code of the last response in a sipsak -vv output.
# Usage: sipsak_final_status FILE
sipsak_final_status() {
  sed -nE 's/^ *SIP\/2\.0 ([2-6][0-9][0-9]) .*/\1/p' "$1" | tail -n 1
}
