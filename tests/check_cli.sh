#!/usr/bin/env bash
# The CLI's exit codes: 0 all hold, 1 an expectation fails, 2 unusable input
# or arguments — never 1 for a usage mistake.
# usage: check_cli.sh DIALSIM SCENARIO_DIR FAILING_SCENARIO
set -u
d=$1 scn=$2 failing=$3
fails=0 n=0
expect() { # expect CODE CMD...
  local want=$1; shift; n=$((n + 1))
  "$@" >/dev/null 2>&1; local rc=$?
  if [ "$rc" -ne "$want" ]; then echo "FAIL: '$*' exited $rc, expected $want"; fails=$((fails + 1)); fi
}
expect 0 "$d" run "$scn/ao1-happy-path.json"
expect 1 "$d" run "$failing"
expect 2 "$d" run
expect 2 "$d" run -j 0 "$scn"
expect 2 "$d" run -j 65 "$scn"
expect 2 "$d" run -jx "$scn"
expect 2 "$d" run --shard 3/2 "$scn"
expect 2 "$d" run --shard 1 "$scn"
expect 2 "$d" run --junit
expect 2 "$d" run --frobnicate "$scn"
expect 2 "$d" run /nonexistent/path.json
expect 2 "$d" run "$scn/ao1-happy-path.json" /nonexistent/path.json
expect 2 "$d" frobnicate
expect 2 "$d"
expect 0 "$d" reasons
expect 0 "$d" version
expect 0 "$d" run -j2 --shard 1/1 -v "$scn"
expect 2 "$d" run --junit /nonexistent/dir/j.xml "$scn/ao1-happy-path.json"
# every shard of 3 together runs each scenario exactly once
total=$(find "$scn" -name '*.json' | wc -l); sum=0
for k in 1 2 3; do
  c=$("$d" run --shard "$k/3" "$scn" 2>/dev/null | grep -c '^PASS')
  sum=$((sum + c))
done
n=$((n + 1))
if [ "$sum" -ne "$total" ]; then echo "FAIL: shards ran $sum scenarios, expected $total"; fails=$((fails + 1)); fi
# the reasons list is the architecture's table
n=$((n + 1))
if ! "$d" reasons | grep -q '^caller_id_mismatch *timeout *AO-3'; then echo "FAIL: reasons"; fails=$((fails + 1)); fi
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
