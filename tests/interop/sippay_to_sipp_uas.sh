#!/usr/bin/env bash
# `sippay ua send` sends one MESSAGE with a binary S/MIME body to a SIPp UAS
# over UDP or TCP. sippay must print "200 OK" and exit 0, and SIPp must have
# received the body with Content-Type application/pkcs7-mime and the body's
# Content-Length.
#
# Usage: sippay_to_sipp_uas.sh SIPPAY udp|tcp
source "$(dirname "$0")/lib.sh"

sippay=$1
transport=$2

require_tools sipp python3
interop_init

cp "$interop_dir/sipp/uas_message.xml" "$interop_dir/sipp/body.p7m" .
body_length=$(stat -c %s body.p7m)
uas_port=$(free_port)

sipp_transport=(-t u1)
to="sip:merchant@127.0.0.1:$uas_port"
if [[ $transport == tcp ]]; then
  sipp_transport=(-t t1)
  to="$to;transport=tcp"
fi

start_background sipp.out sipp.err sipp -sf uas_message.xml -i 127.0.0.1 -p "$uas_port" \
  "${sipp_transport[@]}" -nostdin -default_behaviors all,-bye -timeout 60s \
  -trace_msg -message_file uas_messages.log -trace_logs -log_file uas.log \
  -trace_stat -stf uas_stat.csv -trace_screen -screen_file uas.screen
uas_pid=$last_pid
wait_for_port "$transport" "$uas_port" 10

send_status=0
timeout 30 "$sippay" ua send --to "$to" --from sip:alice@127.0.0.1 \
  --content-type application/pkcs7-mime --body-file body.p7m >send.out 2>send.err || send_status=$?

# SIGUSR1 makes SIPp stop and write its final statistics and logs.
sipp_status=0
stop_process "$uas_pid" 10 USR1 || sipp_status=$?

expect_equal "$send_status" 0 "sippay ua send exit status"
expect_equal "$(cat send.out)" "200 OK" "sippay ua send output"
expect_equal "$sipp_status" 0 "SIPp exit status"
expect_equal "$(sipp_stat uas_stat.csv 'SuccessfulCall(C)')" 1 "SIPp SuccessfulCall(C)"
expect_equal "$(sipp_stat uas_stat.csv 'FailedCall(C)')" 0 "SIPp FailedCall(C)"
expect_equal "$(count_lines uas.log "MESSAGE ct=application/pkcs7-mime len=$body_length")" 1 \
  "SIPp log lines for a MESSAGE with Content-Type application/pkcs7-mime and Content-Length $body_length"

# SIPp's message trace contains each received message after a "<TRANSPORT>
# message received [<size>] bytes :" line and an empty line.
# NOTE: SIPp 3.6.1 writes a message to its trace as a C string, so the trace
# stops at the first NUL byte of the body. Only the body's bytes before its
# first NUL can be compared here; the Content-Length check above covers the
# size.
python3 - "$transport" body.p7m uas_messages.log <<'PYTHON'
import re
import sys

transport, body_file, trace_file = sys.argv[1:]
expected = open(body_file, "rb").read()
expected_prefix = expected.split(b"\0", 1)[0]
trace = open(trace_file, "rb").read()
heading = re.compile(rb"(UDP|TCP) message received \[\d+\] bytes :\n\n")
requests = []
for match in heading.finditer(trace):
    message = trace[match.end():]
    if message.startswith(b"MESSAGE "):
        requests.append((match.group(1).decode(), message))
if len(requests) != 1:
    sys.exit(f"FAIL: SIPp's trace holds {len(requests)} MESSAGE requests, expected 1")
received_transport, message = requests[0]
if received_transport != transport.upper():
    sys.exit(f"FAIL: SIPp received the MESSAGE over {received_transport}, expected {transport.upper()}")
head, separator, body = message.partition(b"\r\n\r\n")
if not separator:
    sys.exit("FAIL: the MESSAGE in SIPp's trace has no empty line after its header fields")
if not body.startswith(expected_prefix + b"\n"):
    sys.exit(f"FAIL: the body in SIPp's trace does not start with the first {len(expected_prefix)} bytes of {body_file}")
PYTHON

echo "PASS: sippay sent a MESSAGE over $transport to SIPp"
