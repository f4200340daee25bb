# Guest side of tests/vm/boot.t: a guest that never finishes.
echo "# hanging"
while :; do sleep 1; done
