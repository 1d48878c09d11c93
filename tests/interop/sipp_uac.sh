#!/usr/bin/env bash
# SIPp as UAC sends 1,000 MESSAGEs with a binary S/MIME body to
# `sippay ua listen` over UDP or TCP. Every call must succeed in SIPp's
# statistics, and sippay must print one message event per call with the
# body's Content-Type and length.
#
# Usage: sipp_uac.sh SIPPAY udp|tcp
source "$(dirname "$0")/lib.sh"

sippay=$1
transport=$2
calls=1000
rate=400

require_tools sipp python3
interop_init

cp "$interop_dir/sipp/uac_message.xml" "$interop_dir/sipp/body.p7m" .
body_length=$(stat -c %s body.p7m)

start_listen listen "$sippay" --bind "$transport:127.0.0.1:0"
listen_port=$(listening_port listen.out "$transport")
sipp_port=$(free_port)

sipp_transport=(-t u1)
[[ $transport == tcp ]] && sipp_transport=(-t t1)

sipp_status=0
timeout 90 sipp -sf uac_message.xml -key bodyfile "$PWD/body.p7m" -key caller alice -s merchant \
  -i 127.0.0.1 -p "$sipp_port" "${sipp_transport[@]}" "127.0.0.1:$listen_port" \
  -r "$rate" -m "$calls" -nostdin -default_behaviors all,-bye -timeout 60s -timeout_error \
  -trace_stat -stf stat.csv -trace_screen -screen_file sipp.screen \
  >sipp.out 2>sipp.err || sipp_status=$?

listen_status=0
stop_process "$listen_pid" || listen_status=$?

expect_equal "$sipp_status" 0 "SIPp exit status"
expect_equal "$(sipp_stat stat.csv 'SuccessfulCall(C)')" "$calls" "SIPp SuccessfulCall(C)"
expect_equal "$(sipp_stat stat.csv 'FailedCall(C)')" 0 "SIPp FailedCall(C)"
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"

expect_equal "$(count_lines listen.out '"event":"message"')" "$calls" "message events"
expect_equal "$(count_lines listen.out "\"content_type\":\"application/pkcs7-mime\",\"body_length\":$body_length,")" \
  "$calls" "message events with Content-Type application/pkcs7-mime and a $body_length-byte body"
expect_equal "$(count_lines listen.out "\"source\":\"$transport:127.0.0.1:$sipp_port\"")" "$calls" \
  "message events from SIPp's $transport:127.0.0.1:$sipp_port"
# SIPp gives each call its own From tag, so a MESSAGE delivered twice would
# show up as a repeated From.
unique_senders=$(grep -F '"event":"message"' listen.out | sed -E 's/.*"from":"([^"]*)".*/\1/' |
  sort -u | wc -l)
expect_equal "$unique_senders" "$calls" "distinct From header fields among message events"

echo "PASS: $calls MESSAGEs over $transport from SIPp, each delivered once"
