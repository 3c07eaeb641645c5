#!/usr/bin/env bash
# Runs the libFuzzer targets (docs/reliability.md): builds them with clang
# (ASan + UBSan) in BUILD, makes the seed corpora from the repository's own
# inputs (fuzz/seeds.py), and runs each target for SECONDS.
#
#   fuzz/run.sh [-t SECONDS] [-B BUILD] [TARGET...]
#
# SECONDS: per target, default 60 (.ci/run uses 12). TARGET: the names in
# fuzz/CMakeLists.txt (scenario, http_api, ...); default every one.
# The corpus each run grows is kept in BUILD/fuzz-corpus/<target>, so longer
# runs on demand add up. A crash leaves its input in BUILD/fuzz-crashes/<target>/
# and makes this script exit 1: fix the bug, then copy the input to
# fuzz/regressions/<target>/, where ctest replays it in every build (fuzz.<target>).
set -euo pipefail
cd "$(dirname "$0")/.."

secs=60
build=build-fuzz
while getopts "t:B:" o; do
  case $o in
    t) secs=$OPTARG ;;
    B) build=$OPTARG ;;
    *) sed -n '2,13p' "$0"; exit 2 ;;
  esac
done
shift $((OPTIND - 1))
targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  targets=(scenario repro transcript webhook_sig provider_answer recording http_api http_mocks json_fast)
fi

cmake -S . -B "$build" -DCMAKE_C_COMPILER=clang -DDIALSIM_FUZZ=ON -DBUILD_TESTING=OFF \
  -DDIALSIM_WERROR=ON -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" -j2 --target fuzz_all

seeds=$build/fuzz-seeds
rm -rf "$seeds"
python3 fuzz/seeds.py "$seeds"

# The dictionary of a target: its format's, plus JSON's where it reads JSON.
dict_of() {
  case $1 in
    http_api | http_mocks) echo "http json" ;;
    recording) echo "recording" ;;
    json_fast) echo "json" ;;
    *) echo "$1 json" ;;
  esac
}

export ASAN_OPTIONS=detect_leaks=1:abort_on_error=1
export LSAN_OPTIONS=suppressions=$(pwd)/fuzz/lsan.supp
export UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
failed=()
for t in "${targets[@]}"; do
  corpus=$build/fuzz-corpus/$t
  crashes=$build/fuzz-crashes/$t
  mkdir -p "$corpus" "$crashes" "$seeds/$t"
  dict=$build/fuzz-$t.dict
  : >"$dict"
  for d in $(dict_of "$t"); do cat "fuzz/$d.dict" >>"$dict"; done
  # HTTP: long bodies from the start (-len_control=0), since nesting past
  # CivetWeb's worker stack takes ~900 bytes and short runs never grow there
  extra=()
  case $t in http_*) extra=(-len_control=0) ;; esac
  echo "=== fuzz_$t: ${secs}s"
  # -timeout: one input taking 10 s is a hang worth keeping; -max_len: room
  # for bodies nested past CivetWeb's worker stack
  if ! "$build/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 -max_len=16384 \
      -dict="$dict" -artifact_prefix="$crashes/" -print_final_stats=1 "${extra[@]}" \
      "$corpus" "$seeds/$t" >"$build/fuzz-$t.log" 2>&1; then
    failed+=("$t")
    tail -60 "$build/fuzz-$t.log"
  fi
  grep -E '^(#[0-9]+[[:space:]]+DONE|stat::number_of_executed_units|stat::new_units_added)' "$build/fuzz-$t.log" | tr '\n' ' '
  echo
done

if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: crashes in ${failed[*]}; inputs in $build/fuzz-crashes/<target>/."
  echo "Fix the bug, then copy each input to fuzz/regressions/<target>/ (ctest: fuzz.<target>)."
  exit 1
fi
echo "fuzz: ${#targets[@]} target(s), ${secs}s each, no crash"
