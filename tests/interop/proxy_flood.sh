#!/usr/bin/env bash
# Flood protection of `sippay proxy`: a SIPp UAC on 127.0.0.1 sends MESSAGEs
# far above the per-source rate (50/s, burst 100) while a second SIPp UAC,
# bound to 127.0.0.2, sends at 10/s. The flooding source gets 503 with a
# numeric Retry-After for the excess, and no more 200s than its token bucket
# allows; the other source gets 200 for every MESSAGE. The counter line the
# proxy prints on SIGUSR1 counts at least every 503 that SIPp received, and
# the SIPp UAS behind the proxy receives exactly the MESSAGEs that got 200.
#
# The proxy does not challenge here (challenge_requests = false), so each
# MESSAGE is one request.
#
# Usage: proxy_flood.sh SIPPAY
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
source "$interop_dir/proxy_lib.sh"

sippay=$1
rate=50
burst=100
flood_rate=500
flood_calls=2500
steady_rate=10
steady_calls=80

require_tools sipp
interop_init

port=$(free_port)
PROXY_CHALLENGE=false PROXY_RATE=$rate PROXY_BURST=$burst write_proxy_config "$PWD/proxy.toml" "$port"
start_proxy "$sippay" "$PWD/proxy.toml" "$port"

uas_port=$(free_port)
start_background uas.out uas.err \
  sipp -sf "$interop_dir/sipp/uas_message.xml" -i 127.0.0.1 -p "$uas_port" -nostdin \
  -default_behaviors all,-bye -trace_logs -log_file uas.log
uas_pid=$last_pid
wait_for_port udp "$uas_port" 10
# The REGISTER takes two of the 127.0.0.1 bucket's tokens.
sipp_register merchant merchantpw "127.0.0.1:$uas_port;transport=udp" "$port"

# Usage: start_uac NAME ADDRESS RATE CALLS
start_uac() {
  local name=$1 address=$2 rate=$3 calls=$4
  start_background "$name.out" "$name.err" \
    sipp -sf "$interop_dir/sipp/proxy_uac_limited.xml" -key bodyfile "$interop_dir/sipp/body.p7m" \
    -key caller alice -s merchant -i "$address" -p "$(free_port)" "127.0.0.1:$port" \
    -r "$rate" -m "$calls" -nostdin -default_behaviors all,-bye -timeout 60s -timeout_error \
    -trace_stat -stf "$name.csv" -trace_counts -trace_logs -log_file "$name.log"
}

start_uac steady 127.0.0.2 "$steady_rate" "$steady_calls"
steady_pid=$last_pid
start_uac flood 127.0.0.1 "$flood_rate" "$flood_calls"
flood_pid=$last_pid
# SIPp names the -trace_counts file after the scenario and its own pid.
steady_counts=proxy_uac_limited_${steady_pid}_counts.csv
flood_counts=proxy_uac_limited_${flood_pid}_counts.csv
# SIGCONT does not stop SIPp, so stop_process only waits for each UAC to
# finish its calls and returns its exit status.
flood_status=0
stop_process "$flood_pid" 90 CONT || flood_status=$?
steady_status=0
stop_process "$steady_pid" 30 CONT || steady_status=$?
expect_equal "$flood_status" 0 "flooding SIPp UAC exit status (a 503 without Retry-After fails a call)"
expect_equal "$steady_status" 0 "steady SIPp UAC exit status"

expect_equal "$(sipp_stat "$steady_counts" 2_200_Recv)" "$steady_calls" "200 responses at 127.0.0.2"
expect_equal "$(sipp_stat "$steady_counts" 1_503_Recv)" 0 "503 responses at 127.0.0.2"

flood_200=$(sipp_stat "$flood_counts" 2_200_Recv)
flood_503=$(sipp_stat "$flood_counts" 1_503_Recv)
expect_equal "$((flood_200 + flood_503))" "$flood_calls" "200 plus 503 responses at 127.0.0.1"
[[ $flood_503 -gt 0 ]] || fail "the flooding source got no 503"
[[ $(grep -cE '^503 Retry-After [0-9]+$' flood.log || true) -eq $flood_503 ]] ||
  fail "not every 503 was logged with a numeric Retry-After"
# The bucket holds BURST tokens and gains RATE a second; one second of
# slack covers the REGISTER and the rounding of SIPp's elapsed time.
elapsed=$(awk -F ';' 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "ElapsedTime(C)") c = i }
  END { split($c, t, ":"); printf "%d\n", t[1] * 3600 + t[2] * 60 + t[3] + 1 }' flood.csv)
allowed=$((burst + rate * (elapsed + 1)))
[[ $flood_200 -le $allowed ]] ||
  fail "the flooding source got $flood_200 200s in ${elapsed}s, more than the $allowed its bucket allows"

proxy_counters counters.json
rate_limited=$(json_number counters.json rate_limited_reply)
[[ $rate_limited != missing ]] || fail "no rate_limited_reply counter in: $(cat counters.json)"
[[ $rate_limited -ge $flood_503 ]] ||
  fail "the proxy counted $rate_limited rate-limited requests, fewer than the $flood_503 503s SIPp received"

wait_for_lines uas.log '^MESSAGE ct=' $((flood_200 + steady_calls)) 20
stop_process "$uas_pid" 10 USR1 || true
expect_equal "$(count_lines uas.log 'MESSAGE ct=')" $((flood_200 + steady_calls)) "MESSAGEs at the UAS"

proxy_status=0
stop_process "$proxy_pid" 10 || proxy_status=$?
expect_equal "$proxy_status" 0 "sippay proxy exit status after SIGTERM"
echo "PASS: 127.0.0.1 got $flood_503 503s and $flood_200 200s for $flood_calls MESSAGEs;" \
  "127.0.0.2 got 200 for all $steady_calls"
