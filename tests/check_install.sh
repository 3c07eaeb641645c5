#!/usr/bin/env bash
# Install and package (issue 15): `cmake --install` puts the binary, the man
# page, bash completion, the schemas and the catalogue under a prefix, and the
# installed binary, run from elsewhere, finds them; `version` names the commit;
# CPack's .deb holds the same files with the libraries it needs as Depends and
# works unpacked into a throw-away root; `dialsim init` writes a scenario and a
# serve config that pass.
# usage: check_install.sh BUILD_DIR REPO_ROOT
set -u
build=$1 src=$2
tmp=$(mktemp -d)
serve_pid=
trap '[ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null; rm -rf "$tmp"' EXIT
fails=0 n=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }
ok() { n=$((n + 1)); "$@" || bad "$*"; }
has() { n=$((n + 1)); case $1 in *"$2"*) ;; *) bad "no \"$2\" in: $(printf '%s' "$1" | head -c 300)" ;; esac; }

# ---- cmake --install -----------------------------------------------------------------
prefix=$tmp/prefix
n=$((n + 1))
cmake --install "$build" --prefix "$prefix" >"$tmp/install.log" 2>&1 || { bad "cmake --install"; cat "$tmp/install.log"; }
for f in bin/dialsim share/man/man1/dialsim.1 share/bash-completion/completions/dialsim \
         share/dialsim/scenario.schema.json share/dialsim/output.schema.json \
         share/dialsim/scenarios/ao1-happy-path.json; do
  ok test -e "$prefix/$f"
done
cd "$tmp" || exit 2 # outside the checkout: nothing found by accident
v=$("$prefix/bin/dialsim" version)
if commit=$(git -C "$src" rev-parse --short=12 HEAD 2>/dev/null); then
  has "$v" "(commit $commit" # built before the last commit? `cmake --build` rewrites version.h
else
  has "$v" "(commit unknown)"
fi
has "$("$prefix/bin/dialsim" explain caller_id_mismatch)" "reproduced by: $prefix/share/dialsim/scenarios/ao"
o=$("$prefix/bin/dialsim" run -j2 "$prefix/share/dialsim/scenarios"); ok test $? -eq 0
has "$o" "0 failed"
if command -v man >/dev/null; then has "$(MANWIDTH=80 man -l "$prefix/share/man/man1/dialsim.1" 2>&1)" "simulated test harness and mock provider server"; fi
# the completion completes commands and a command's options
c=$(bash -c '. "$1"; COMP_WORDS=(dialsim ru); COMP_CWORD=1; _dialsim; echo "${COMPREPLY[*]}"' _ "$prefix/share/bash-completion/completions/dialsim")
has "$c" "run"
c=$(bash -c '. "$1"; COMP_WORDS=(dialsim run --rep); COMP_CWORD=2; _dialsim; echo "${COMPREPLY[*]}"' _ "$prefix/share/bash-completion/completions/dialsim")
has "$c" "--report"

# ---- dialsim init ----------------------------------------------------------------------
o=$("$prefix/bin/dialsim" init "$tmp/proj"); ok test $? -eq 0
has "$(cat "$tmp/proj/scenarios/first-call.json")" "\"\$schema\": \"$prefix/share/dialsim/scenario.schema.json\""
o=$("$prefix/bin/dialsim" run "$tmp/proj/scenarios"); ok test $? -eq 0
has "$o" "1 scenario: 1 passed, 0 failed"
"$prefix/bin/dialsim" init "$tmp/proj" >/dev/null 2>&1; ok test $? -eq 2 # never overwrites
"$prefix/bin/dialsim" serve --config "$tmp/proj/serve.json" --db :memory: --port 0 --mock-port 0 --quiet \
  >"$tmp/serve.out" 2>"$tmp/serve.err" &
serve_pid=$!
for _ in $(seq 1 300); do grep -q '^mocks on' "$tmp/serve.out" && break; kill -0 $serve_pid 2>/dev/null || break; sleep 0.1; done
n=$((n + 1)); grep -q '^mocks on http://127.0.0.1:' "$tmp/serve.out" || bad "serve --config serve.json did not start: $(cat "$tmp/serve.err")"
# the route catalogue is compiled in (issue 12): the installed binary serves a generic route
mock_url=$(sed -n 's/^mocks on //p' "$tmp/serve.out")
a=$(curl -s -X POST -H 'Authorization: Bearer vapi-private-key' -H 'Content-Type: application/json' \
  -d '{"name":"installed"}' "$mock_url/assistant")
has "$a" '"name":"installed"'
kill "$serve_pid"; wait "$serve_pid"; ok test $? -eq 0; serve_pid=

# ---- the .deb ---------------------------------------------------------------------------
n=$((n + 1))
(cd "$build" && cpack -G DEB -B "$tmp/pkg") >"$tmp/cpack.log" 2>&1 || { bad "cpack"; tail -20 "$tmp/cpack.log"; }
deb=$(ls "$tmp"/pkg/dialsim_*.deb 2>/dev/null | head -1)
ok test -n "$deb"
if [ -n "$deb" ]; then
  list=$(dpkg-deb -c "$deb" | awk '{print $6}')
  for f in ./usr/bin/dialsim ./usr/share/man/man1/dialsim.1 ./usr/share/bash-completion/completions/dialsim \
           ./usr/share/dialsim/scenario.schema.json ./usr/share/dialsim/scenarios/ao1-happy-path.json; do
    has "$list" "$f"
  done
  info=$(dpkg-deb -I "$deb")
  has "$info" "Package: dialsim"
  for lib in libjansson4 libcivetweb1 libcurl4 libsndfile1 libsqlite3-0 libssl3; do has "$info" "$lib"; done
  dpkg-deb -x "$deb" "$tmp/root"
  has "$("$tmp/root/usr/bin/dialsim" version)" "dialsim "
  has "$("$tmp/root/usr/bin/dialsim" explain dial_late)" "reproduced by: $tmp/root/usr/share/dialsim/scenarios/"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
