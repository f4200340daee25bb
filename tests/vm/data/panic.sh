# Guest side of tests/vm/boot.t: the guest kernel panics mid-test.
echo "# panicking"
echo c >/proc/sysrq-trigger
sleep 60
