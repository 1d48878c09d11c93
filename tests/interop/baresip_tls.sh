#!/usr/bin/env bash
# baresip sends a text/plain MESSAGE over mutual TLS straight to
# `sippay ua listen`, with no registrar in between. sippay must print one
# message event with baresip's From, text/plain and the text's length, and
# baresip must log the 200 it received over TLS.
#
# Observed in baresip 1.0.0 (Debian 12), which shape this test:
#  - `/message` drops ;transport=tls from the contact's URI and sends over
#    UDP, and refuses a sips: contact ("Function not implemented"). So the
#    account names sippay's TLS address as its outbound proxy, with regint=0
#    (no REGISTER), and the MESSAGE carries a Route header to it.
#  - baresip sends its sip_certificate as a TLS client certificate, which
#    the listener checks (--require-client-cert).
#  - baresip does not check the server's certificate against sip_cafile:
#    with a CA that did not issue sippay's certificate it still sends. The
#    test therefore shows that sippay's TLS server and client check work
#    with baresip, not that baresip checks sippay.
#
# Usage: baresip_tls.sh SIPPAY
source "$(dirname "$0")/lib.sh"

sippay=$1
text='pay 12.50 EUR'

require_tools baresip openssl python3
interop_init

make_test_pki
make_leaf baresip ca "DNS:localhost,IP:127.0.0.1" serverAuth,clientAuth

start_listen listen "$sippay" --bind tls:127.0.0.1:0 --cert server.crt --key server.key --ca ca.crt \
  --require-client-cert
port=$(listening_port listen.out tls)

# baresip reads its configuration from a folder. Its SIP sockets use free
# ports (sip_listen port 0). Only the modules the test needs are loaded: no
# audio, video, STUN, TURN or ICE, and no console or HTTP control sockets.
# Every URI contains an IP address, so baresip makes no DNS queries. Its
# dns_server still names a closed loopback port, so that a query made by
# mistake stays on this machine.
mkdir baresip
cat baresip.crt baresip.key >baresip/cert.pem
cat >baresip/config <<EOF
poll_method		epoll
sip_listen		127.0.0.1:0
sip_certificate		$PWD/baresip/cert.pem
sip_cafile		$PWD/ca.crt
net_interface		127.0.0.1
dns_server		127.0.0.1:$(free_port)
module_path		/usr/lib/baresip/modules
module_tmp		account.so
module_app		contact.so
module_app		menu.so
EOF
echo "<sip:bob@127.0.0.1>;regint=0;outbound=\"sip:127.0.0.1:$port;transport=tls\"" >baresip/accounts
echo "\"merchant\" <sip:merchant@127.0.0.1:$port>" >baresip/contacts

# -s writes baresip's SIP trace; -t 3 quits after 3 seconds.
baresip_status=0
HOME=$PWD timeout 30 baresip -s -f "$PWD/baresip" -e "/message $text" -t 3 \
  </dev/null >baresip.log 2>&1 || baresip_status=$?

listen_status=0
stop_process "$listen_pid" || listen_status=$?

expect_equal "$baresip_status" 0 "baresip exit status"
expect_equal "$listen_status" 0 "sippay ua listen exit status after SIGTERM"

# The trace shows each message under a "TLS FROM -> TO" line.
python3 - "$port" baresip.log <<'PYTHON'
import re
import sys

port, log_file = sys.argv[1], sys.argv[2]
log = open(log_file, "rb").read().decode("utf-8", "replace")
sent = re.search(r"TLS 127\.0\.0\.1:\d+ -> 127\.0\.0\.1:" + port + r"\r?\nMESSAGE sip:merchant@", log)
if not sent:
    sys.exit(f"FAIL: baresip's trace shows no MESSAGE sent over TLS to port {port}")
received = re.search(r"TLS 127\.0\.0\.1:" + port + r" -> 127\.0\.0\.1:\d+\r?\nSIP/2\.0 200 OK", log)
if not received:
    sys.exit("FAIL: baresip's trace shows no 200 OK received over TLS")
if "REGISTER sip:" in log:
    sys.exit("FAIL: baresip sent a REGISTER, though its account has regint=0")
PYTHON

expect_equal "$(count_lines listen.out '"event":"message"')" 1 "message events"
event=$(grep -F '"from":"<sip:bob@127.0.0.1>' listen.out || true)
[[ -n $event ]] || fail "no message event from sip:bob@127.0.0.1"
[[ $event == *"\"content_type\":\"text/plain\",\"body_length\":${#text},"* ]] ||
  fail "the message event has the wrong Content-Type or length (expected text/plain, ${#text}): $event"
[[ $event == *'"source":"tls:127.0.0.1:'* ]] || fail "the MESSAGE did not arrive over TLS: $event"

echo "PASS: baresip sent a text MESSAGE over mutual TLS to sippay"
