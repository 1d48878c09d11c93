#!/usr/bin/env bash
# SIPp load against `sippay ua listen` and against SIPp's own UAS, in one
# run over UDP on 127.0.0.1. A SIPp UAC sends MESSAGE requests with a
# 523-byte S/MIME body (tests/interop/sipp/uac_message.xml, body.p7m) at
# each rate step for the same duration, to both listeners in turn. A
# listener's steps stop at the first one with failed calls or with an
# achieved rate below 95% of the step's rate.
#
# The achieved rate of a step is SuccessfulCall(C) divided by the time from
# SIPp's StartTime to its last CurrentTime, both read from the -trace_stat
# CSV. The listener's CPU time per call is the growth of its user plus
# system time in /proc/PID/stat over the step, divided by SuccessfulCall(C).
# The receive buffer drops are the growth of the system-wide UDP
# RcvbufErrors counter in /proc/net/snmp over the step. The script prints
# each step, the highest rate each listener sustained, the ratio sippay /
# SIPp UAS of the achieved rates, and the ratio of CPU time per call.
#
# SIPp 3.6.1 sets SO_SNDBUF and SO_RCVBUF to -buff_size bytes (65535 by
# default, seen with strace) and Linux doubles the value (socket(7)), while
# sippay keeps the kernel's default, net.core.rmem_default. Both SIPp
# processes get half of rmem_default, so every socket in the test has the
# same receive buffer.
#
# Usage: bench/sipp_load.sh [SIPPAY]
#   SIPPAY              the sippay binary (default: build-bench/sippay)
# Environment:
#   SIPP_RATES          rate steps in calls per second (default: "2000 4000 8000 12000 16000")
#   SIPP_STEP_SECONDS   duration of each step (default: 5)
#
# Exits with status 0 when every step ran, even if a listener failed calls,
# and 1 when a tool is missing or a listener did not start or stop cleanly.
# shellcheck source=../tests/interop/lib.sh
source "$(dirname "$0")/../tests/interop/lib.sh"

sippay=$(realpath "${1:-build-bench/sippay}")
rates=${SIPP_RATES:-2000 4000 8000 12000 16000}
step_seconds=${SIPP_STEP_SECONDS:-5}
min_achieved=0.95
sipp_buffer_bytes=$(($(cat /proc/sys/net/core/rmem_default) / 2))

[[ -x $sippay ]] || fail "$sippay not found or not executable; run 'make bench' first or pass its path"
command -v sipp >/dev/null || fail "sipp is not installed (scripts/bootstrap installs the Debian package sip-tester)"
command -v python3 >/dev/null || fail "python3 is not installed"
interop_init

cp "$interop_dir/sipp/uac_message.xml" "$interop_dir/sipp/uas_message.xml" "$interop_dir/sipp/body.p7m" .

echo "SIPp load: MESSAGE over UDP on 127.0.0.1, $(stat -c %s body.p7m)-byte body, ${step_seconds} s per step," \
  "SIPp -buff_size $sipp_buffer_bytes"
echo "machine: nproc $(nproc), $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -n 1)," \
  "load average at start $(cut -d ' ' -f 1-3 /proc/loadavg)"

# The two listeners, started once and kept for every step.
start_listen sippay "$sippay" --bind udp:127.0.0.1:0
sippay_pid=$listen_pid
sippay_port=$(listening_port sippay.out udp)

sipp_uas_port=$(free_port)
start_background sipp_uas.out sipp_uas.err \
  sipp -sf uas_message.xml -i 127.0.0.1 -p "$sipp_uas_port" -buff_size "$sipp_buffer_bytes" -nostdin \
  -default_behaviors all,-bye
sipp_uas_pid=$last_pid
wait_for_port udp "$sipp_uas_port" 10

# Prints the seconds from StartTime to CurrentTime in the last row of a
# -trace_stat file. Each field is "DATE<TAB>TIME<TAB>EPOCH_SECONDS".
sipp_elapsed_seconds() {
  awk -F ';' '
    NR == 1 { for (i = 1; i <= NF; i++) { if ($i == "StartTime") s = i; if ($i == "CurrentTime") c = i } }
    END { split($s, start, "\t"); split($c, now, "\t"); printf "%.3f\n", now[3] - start[3] }' "$1"
}

# Prints the user plus system CPU time of process PID in clock ticks.
cpu_ticks() {
  # The fields after the parenthesized command name start with the state,
  # field 3 of proc(5), so utime and stime (fields 14 and 15) are $12 and $13.
  sed 's/^.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'
}
clock_ticks_per_second=$(getconf CLK_TCK)

# Prints the system-wide count of UDP datagrams dropped for a full receive
# buffer.
udp_receive_buffer_errors() {
  awk '$1 == "Udp:" { if (!column) { for (i = 2; i <= NF; i++) if ($i == "RcvbufErrors") column = i } else print $column }' \
    /proc/net/snmp
}

# Runs one step: SIPp UAC at RATE calls per second for step_seconds against
# 127.0.0.1:PORT, where process PID listens. Prints "successful failed
# retransmissions achieved_rate listener_cpu_microseconds receive_buffer_drops".
# Usage: run_step NAME PORT RATE PID
run_step() {
  local name=$1 port=$2 rate=$3 pid=$4
  local calls=$((rate * step_seconds)) stat="$name-$rate.csv" uac_port status=0 ticks_before drops_before
  uac_port=$(free_port)
  ticks_before=$(cpu_ticks "$pid")
  drops_before=$(udp_receive_buffer_errors)
  timeout $((step_seconds * 4 + 30)) \
    sipp -sf uac_message.xml -key bodyfile "$PWD/body.p7m" -key caller alice -s merchant \
    -i 127.0.0.1 -p "$uac_port" "127.0.0.1:$port" -r "$rate" -m "$calls" -buff_size "$sipp_buffer_bytes" -nostdin \
    -default_behaviors all,-bye -timeout $((step_seconds * 3 + 20))s -timeout_error \
    -trace_stat -stf "$stat" >"$name-$rate.uac.out" 2>"$name-$rate.uac.err" </dev/null || status=$?
  if [[ ! -s $stat ]]; then
    echo "SIPp UAC exited with status $status and wrote no statistics; see $name-$rate.uac.err" >&2
    echo "0 $calls 0 0 0 0"
    return
  fi
  local cpu_microseconds successful failed retransmissions elapsed
  cpu_microseconds=$(( ($(cpu_ticks "$pid") - ticks_before) * 1000000 / clock_ticks_per_second ))
  successful=$(sipp_stat "$stat" 'SuccessfulCall(C)')
  failed=$(sipp_stat "$stat" 'FailedCall(C)')
  retransmissions=$(sipp_stat "$stat" 'Retransmissions(C)')
  elapsed=$(sipp_elapsed_seconds "$stat")
  echo "$successful $failed $retransmissions" \
    "$(awk -v s="$successful" -v e="$elapsed" 'BEGIN { printf "%.0f", (e > 0 ? s / e : 0) }')" \
    "$cpu_microseconds" $(($(udp_receive_buffer_errors) - drops_before))
}

# The highest step rate each listener sustained, and its achieved rate there.
declare -A sustained_rate=([sippay]=0 [sipp_uas]=0) sustained_achieved=([sippay]=0 [sipp_uas]=0)
declare -A active=([sippay]=1 [sipp_uas]=1)
declare -A port_of=([sippay]=$sippay_port [sipp_uas]=$sipp_uas_port)
declare -A pid_of=([sippay]=$sippay_pid [sipp_uas]=$sipp_uas_pid)
declare -A achieved_at cpu_per_call_at failed_at

printf '\n%-7s %-9s %7s %10s %6s %7s %10s %12s %13s\n' \
  rate/s listener calls successful failed retrans achieved/s 'cpu us/call' 'rcvbuf drops'
for rate in $rates; do
  # The listeners take turns at each rate, so both see about the same
  # background load from other processes.
  for name in sippay sipp_uas; do
    [[ ${active[$name]} == 1 ]] || continue
    read -r successful failed retransmissions achieved cpu_microseconds drops \
      < <(run_step "$name" "${port_of[$name]}" "$rate" "${pid_of[$name]}")
    achieved_at[$name-$rate]=$achieved
    failed_at[$name-$rate]=$failed
    cpu_per_call_at[$name-$rate]=$(awk -v c="$cpu_microseconds" -v s="$successful" \
      'BEGIN { printf "%.1f", (s > 0 ? c / s : 0) }')
    printf '%-7s %-9s %7d %10d %6d %7d %10d %12s %13d\n' "$rate" "$name" $((rate * step_seconds)) \
      "$successful" "$failed" "$retransmissions" "$achieved" "${cpu_per_call_at[$name-$rate]}" "$drops"
    if [[ $failed -eq 0 ]] &&
      awk -v a="$achieved" -v r="$rate" -v m="$min_achieved" 'BEGIN { exit !(a >= m * r) }'; then
      sustained_rate[$name]=$rate
      sustained_achieved[$name]=$achieved
    else
      active[$name]=0
    fi
  done
done

echo
echo "load average at end $(cut -d ' ' -f 1-3 /proc/loadavg)"
# A step with failed calls lasts until SIPp gives up on them, so its
# achieved rate and CPU time per call do not compare.
for rate in $rates; do
  [[ -n ${achieved_at[sippay-$rate]:-} && -n ${achieved_at[sipp_uas-$rate]:-} ]] || continue
  if [[ ${failed_at[sippay-$rate]} -ne 0 || ${failed_at[sipp_uas-$rate]} -ne 0 ]]; then
    echo "at $rate/s: no ratio, because calls failed (sippay ${failed_at[sippay-$rate]}," \
      "SIPp UAS ${failed_at[sipp_uas-$rate]})"
    continue
  fi
  awk -v r="$rate" -v a="${achieved_at[sippay-$rate]}" -v b="${achieved_at[sipp_uas-$rate]}" \
    -v ca="${cpu_per_call_at[sippay-$rate]}" -v cb="${cpu_per_call_at[sipp_uas-$rate]}" 'BEGIN {
      if (b > 0 && cb > 0)
        printf "at %d/s: sippay / SIPp UAS achieved rate = %.2f, CPU per call = %.2f\n", r, a / b, ca / cb
    }'
done
echo "highest rate sustained (no failed call, achieved >= 95% of the step):" \
  "sippay ${sustained_rate[sippay]}/s (achieved ${sustained_achieved[sippay]}/s)," \
  "SIPp UAS ${sustained_rate[sipp_uas]}/s (achieved ${sustained_achieved[sipp_uas]}/s)"
awk -v a="${sustained_rate[sippay]}" -v b="${sustained_rate[sipp_uas]}" 'BEGIN {
    if (b > 0) printf "ratio of sustained rates sippay / SIPp UAS = %.2f\n", a / b
    else print "ratio of sustained rates sippay / SIPp UAS: none, SIPp UAS sustained no step"
  }'
top_rate=${rates##* }
if [[ ${sustained_rate[sippay]} == "$top_rate" && ${sustained_rate[sipp_uas]} == "$top_rate" ]]; then
  echo "both listeners sustained the top step, so that ratio says only that sippay keeps up" \
    "to ${top_rate}/s; add higher steps to SIPP_RATES"
fi

# sippay's peak resident memory grows with the rate, because a UDP server
# transaction keeps its request until Timer J (64 * T1, 32 s by default).
echo "peak resident memory (VmHWM): sippay $(awk '$1 == "VmHWM:" { print $2, $3 }' "/proc/$sippay_pid/status")," \
  "SIPp UAS $(awk '$1 == "VmHWM:" { print $2, $3 }' "/proc/$sipp_uas_pid/status")"

sippay_status=0
stop_process "$sippay_pid" 10 || sippay_status=$?
uas_status=0
stop_process "$sipp_uas_pid" 10 USR1 || uas_status=$?
delivered=$(count_lines sippay.out '"event":"message"')
echo "sippay printed $delivered message events; exit status $sippay_status after SIGTERM;" \
  "SIPp UAS exit status $uas_status after SIGUSR1"
[[ $sippay_status -eq 0 ]] || fail "sippay ua listen exited with status $sippay_status after SIGTERM"
