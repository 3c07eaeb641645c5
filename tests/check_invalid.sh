#!/usr/bin/env bash
# Bad-input cases (tests/invalid/<case>/{input.json,error}): `dialsim run` must
# refuse each with exit 2 and exactly the message in `error` (the file's path
# shown as input.json), and the JSON Schema must refuse the same file — except
# JSON syntax errors (no document to validate) and cases marked `loader-only`
# (cross-references a schema cannot express).
# usage: check_invalid.sh DIALSIM CHECK_SCHEMA_PY SCHEMA INVALID_DIR
set -u
dialsim=$1 checker=$2 schema=$3 dir=$4
fails=0 n=0
for case in "$dir"/*/; do
  case=${case%/}; name=$(basename "$case"); n=$((n + 1))
  out=$("$dialsim" run "$case/input.json" 2>&1 >/dev/null); rc=$?
  got=$(printf '%s\n' "$out" | head -1 | sed "s|^$case/input.json|input.json|")
  want=$(cat "$case/error")
  if [ "$rc" -ne 2 ]; then echo "FAIL $name: exit $rc, expected 2"; fails=$((fails + 1)); continue; fi
  if [ "$got" != "$want" ]; then
    printf 'FAIL %s:\n  expected: %s\n  got:      %s\n' "$name" "$want" "$got"; fails=$((fails + 1)); continue
  fi
  if [ ! -e "$case/loader-only" ] && ! grep -q "invalid JSON" "$case/error"; then
    if ! /usr/bin/python3 "$checker" --expect-invalid "$schema" "$case/input.json" >/dev/null; then
      echo "FAIL $name: the loader refuses it but the JSON Schema accepts it"; fails=$((fails + 1)); continue
    fi
  fi
  echo "ok   $name"
done
echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
