#!/usr/bin/env bash
# Every command parses its arguments as GNU tools do (getopt_long, issue 15):
# -h/--help exits 0 with the usage on stdout and nothing on stderr; an unknown
# option exits 2 with the usage on stderr and nothing on stdout; --opt=value
# works as --opt value; "--" ends the options; options may follow operands.
# usage: check_getopt.sh DIALSIM REPO_ROOT
set -u
d=$1
cd "$2" || exit 2
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
fails=0 n=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
# run CODE "STDOUT PART" "STDERR PART" ARGS...: exit code and output (an empty
# part: that stream must be empty)
check() {
  local want=$1 out_part=$2 err_part=$3; shift 3; n=$((n + 1))
  "$d" "$@" >"$tmp/out" 2>"$tmp/err"; local rc=$?
  [ "$rc" -eq "$want" ] || { bad "dialsim $* exited $rc, expected $want"; sed 's/^/    /' "$tmp/err" | head -5; return; }
  for s in out err; do
    local part; [ $s = out ] && part=$out_part || part=$err_part
    if [ -z "$part" ]; then
      [ -s "$tmp/$s" ] && bad "dialsim $*: std$s should be empty, is: $(head -c 200 "$tmp/$s")"
    elif ! grep -qF -- "$part" "$tmp/$s"; then
      bad "dialsim $*: no \"$part\" on std$s: $(head -c 300 "$tmp/$s")"
    fi
  done
}

scn=scenarios/ao1-happy-path.json
commands=(run check-recording serve "conform trigger" "conform outbound-connection"
          "conform transcripts" repro explain init reasons version)
for c in "${commands[@]}"; do
  # shellcheck disable=SC2086 # "conform trigger" is two words on purpose
  check 0 "dialsim $c" "" $c --help
  n=$((n + 1)); head -1 "$tmp/out" | grep -q '^usage: dialsim' || bad "$c --help: the first line is not the usage"
  # shellcheck disable=SC2086
  check 0 "dialsim $c" "" $c -h
  # shellcheck disable=SC2086
  check 2 "" "unrecognized option '--bogus'" $c --bogus
  # shellcheck disable=SC2086
  check 2 "" "dialsim $c" $c --bogus
  n=$((n + 1)); grep -q '^usage: dialsim' "$tmp/err" || bad "$c --bogus: no usage on stderr"
done
check 0 "usage: dialsim" "" --help
check 0 "usage: dialsim conform" "" conform --help
check 2 "" "usage: dialsim" frobnicate

# --opt=value: the value reaches the option (a file written, or the option's own complaint)
check 0 "1 passed" "" run --junit="$tmp/j.xml" --shard=1/1 --jobs=2 "$scn"
n=$((n + 1)); grep -q '<testcase' "$tmp/j.xml" 2>/dev/null || bad "run --junit=FILE wrote no JUnit"
check 2 "" "-j needs a number from 1 to 64" run --jobs=0 "$scn"
check 2 "" "--shard needs K/N" run --shard=3/2 "$scn"
check 2 "" "option '--junit' requires an argument" run "$scn" --junit
check 2 "" "--expect-rate needs a sample rate" check-recording --expect-rate=fast x.wav
check 2 "" "--port needs a number from 0 to 65535" serve --port=99999
check 2 "" "--mock-threads needs a number from 1 to 1024" serve --mock-threads=0
check 2 "" "--concurrency needs a number from 1 to 50" conform trigger --concurrency=99 https://example.test/
check 2 "" "--listen needs a port" conform transcripts --listen=99999 --api-key=k
check 2 "" "--config is for conform outbound-connection" conform trigger --config=x https://example.test/
check 0 "scenario: $tmp/r.json" "" repro --output="$tmp/r.json" fixtures/repro/vapi-busy-caller-id.json
check 0 "caller_id_mismatch" "" explain --scenarios=scenarios caller_id_mismatch
check 2 "" "unexpected argument 'x'" reasons x

# options after operands, and "--" before an operand that looks like an option
check 0 "1 scenario: 1 passed" "" run "$scn" --shard 1/1
cp "$scn" "$tmp/-dash.json"
(cd "$tmp" && "$d" run -- -dash.json >/dev/null 2>&1); rc=$?; n=$((n + 1))
[ "$rc" -eq 0 ] || bad "run -- -dash.json exited $rc, expected 0"
check 0 "caller_id_mismatch" "" explain -- caller_id_mismatch
check 2 "" "unrecognized option '--dash.json'" run --dash.json

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
