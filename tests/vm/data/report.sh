# Guest side of tests/vm/boot.t: lines and status come back to the host.
echo "ok first"
echo "# a detail"
echo "not ok second: on purpose"
echo "skip third: on purpose" >&2
exit 3
