#!/usr/bin/env bash
# Same scenarios -> byte-identical output and JUnit, whatever the order the
# files are named in and whatever -j (H-2). JUnit's wall times, timestamp and
# host name are the only parts allowed to differ: they are taken out first.
# usage: check_determinism.sh DIALSIM SCENARIO_DIR WORKDIR
set -eu
dialsim=$1 dir=$2 work=$3
mkdir -p "$work"
files=$(find "$dir" -name '*.json' | sort)
reversed=$(printf '%s\n' $files | sort -r)
"$dialsim" run -j 1 --junit "$work/a.xml" $files > "$work/a.txt" || true
"$dialsim" run -j 2 --junit "$work/b.xml" $reversed > "$work/b.txt" || true
"$dialsim" run -j 2 -v $files > "$work/c.txt" || true
"$dialsim" run -j 1 -v $reversed > "$work/d.txt" || true
cmp "$work/a.txt" "$work/b.txt"
for x in a b; do sed -E 's/ (time|timestamp|hostname)="[^"]*"//g' "$work/$x.xml" >"$work/$x.det.xml"; done
grep -q 'time="' "$work/a.xml"
cmp "$work/a.det.xml" "$work/b.det.xml"
cmp "$work/c.txt" "$work/d.txt"
test -s "$work/a.txt" && grep -q "scenarios:" "$work/a.txt"
echo "1 passed, 0 failed"
