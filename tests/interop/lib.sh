# Helpers shared by the interop test scripts. Source this file, then call
# interop_init. All traffic stays on 127.0.0.1.
#
# interop_init makes a temporary folder, changes into it and installs an EXIT
# trap that stops every process started with start_background. The folder is
# removed when the test passes. When it fails, the trap prints the end of
# every log in it and keeps the folder.

set -euo pipefail

interop_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
background_pids=()
last_pid=

interop_init() {
  work=$(mktemp -d "${TMPDIR:-/tmp}/sippay-interop.XXXXXX")
  cd "$work"
  trap interop_cleanup EXIT
}

interop_cleanup() {
  local status=$?
  local pid
  for pid in "${background_pids[@]}"; do
    stop_process "$pid" 5 >/dev/null 2>&1 || true
  done
  if [[ $status -eq 0 || $status -eq 77 ]]; then
    cd /
    rm -rf "$work"
    return
  fi
  local log
  for log in "$work"/*.out "$work"/*.err "$work"/*.log "$work"/*.screen; do
    [[ -f $log ]] || continue
    echo "---- last lines of $log"
    tail -n 25 "$log" | cut -c 1-300
  done
  echo "test files kept in $work"
}

fail() {
  echo "FAIL: $*" >&2
  exit 1
}

skip() {
  echo "SKIP: $*"
  exit 77
}

# Skips the test unless every named program is on PATH.
require_tools() {
  local tool
  for tool in "$@"; do
    command -v "$tool" >/dev/null || skip "$tool is not installed (scripts/bootstrap installs it)"
  done
}

# Prints a port that is free for both UDP and TCP on 127.0.0.1. Another
# process may take it before the caller binds it, so use it at once.
free_port() {
  python3 - <<'PYTHON'
import socket

while True:
    tcp = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    tcp.bind(("127.0.0.1", 0))
    port = tcp.getsockname()[1]
    udp = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        udp.bind(("127.0.0.1", port))
    except OSError:
        tcp.close()
        continue
    print(port)
    break
PYTHON
}

# Runs a command in the background with stdout and stderr in the given
# files, and records its pid in last_pid for stop_process.
# Usage: start_background STDOUT_FILE STDERR_FILE COMMAND [ARGUMENT...]
start_background() {
  local out=$1 err=$2
  shift 2
  "$@" >"$out" 2>"$err" </dev/null &
  last_pid=$!
  background_pids+=("$last_pid")
}

# Sends SIGTERM (or the given signal) and waits up to TIMEOUT seconds for the
# process to exit, then SIGKILL. Returns the process's exit status.
# Usage: stop_process PID [TIMEOUT_SECONDS] [SIGNAL]
stop_process() {
  local pid=$1 timeout=${2:-10} signal=${3:-TERM}
  local tick
  kill "-$signal" "$pid" 2>/dev/null || true
  for ((tick = 0; tick < timeout * 10; tick++)); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.1
  done
  if kill -0 "$pid" 2>/dev/null; then
    echo "process $pid did not exit ${timeout}s after SIG$signal; killing it" >&2
    kill -KILL "$pid" 2>/dev/null || true
  fi
  local status=0
  wait "$pid" 2>/dev/null || status=$?
  local remaining=() other
  for other in "${background_pids[@]}"; do
    [[ $other == "$pid" ]] || remaining+=("$other")
  done
  background_pids=("${remaining[@]}")
  return "$status"
}

# Waits up to TIMEOUT seconds until FILE has at least COUNT lines matching
# the extended regular expression.
# Usage: wait_for_lines FILE REGEX COUNT TIMEOUT_SECONDS
wait_for_lines() {
  local file=$1 regex=$2 count=$3 timeout=$4
  local tick
  for ((tick = 0; tick < timeout * 10; tick++)); do
    if [[ -f $file && $(grep -cE -- "$regex" "$file" || true) -ge $count ]]; then
      return 0
    fi
    sleep 0.1
  done
  fail "timed out after ${timeout}s waiting for $count line(s) matching '$regex' in $file"
}

# Waits up to TIMEOUT seconds until some process has bound 127.0.0.1:PORT or
# 0.0.0.0:PORT: a UDP socket, or a listening TCP socket. Reads /proc/net, so
# it needs no tools.
# Usage: wait_for_port udp|tcp PORT TIMEOUT_SECONDS
wait_for_port() {
  local protocol=$1 port=$2 timeout=$3
  local hex_port state_regex tick
  hex_port=$(printf '%04X' "$port")
  # /proc/net/tcp lists listening sockets in state 0A; UDP sockets are 07.
  state_regex='07'
  [[ $protocol == tcp ]] && state_regex='0A'
  for ((tick = 0; tick < timeout * 10; tick++)); do
    if awk -v port=":$hex_port" -v state="$state_regex" \
      '($2 == "0100007F" port || $2 == "00000000" port) && $4 == state { found = 1 } END { exit !found }' \
      "/proc/net/$protocol"; then
      return 0
    fi
    sleep 0.1
  done
  fail "timed out after ${timeout}s waiting for a $protocol socket on port $port"
}

# Starts `sippay ua listen` with the given options, waits for its
# "listening" events and sets listen_pid. Events go to NAME.out, logs to
# NAME.err.
# Usage: start_listen NAME SIPPAY [OPTION...]
start_listen() {
  local name=$1 sippay=$2
  shift 2
  local binds=0 argument
  for argument in "$@"; do
    [[ $argument == --bind ]] && binds=$((binds + 1))
  done
  start_background "$name.out" "$name.err" "$sippay" ua listen "$@"
  listen_pid=$last_pid
  wait_for_lines "$name.out" '"event":"listening"' "$binds" 10
}

# Prints the port of the PROTOCOL listening address in a listen output file.
# Usage: listening_port FILE udp|tcp|tls
listening_port() {
  local file=$1 protocol=$2 port
  port=$(sed -nE "s/.*\"event\":\"listening\",\"address\":\"$protocol:[^\"]*:([0-9]+)\".*/\1/p" "$file" |
    head -n 1)
  [[ -n $port ]] || fail "no $protocol listening address in $file"
  echo "$port"
}

# Prints the value of COLUMN in the last row of a SIPp -trace_stat file.
# Usage: sipp_stat FILE COLUMN
sipp_stat() {
  awk -F ';' -v column="$2" '
    NR == 1 { for (i = 1; i <= NF; i++) if ($i == column) index_of = i }
    END { if (index_of) print $index_of; else print "missing" }' "$1"
}

# Fails unless ACTUAL equals EXPECTED.
# Usage: expect_equal ACTUAL EXPECTED DESCRIPTION
expect_equal() {
  [[ $1 == "$2" ]] || fail "$3: expected $2, got $1"
}

# Prints how many lines of FILE contain STRING.
count_lines() {
  grep -cF -- "$2" "$1" || true
}

# Makes a test PKI with P-256 keys in the current folder:
#   ca, other-ca          self-signed CAs
#   server                from ca, SAN DNS:localhost and IP:127.0.0.1, serverAuth
#   client                from ca, clientAuth
#   rogue                 from other-ca, clientAuth
# Each NAME has NAME.crt and NAME.key (PEM).
make_test_pki() {
  make_ca ca "sippay interop test CA"
  make_ca other-ca "sippay interop other CA"
  make_leaf server ca "DNS:localhost,IP:127.0.0.1" serverAuth
  make_leaf client ca "DNS:client.test" clientAuth
  make_leaf rogue other-ca "DNS:client.test" clientAuth
}

# Usage: make_ca NAME COMMON_NAME
make_ca() {
  openssl req -x509 -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$1.key" -out "$1.crt" -days 2 -subj "/CN=$2" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign \
    2>>openssl.log
}

# Usage: make_leaf NAME ISSUER SUBJECT_ALT_NAME EXTENDED_KEY_USAGE
make_leaf() {
  local name=$1 issuer=$2 san=$3 usage=$4
  openssl req -new -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes \
    -keyout "$name.key" -out "$name.csr" -subj "/CN=$name" 2>>openssl.log
  printf 'basicConstraints=CA:FALSE\nkeyUsage=critical,digitalSignature\nextendedKeyUsage=%s\nsubjectAltName=%s\n' \
    "$usage" "$san" >"$name.ext"
  openssl x509 -req -in "$name.csr" -CA "$issuer.crt" -CAkey "$issuer.key" -CAcreateserial \
    -out "$name.crt" -days 2 -extfile "$name.ext" 2>>openssl.log
}
