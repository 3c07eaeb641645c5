# Sourced by the CLI checks of a dialsim subcommand (check_repro.sh,
# check_explain.sh): set CMD to the subcommand and call cli_check_init
# DIALSIM REPO_ROOT first. Gives $d (the binary), $tmp (removed at exit),
# bad, has, expect2 and cli_check_done.
cli_check_init() {
  d=$1
  cd "$2" || exit 2
  tmp=$(mktemp -d)
  trap 'rm -rf "$tmp"' EXIT
  fails=0
}
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
has() { # has "OUTPUT" "PART"...: every part is in the output
  local o=$1; shift
  for w in "$@"; do case "$o" in *"$w"*) ;; *) bad "no \"$w\" in:"; echo "$o" | sed 's/^/    /' ;; esac; done
}
expect2() { # expect2 "MESSAGE PART" ARGS...: `dialsim $CMD ARGS` exits 2 and says it
  local want=$1; shift
  local o; o=$("$d" "$CMD" "$@" 2>&1); local rc=$?
  [ "$rc" -eq 2 ] || bad "$CMD $* exited $rc, expected 2"
  has "$o" "$want"
}
cli_check_done() {
  [ "$fails" -eq 0 ] && echo "$CMD: all checks passed" || echo "$CMD: $fails failures"
  [ "$fails" -eq 0 ]
}
