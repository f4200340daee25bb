#!/bin/sh
# Stands in for awg-easy's node server in the image tests (tests/netns/
# image-awg-easy.t, tests/vm/image-awg-easy.t): what it needs from the
# image.  awg-easy runs "$OVERRIDE_AUTO_AWG-quick up wg0" (awg or wg, as
# awg-easy-init decided) and, on SIGTERM, "... down wg0"; here the
# interface is $SERVER_IF (none: no tunnel, only the wait).  Lines start
# with "server:".  (The userspace
# daemon, amneziawg-go or wireguard-go, stays in our process group, so
# docker stop's SIGTERM, which awg-easy-init forwards to the group as
# dumb-init does, reaches it too: it may be gone, with its interface,
# before our "down" runs.)
tool=${OVERRIDE_AUTO_AWG:-wg}
echo "server: env OVERRIDE_AUTO_AWG=$OVERRIDE_AUTO_AWG AWG_MODE=$AWG_MODE AWG_IMPL=$AWG_IMPL"
trap 'echo "server: SIGTERM"; [ -z "$SERVER_IF" ] || "$tool-quick" down "$SERVER_IF"; exit 0' TERM
if [ -n "$SERVER_IF" ]; then
	"$tool-quick" up "$SERVER_IF" || exit 1
fi
echo "server: up"
while :; do
	sleep 1 &
	wait $!
done
