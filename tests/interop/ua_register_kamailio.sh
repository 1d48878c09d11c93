#!/usr/bin/env bash
# `sippay ua register` against Kamailio as registrar with Digest (WITH_AUTH):
# a 401 answered with alice's credentials gives 200, a wrong password ends
# in 401, and a MESSAGE routed by Kamailio to the registered contact reaches
# a `sippay ua listen` bound at that contact.
#
# Usage: ua_register_kamailio.sh SIPPAY_BINARY
# Kamailio listens on the fixed port 5070 of its test configuration, so this
# test holds the CTest resource lock "kamailio".
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
sippay=$1
require_tools kamailio
interop_init

kamailio_run=$work/kamailio
"$interop_dir/kamailio/start.sh" "$kamailio_run" -A WITH_AUTH >kamailio-start.out 2>&1 ||
  fail "kamailio did not start: $(cat kamailio-start.out)"
trap '"$interop_dir/kamailio/stop.sh" "$kamailio_run"; interop_cleanup' EXIT

# The listener owns the contact; register binds it to alice's AOR.
port=$(free_port)
start_background listen.out listen.err "$sippay" ua listen --bind "udp:127.0.0.1:$port"
wait_for_lines listen.out '"event":"listening"' 1 10

"$sippay" ua register --registrar sip:127.0.0.1:5070 --aor sip:alice@127.0.0.1 \
  --contact "sip:alice@127.0.0.1:$port" --user alice --password alicepw --expires 300 --once \
  >register.out 2>register.err || fail "register exited non-zero: $(cat register.out register.err)"
grep -q '"result":"200 OK"' register.out || fail "register did not get 200: $(cat register.out)"
grep -q '"expires":300' register.out || fail "no granted expires of 300 in: $(cat register.out)"

if "$sippay" ua register --registrar sip:127.0.0.1:5070 --aor sip:alice@127.0.0.1 \
  --contact "sip:alice@127.0.0.1:$port" --user alice --password wrong --once \
  >wrong.out 2>wrong.err; then
  fail "register with a wrong password exited 0: $(cat wrong.out)"
fi
grep -q '"result":"401 ' wrong.out || fail "wrong password did not end in 401: $(cat wrong.out)"

# Kamailio routes a MESSAGE for alice to the bound contact; bob sends it
# through Kamailio with his credentials (407 answered).
printf 'routed by kamailio' >body.txt
"$sippay" ua send --to sip:alice@127.0.0.1 --via sip:127.0.0.1:5070 --from sip:bob@127.0.0.1 \
  --user bob --password bobpw --body-file body.txt >send.out 2>send.err ||
  fail "send through kamailio failed: $(cat send.out send.err)"
wait_for_lines listen.out '"body_length":18' 1 10
echo "registered with Digest through Kamailio and received a routed MESSAGE"
