#!/usr/bin/env bash
# MESSAGE relay rate of `sippay proxy` against Kamailio doing the same job,
# in one run over UDP on 127.0.0.1.
#
# Each proxy registers one SIPp UAS (tests/interop/sipp/uas_message.xml) as
# merchant's contact, then relays statefully to it what a SIPp UAC sends:
# MESSAGE requests to merchant with a 523-byte S/MIME body
# (tests/interop/sipp/uac_message.xml, body.p7m). Neither proxy
# authenticates the MESSAGEs: sippay runs with challenge_requests = false and
# token buckets too large to limit, Kamailio with bench/kamailio_relay.cfg.in,
# which has no auth and no pike. Both have PROXY_WORKERS UDP workers: sippay
# `workers = N`, Kamailio `-n N` (its main and timer processes come on top).
# Kamailio runs with `-m 1024` MB of shared memory and `--debug=1`.
#
# At each rate step the two proxies take turns, for the same duration each.
# A proxy's steps stop at the first one with failed calls or with an achieved
# rate below 95% of the step's rate. The other proxy goes on stepping. The
# achieved rate is SuccessfulCall(C) divided by the time from SIPp's
# StartTime to its last CurrentTime. CPU time per call is the growth of the
# proxy's user plus system time in /proc (all Kamailio processes summed) over
# the step, divided by SuccessfulCall(C). Receive buffer drops are the growth
# of the system-wide UDP RcvbufErrors in /proc/net/snmp over the step, and
# the proxy and UAS drops those of the proxy's and the UAS's own sockets. The
# script prints each step, the highest rate each proxy sustained, the ratio
# sippay / Kamailio, and sippay's peak resident memory (VmHWM).
#
# The same SIPp UAS answers for both proxies, so its own limit caps both.
#
# When SIPPAY has no `proxy` command yet, only Kamailio is measured.
#
# Usage: bench/proxy_load.sh [SIPPAY]
#   SIPPAY               the sippay binary (default: build-bench/sippay)
# Environment:
#   PROXY_RATES          rate steps in calls per second (default: "1000 2000 3000 4000 6000 8000 10000 12000")
#   PROXY_STEP_SECONDS   duration of each step (default: 5)
#   PROXY_WORKERS        UDP workers of each proxy (default: 1)
#
# Exits with status 0 when every step ran, even if a proxy failed calls, and
# 1 when a tool is missing or a proxy did not start or stop cleanly.
# shellcheck source=../tests/interop/lib.sh
source "$(dirname "$0")/../tests/interop/lib.sh"
# shellcheck source=../tests/interop/proxy_lib.sh
source "$interop_dir/proxy_lib.sh"

bench_dir=$(cd "$(dirname "$0")" && pwd)
sippay=$(realpath "${1:-build-bench/sippay}")
rates=${PROXY_RATES:-1000 2000 3000 4000 6000 8000 10000 12000}
step_seconds=${PROXY_STEP_SECONDS:-5}
workers=${PROXY_WORKERS:-1}
kamailio_shared_memory_mb=1024
min_achieved=0.95

[[ -x $sippay ]] || fail "$sippay not found or not executable; run 'make bench' first or pass its path"
for tool in sipp kamailio python3; do
  command -v "$tool" >/dev/null || fail "$tool is not installed (scripts/bootstrap installs it)"
done
interop_init

cp "$interop_dir/sipp/uac_message.xml" "$interop_dir/sipp/uas_message.xml" "$interop_dir/sipp/body.p7m" .

echo "proxy relay load: MESSAGE over UDP on 127.0.0.1, $(stat -c %s body.p7m)-byte body," \
  "${step_seconds} s per step, $workers UDP worker(s) per proxy, no authentication"
echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
  "load average at start $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "$(kamailio -v | head -n 1); $(sipp -v 2>&1 | grep -o 'SIPp v[0-9.]*' | head -n 1)"

uas_port=$(free_port)
start_background uas.out uas.err \
  sipp -sf uas_message.xml -i 127.0.0.1 -p "$uas_port" -nostdin -default_behaviors all,-bye \
  -trace_screen -screen_file uas.screen
uas_pid=$last_pid
wait_for_port udp "$uas_port" 10

# Registers the UAS as merchant's contact at the proxy on PORT with
# `sippay ua register`, which computes Digest with SHA-256 or MD5. SIPp's
# REGISTER would need an MD5 challenge first, and registration is not what
# this benchmark measures.
# Usage: register_uas PORT
register_uas() {
  "$sippay" ua register --registrar "sip:127.0.0.1:$1" --aor sip:merchant@127.0.0.1 \
    --contact "sip:merchant@127.0.0.1:$uas_port" --user merchant --password merchantpw --expires 3600 \
    --once >"register-$1.out" 2>"register-$1.err" ||
    fail "registering the UAS at port $1 failed: $(cat "register-$1.out" "register-$1.err")"
  grep -q '"result":"200 OK"' "register-$1.out" || fail "REGISTER at port $1 got no 200: $(cat "register-$1.out")"
}

# Kamailio in the foreground (-DD), logging to stderr (-E).
kamailio_port=$(free_port)
mkdir kamailio-run
sed "s/@PORT@/$kamailio_port/" "$bench_dir/kamailio_relay.cfg.in" >kamailio.cfg
start_background kamailio.out kamailio.err \
  kamailio -f "$PWD/kamailio.cfg" -DD -E -n "$workers" -m "$kamailio_shared_memory_mb" --debug=1 \
  -Y "$PWD/kamailio-run" -P "$PWD/kamailio-run/kamailio.pid"
kamailio_pid=$last_pid
wait_for_port udp "$kamailio_port" 10
register_uas "$kamailio_port"

proxies=(kamailio)
declare -A port_of=([kamailio]=$kamailio_port)
if "$sippay" --help | grep -qE "^ +proxy "; then
  sippay_port=$(free_port)
  PROXY_DIGEST_ALGORITHMS= PROXY_CHALLENGE=false PROXY_RATE=100000000 PROXY_BURST=100000000 PROXY_MAX_IN_FLIGHT=10000000 \
    PROXY_WORKERS=$workers write_proxy_config "$PWD/proxy.toml" "$sippay_port"
  start_proxy "$sippay" "$PWD/proxy.toml" "$sippay_port"
  sippay_pid=$proxy_pid
  register_uas "$sippay_port"
  proxies=(sippay kamailio)
  port_of[sippay]=$sippay_port
else
  echo "$sippay has no proxy command: measuring Kamailio only"
fi

# Prints the pids of PROXY: sippay's one process, or Kamailio's main process
# and its children.
proxy_pids() {
  if [[ $1 == sippay ]]; then
    echo "$sippay_pid"
  else
    echo "$kamailio_pid" $(ps -o pid= --ppid "$kamailio_pid")
  fi
}

# Prints the user plus system CPU time, in clock ticks, summed over PIDS.
cpu_ticks_of() {
  local pid total=0
  for pid in "$@"; do
    # After the parenthesized command name, utime and stime (fields 14 and
    # 15 of proc(5)) are the 12th and 13th words.
    total=$((total + $(sed 's/^.*) //' "/proc/$pid/stat" | awk '{ print $12 + $13 }')))
  done
  echo "$total"
}
clock_ticks_per_second=$(getconf CLK_TCK)

# Prints the seconds from StartTime to CurrentTime in the last row of a
# -trace_stat file. Each field is "DATE<TAB>TIME<TAB>EPOCH_SECONDS".
elapsed_seconds() {
  awk -F ';' '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "StartTime") s = i; if ($i == "CurrentTime") c = i } }
    END { split($s, start, "\t"); split($c, now, "\t"); printf "%.3f\n", now[3] - start[3] }' "$1"
}

# Prints the system-wide count of UDP datagrams dropped for a full receive
# buffer.
udp_receive_buffer_errors() {
  awk '$1 == "Udp:" { if (!column) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") column = i } else print $column }' \
    /proc/net/snmp
}

# Prints the datagrams dropped so far by the UDP sockets bound to
# 127.0.0.1:PORT: the sum of their sk_drops, which ss shows as "d" in skmem.
socket_drops() {
  ss -uamnH "sport = :$1" | sed -nE 's/.*skmem:\(.*,d([0-9]+)\).*/\1/p' | awk '{ total += $1 } END { print total + 0 }'
}

# Runs one step: the SIPp UAC at RATE calls per second for step_seconds
# through PROXY. Prints "successful failed retransmissions achieved_rate
# cpu_microseconds receive_buffer_drops proxy_socket_drops uas_socket_drops".
# Usage: run_step PROXY RATE
run_step() {
  local proxy=$1 rate=$2
  local calls=$((rate * step_seconds)) stat="$1-$2.csv" status=0 pids ticks_before drops_before
  read -r -a pids < <(proxy_pids "$proxy")
  ticks_before=$(cpu_ticks_of "${pids[@]}")
  drops_before=$(udp_receive_buffer_errors)
  local proxy_drops_before uas_drops_before
  proxy_drops_before=$(socket_drops "${port_of[$proxy]}")
  uas_drops_before=$(socket_drops "$uas_port")
  timeout $((step_seconds * 4 + 30)) \
    sipp -sf uac_message.xml -key bodyfile "$PWD/body.p7m" -key caller alice -s merchant \
    -i 127.0.0.1 -p "$(free_port)" "127.0.0.1:${port_of[$proxy]}" -r "$rate" -m "$calls" -nostdin \
    -default_behaviors all,-bye -timeout $((step_seconds * 3 + 20))s -timeout_error \
    -trace_stat -stf "$stat" >"$proxy-$rate.uac.out" 2>"$proxy-$rate.uac.err" </dev/null || status=$?
  if [[ ! -s $stat ]]; then
    echo "SIPp UAC exited with status $status and wrote no statistics; see $proxy-$rate.uac.err" >&2
    echo "0 $calls 0 0 0 0 0 0"
    return
  fi
  local successful elapsed
  successful=$(sipp_stat "$stat" 'SuccessfulCall(C)')
  elapsed=$(elapsed_seconds "$stat")
  echo "$successful $(sipp_stat "$stat" 'FailedCall(C)') $(sipp_stat "$stat" 'Retransmissions(C)')" \
    "$(awk -v s="$successful" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? s / e : 0) }')" \
    $((($(cpu_ticks_of "${pids[@]}") - ticks_before) * 1000000 / clock_ticks_per_second)) \
    $(($(udp_receive_buffer_errors) - drops_before)) \
    $(($(socket_drops "${port_of[$proxy]}") - proxy_drops_before)) $(($(socket_drops "$uas_port") - uas_drops_before))
}

declare -A sustained_rate=([sippay]=0 [kamailio]=0) sustained_achieved=([sippay]=0 [kamailio]=0)
declare -A active=([sippay]=1 [kamailio]=1)
declare -A achieved_at cpu_per_call_at sustained_at

printf '\n%-7s %-9s %7s %10s %6s %7s %10s %12s %13s %12s %10s\n' \
  rate/s proxy calls successful failed retrans achieved/s 'cpu us/call' 'rcvbuf drops' 'proxy drops' 'UAS drops'
for rate in $rates; do
  for proxy in "${proxies[@]}"; do
    [[ ${active[$proxy]} == 1 ]] || continue
    read -r successful failed retransmissions achieved cpu_microseconds drops proxy_drops uas_drops \
      < <(run_step "$proxy" "$rate")
    achieved_at[$proxy-$rate]=$achieved
    cpu_per_call_at[$proxy-$rate]=$(awk -v c="$cpu_microseconds" -v s="$successful" \
      'BEGIN { printf "%.1f", (s > 0 ? c / s : 0) }')
    printf '%-7s %-9s %7d %10d %6d %7d %10d %12s %13d %12d %10d\n' "$rate" "$proxy" $((rate * step_seconds)) \
      "$successful" "$failed" "$retransmissions" "$achieved" "${cpu_per_call_at[$proxy-$rate]}" "$drops" \
      "$proxy_drops" "$uas_drops"
    if [[ $failed -eq 0 ]] &&
      awk -v a="$achieved" -v r="$rate" -v m="$min_achieved" 'BEGIN { exit !(a >= m * r) }'; then
      sustained_rate[$proxy]=$rate
      sustained_achieved[$proxy]=$achieved
      sustained_at[$proxy-$rate]=1
    else
      active[$proxy]=0
    fi
  done
  [[ ${active[kamailio]} == 1 || (${#proxies[@]} -eq 2 && ${active[sippay]} == 1) ]] || break
done

echo
echo "load average at end $(cut -d ' ' -f 1-3 /proc/loadavg)"
echo "highest rate sustained (no failed call, achieved >= 95% of the step): Kamailio" \
  "${sustained_rate[kamailio]}/s (achieved ${sustained_achieved[kamailio]}/s)"
if [[ ${#proxies[@]} -eq 2 ]]; then
  for rate in $rates; do
    [[ -n ${achieved_at[sippay-$rate]:-} && -n ${achieved_at[kamailio-$rate]:-} ]] || continue
    # Only steps both proxies sustained compare: a step with failed or
    # unfinished calls lasts until SIPp or Timer F gives up on them.
    [[ ${sustained_at[sippay-$rate]:-0} == 1 && ${sustained_at[kamailio-$rate]:-0} == 1 ]] || continue
    awk -v r="$rate" -v a="${achieved_at[sippay-$rate]}" -v b="${achieved_at[kamailio-$rate]}" \
      -v ca="${cpu_per_call_at[sippay-$rate]}" -v cb="${cpu_per_call_at[kamailio-$rate]}" 'BEGIN {
        if (b > 0 && cb > 0)
          printf "at %d/s: sippay / Kamailio achieved rate = %.2f, CPU per call = %.2f\n", r, a / b, ca / cb
      }'
  done
  echo "highest rate sustained: sippay ${sustained_rate[sippay]}/s (achieved ${sustained_achieved[sippay]}/s)"
  awk -v a="${sustained_rate[sippay]}" -v b="${sustained_rate[kamailio]}" 'BEGIN {
      if (b > 0) printf "ratio of sustained rates sippay / Kamailio = %.2f\n", a / b
      else print "ratio of sustained rates sippay / Kamailio: none, Kamailio sustained no step"
    }'
  echo "sippay proxy resident memory: peak (VmHWM) $(awk '$1 == "VmHWM:" { print $2, $3 }' "/proc/$sippay_pid/status")," \
    "at end (VmRSS) $(awk '$1 == "VmRSS:" { print $2, $3 }' "/proc/$sippay_pid/status")"
fi
top_rate=${rates##* }
for proxy in "${proxies[@]}"; do
  if [[ ${sustained_rate[$proxy]} == "$top_rate" ]]; then
    echo "$proxy sustained the top step, so its limit is higher; add steps to PROXY_RATES to find it"
  fi
done
# Proportional set size counts each shared page once across the processes
# that map it, so the sum is Kamailio's share of memory.
kamailio_pss_kb=0
read -r -a kamailio_pids < <(proxy_pids kamailio)
for pid in "${kamailio_pids[@]}"; do
  kamailio_pss_kb=$((kamailio_pss_kb + $(awk '$1 == "Pss:" { print $2 }' "/proc/$pid/smaps_rollup")))
done
echo "Kamailio: ${#kamailio_pids[@]} processes, proportional set size at end $kamailio_pss_kb kB"

if [[ ${#proxies[@]} -eq 2 ]]; then
  sippay_status=0
  stop_process "$sippay_pid" 10 || sippay_status=$?
  echo "sippay proxy exit status $sippay_status after SIGTERM; counters at exit:" \
    "$(grep -F '"event":"counters"' proxy.out | tail -n 1)"
  [[ $sippay_status -eq 0 ]] || fail "sippay proxy exited with status $sippay_status after SIGTERM"
fi
stop_process "$kamailio_pid" 10 || true
stop_process "$uas_pid" 10 USR1 || true
# SIPp discards a request for a call it has finished, so when a proxy loses
# the UAS's 200, the UAS ignores the proxy's retransmissions of the request
# and the proxy ends the transaction with 408 after Timer F.
echo "SIPp UAS: $(grep -oE '[0-9]+ dead call msg' uas.screen | tail -n 1) (requests for finished calls, discarded)"
