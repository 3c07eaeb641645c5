#!/usr/bin/env bash
# Values the loader cannot judge but the core refuses when the world is built
# (tests/world-invalid/<case>/{input.json,error}): a trigger URL that is not
# HTTPS, trigger_call_headers that are not JSON… `dialsim run` must exit 2 and
# print exactly `error` (the file's path shown as input.json): the file, line
# and column of the value, as every loader error has (issue 14).
# usage: check_world_invalid.sh DIALSIM DIR
set -u
dialsim=$1 dir=$2
fails=0 n=0
for case in "$dir"/*/; do
  case=${case%/}; name=$(basename "$case"); n=$((n + 1))
  out=$("$dialsim" run "$case/input.json" 2>/dev/null); rc=$?
  got=$(printf '%s\n' "$out" | head -1 | sed "s|$case/input.json|input.json|")
  want=$(cat "$case/error")
  if [ "$rc" -ne 2 ]; then echo "FAIL $name: exit $rc, expected 2"; fails=$((fails + 1)); continue; fi
  if [ "$got" != "$want" ]; then
    printf 'FAIL %s:\n  expected: %s\n  got:      %s\n' "$name" "$want" "$got"; fails=$((fails + 1)); continue
  fi
  echo "ok   $name"
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
