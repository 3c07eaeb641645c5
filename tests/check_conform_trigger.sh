#!/usr/bin/env bash
# `dialsim conform` in real time against tests/conform_endpoint: the good
# endpoint passes (exit 0), each broken one fails (exit 1) with the right
# named check, warnings do not fail, bad arguments exit 2, and --junit writes
# XML that parses with one testcase per check. Loopback only, ephemeral
# ports, a few seconds in all.
# usage: check_conform_trigger.sh DIALSIM CONFORM_ENDPOINT WORKDIR
set -u
d=$1 ep=$2 work=$3
rm -rf "$work"
mkdir -p "$work"
"$ep" "$work" >"$work/endpoints" 2>"$work/endpoint.err" &
pid=$!
trap 'kill "$pid" 2>/dev/null' EXIT
for _ in $(seq 200); do
  grep -q '^ready' "$work/endpoints" 2>/dev/null && break
  sleep 0.02
done
if ! grep -q '^ready' "$work/endpoints"; then
  echo "FAIL: conform_endpoint did not start"; cat "$work/endpoint.err"; exit 1
fi
url() { awk -v k="$1" '$1 == k { print $2 }' "$work/endpoints"; }
ca=$(url ca) good=$(url good) http=$(url http) refused=$(url refused)
wrong=$(url wrong-host) expired=$(url expired) other=$(url other-ca) soon=$(url expires-soon)

fails=0 n=0 k=0
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

# conform WANT_RC 'PATTERN...' -- ARGS: runs dialsim conform ARGS, checks the
# exit code and that each extended regex PATTERN (one per line) matches a
# line of the report.
conform() {
  local want=$1 patterns=$2; shift 3
  n=$((n + 1)) k=$((k + 1))
  local out="$work/out.$k"
  "$d" conform "$@" >"$out" 2>&1
  local rc=$?
  if [ "$rc" -ne "$want" ]; then
    fail "'conform $*' exited $rc, expected $want"; cat "$out"; return
  fi
  while IFS= read -r p; do
    [ -z "$p" ] && continue
    if ! grep -Eq -- "$p" "$out"; then
      fail "'conform $*': no line matches /$p/"; cat "$out"; return
    fi
  done <<<"$patterns"
}

T=trigger
# The good endpoint: every check passes.
conform 0 '^PASS https .*verified
^PASS status .*201 Created
^PASS latency
^PASS payload .*4/4 .*large \(100 KiB\)
^PASS repeat
^PASS concurrency .*5/5
^PASS malformed .*400 Bad Request
^7 checks: 7 passed, 0 warned, 0 failed, 0 skipped' -- $T "$good/good" --cacert "$ca" \
  --junit "$work/good.xml" --header 'X-Api-Key: k1' --from +12025550123 --to +12025550124
# TU-2: certificates that do not verify, and the system store that does not
# know the test CA (nothing switches verification off).
conform 1 '^FAIL https .*no alternative certificate subject name matches
^FAIL status .*trigger_tls_failed
^SKIP payload' -- $T "$wrong/good" --cacert "$ca" --junit "$work/wrong.xml"
conform 1 '^FAIL https .*certificate has expired' -- $T "$expired/good" --cacert "$ca"
# a certificate that still verifies but expires within 30 days: a warning, exit 0
conform 0 '^WARN https .*expires in ([89]|10) days \([0-9-]*\): after that every run fails with trigger_tls_failed' -- $T "$soon/good" --cacert "$ca"
conform 1 '^FAIL https .*unable to get local issuer certificate' -- $T "$other/good" --cacert "$ca"
conform 1 '^FAIL https .*pass --cacert FILE' -- $T "$good/good"
# No CA certificates where the system's store should be (a minimal Debian
# without ca-certificates; $CURL_CA_BUNDLE names the store, as for curl): the
# report says what to install, not "a private CA?"; --cacert still wins.
CURL_CA_BUNDLE=/nonexistent/ca-certificates.crt conform 1 \
  '^FAIL https .*TLS failed: no CA certificates found at /nonexistent/ca-certificates\.crt: install ca-certificates, or pass --cacert FILE \(CURL_CA_BUNDLE names that path\) \(trigger_tls_failed\)$
^FAIL status .*no CA certificates found' -- $T "$good/good"
grep -q 'private CA' "$work/out.$k" && fail "a missing CA store is not a private CA: $(cat "$work/out.$k")"
CURL_CA_BUNDLE=/nonexistent/ca-certificates.crt conform 0 '^PASS https .*trusting --cacert' -- $T "$good/good" --cacert "$ca"
conform 1 '^FAIL https .*http://.*trigger_not_https
^PASS status' -- $T "$http/good"
# TU-3: statuses, a refused connection, no answer in time.
conform 1 '^FAIL status .*500 Internal Server Error' -- $T "$good/status/500" --cacert "$ca"
conform 1 '^FAIL status .*202 Accepted.*only 200 or 201' -- $T "$good/status/202" --cacert "$ca"
conform 1 '^FAIL status .*connection failed.*trigger_connect_failed
^SKIP https' -- $T "$refused/good" --cacert "$ca"
conform 1 '^FAIL latency .*no answer within 300 ms
^FAIL status .*trigger_timeout' -- $T "$good/slow/2000" --cacert "$ca" --timeout 300
# TU-4: slow but in time is a warning, not a failure.
conform 0 '^WARN latency .*above 50 ms
^PASS status' -- $T "$good/slow/120" --cacert "$ca" --warn-after 50 --concurrency 2
# TU-1 payload variants, repeat, concurrency, malformed body.
conform 1 '^FAIL payload .*3/4.*unicode: 400
^PASS status' -- $T "$good/rejects-unicode" --cacert "$ca"
conform 1 '^FAIL repeat .*409 Conflict' -- $T "$good/dedupe" --cacert "$ca"
conform 1 '^FAIL concurrency .*429 Too Many Requests
^PASS repeat' -- $T "$good/rate-limit" --cacert "$ca"
conform 1 '^FAIL malformed .*500 Internal Server Error' -- $T "$good/5xx-on-malformed" --cacert "$ca"
conform 0 '^WARN malformed .*accepted garbage' -- $T "$good/accepts-garbage" --cacert "$ca"

# Outbound voice connection (OV-1..OV-5).
cfg() { # cfg FILE ENDPOINT HEADERS_JSON_STRING
  printf '{"trigger_call_endpoint": "%s", "trigger_call_headers": %s, "phone_number_key": "recipient_phone", "trigger_call_payload": "{\\"campaign_id\\": \\"summer2024\\"}"}\n' "$2" "$3" >"$1"
}
cfg "$work/ov.json" "$good/ov" '"{\"Authorization\": \"Bearer t0k\"}"'
conform 0 '^PASS config .*recipient_phone
^PASS status .*200 OK
^7 checks: 7 passed' -- outbound-connection --config "$work/ov.json" --cacert "$ca" \
  --junit "$work/ov.xml"
cfg "$work/ov-noauth.json" "$good/ov" '"{}"'
conform 1 '^FAIL status .*401 Unauthorized' -- outbound-connection --config "$work/ov-noauth.json" --cacert "$ca"
conform 0 '^PASS status' -- outbound-connection --config "$work/ov-noauth.json" --cacert "$ca" \
  --header 'Authorization: Bearer t0k'
cfg "$work/ov-badjson.json" "$good/ov" '"{\"Authorization\": }"'
conform 1 '^FAIL config .*trigger_call_headers: invalid JSON at line 1, column 19 .*near
^SKIP status' -- outbound-connection --config "$work/ov-badjson.json" --cacert "$ca"
cfg "$work/ov-http.json" "$http/ov" '"{\"Authorization\": \"Bearer t0k\"}"'
conform 1 '^FAIL config .*must be an https:// URL \(OV-1\)
^FAIL https
^PASS status' -- outbound-connection --config "$work/ov-http.json"

# Bad arguments: 2, never 1.
for args in "" "frobnicate" "trigger" "trigger ftp://example.com/x" "trigger not-a-url" \
  "trigger $good/good --from 12025550100" "trigger $good/good --to +1-202-555" \
  "trigger $good/good --concurrency 0" "trigger $good/good --concurrency 51" \
  "trigger $good/good --timeout 30001" "trigger $good/good --warn-after 500 --timeout 400" \
  "trigger $good/good --header NoColon" "trigger $good/good --header Bad@Name:x" \
  "trigger $good/good --cacert /nonexistent/ca.pem" "trigger $good/good --frobnicate 1" \
  "trigger $good/good $good/other" "trigger $good/good --junit" "outbound-connection" \
  "outbound-connection --config /nonexistent.json" "trigger $good/good --junit /nonexistent/dir/j.xml --cacert $ca"; do
  n=$((n + 1))
  # shellcheck disable=SC2086
  "$d" conform $args >/dev/null 2>&1
  rc=$?
  [ "$rc" -eq 2 ] || fail "'conform $args' exited $rc, expected 2"
done
n=$((n + 1))
"$d" conform -h | grep -q -- '--cacert FILE' || fail "conform -h does not document --cacert"

# JUnit: parses, one testcase per check, failures where the report says FAIL.
n=$((n + 1))
if ! /usr/bin/python3 - "$work/good.xml" "$work/wrong.xml" "$work/ov.xml" <<'EOF'; then
import sys
import xml.etree.ElementTree as ET
want = {sys.argv[1]: (7, 0, 0), sys.argv[2]: (7, 2, 5), sys.argv[3]: (7, 0, 0)}
for path, (tests, failures, skipped) in want.items():
    suite = ET.parse(path).getroot().find("testsuite")
    cases = suite.findall("testcase")
    got = (len(cases), sum(c.find("failure") is not None for c in cases),
           sum(c.find("skipped") is not None for c in cases))
    assert got == (tests, failures, skipped), (path, got)
    assert int(suite.get("failures")) == failures and int(suite.get("tests")) == tests, path
    names = [c.get("name") for c in cases]
    assert names[:3] in (["https", "status", "latency"], ["config", "https", "status"]), names
print("junit ok")
EOF
  fail "JUnit reports"
fi

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
