#!/usr/bin/env bash
# `dialsim check-recording` on recordings made by tools independent of
# libsndfile's writer (rule H-4: recordings are checked with libsndfile for
# format, duration, channels, silence and level): sox makes tones, silence,
# clipping and dead air, espeak-ng makes real synthetic speech, head -c cuts a
# WAV short. Asserts the exit codes (0 holds, 1 a defect, 2 unusable input)
# and that each defect is named. Nothing binary is committed: every file is
# made here, in a temporary folder.
# usage: check_recording_cli.sh DIALSIM
set -u
d=$1
t=$(mktemp -d "${TMPDIR:-/tmp}/dialsim-reccli-XXXXXX")
trap 'rm -rf "$t"' EXIT
fails=0 n=0
bad() { echo "FAIL: $*"; fails=$((fails + 1)); }

# expect CODE [--says TEXT]... -- ARGS...: run dialsim check-recording ARGS,
# want exit CODE and every TEXT in its output (stdout and stderr).
expect() {
  local want=$1; shift
  local says=()
  while [ "$1" = --says ]; do says+=("$2"); shift 2; done
  shift # --
  n=$((n + 1))
  local out rc
  out=$("$d" check-recording "$@" 2>&1); rc=$?
  if [ "$rc" -ne "$want" ]; then bad "check-recording $* exited $rc, expected $want"; echo "$out" | sed 's/^/    /'; return; fi
  for s in "${says[@]}"; do
    if ! grep -qF -- "$s" <<<"$out"; then bad "check-recording $*: output does not say '$s'"; echo "$out" | sed 's/^/    /'; return; fi
  done
}

for tool in sox espeak-ng python3; do
  command -v "$tool" >/dev/null || { echo "FAIL: $tool is not installed (.ci/install-deps installs it)"; exit 1; }
done

# --- the files ---------------------------------------------------------------
# sox writes 32-bit WAV from `synth` unless told -b 16; `vol 0.5` keeps a sine's
# crest below the clip level.
sox -n -r 8000 -c 2 -b 16 "$t/stereo.wav" synth 3 sine 300 sine 440 vol 0.5
sox -n -r 8000 -c 1 -b 16 "$t/mono.wav" synth 3 sine 300 vol 0.5
sox "$t/mono.wav" -c 2 "$t/one-sided.wav" remix 1 0         # channel 2 silent
sox "$t/mono.wav" "$t/dead-air.wav" pad 2 0                 # 2 s of nothing first
sox -n -r 8000 -c 1 -b 16 "$t/quiet.wav" synth 3 sine 300 vol 0.001  # about -63 dBFS
sox -n -r 8000 -c 1 -b 16 "$t/clipped.wav" synth 3 sine 300 gain 30 2>/dev/null
sox "$t/stereo.wav" "$t/stereo.flac"
sox "$t/stereo.wav" -r 16000 "$t/stereo16k.wav"
head -c 10000 "$t/stereo.wav" >"$t/cut.wav"                 # header says 3 s
espeak-ng -w "$t/speech.wav" "Hello, this is the dialsim test agent, calling about your appointment tomorrow at ten."
: >"$t/empty.wav"
printf '<!DOCTYPE html>\n<html><body><h1>404 Not Found</h1></body></html>\n' >"$t/page.wav"
# a 1 s pause in the middle of a 7 s call
sox -n -r 8000 -c 1 -b 16 "$t/pause.wav" synth 1 sine 0 vol 0
sox "$t/mono.wav" "$t/pause.wav" "$t/mono.wav" "$t/pause-call.wav"

# --- healthy recordings pass ---------------------------------------------------
expect 0 --says "format           wav, pcm_16" --says PASS -- "$t/stereo.wav" \
  --expect-format wav --expect-encoding pcm_16 --expect-rate 8000 --expect-channels 2 \
  --expect-duration 3 --tolerance 0.05 --expect-min-active 0.9 --expect-max-silence 0.5 \
  --expect-max-dead-air 0.1 --expect-max-clipping 0 --expect-min-level -12 --expect-max-level -6
expect 0 --says "flac, pcm_16" -- "$t/stereo.flac" --expect-format flac --expect-channels 2
expect 0 --says "sample rate      22050 Hz" -- "$t/speech.wav" --expect-channels 1 \
  --expect-min-active 50% --expect-max-dead-air 0.5 --expect-max-silence 1 \
  --expect-max-clipping 0.1% --expect-min-level -35 --expect-max-level -10

# --- each defect is found and named -----------------------------------------------
expect 1 --says "FAIL [silent_channel] channel 2 is silent (active 0.0 %, expected at least 20 %)" \
  -- "$t/one-sided.wav" --expect-min-active 20%
expect 1 --says "FAIL [dead_air] leading dead air 2.0 s (at most 1.0 s allowed)" \
  -- "$t/dead-air.wav" --expect-max-dead-air 1
expect 1 --says "FAIL [silence] silence of 1.0" --says "with nobody speaking, from 3.00 s" \
  -- "$t/pause-call.wav" --expect-max-silence 0.5
expect 1 --says "FAIL [clipping] clipping" --says "% of samples on channel 1 (at most 0.1 %)" \
  -- "$t/clipped.wav" --expect-max-clipping 0.001
expect 1 --says "FAIL [sample_rate] sample rate 16000 Hz, expected 8000 Hz" \
  -- "$t/stereo16k.wav" --expect-rate 8000
expect 1 --says "FAIL [channels] 1 channel (mono), expected 2" -- "$t/mono.wav" --expect-channels 2
expect 1 --says "FAIL [container] format flac" -- "$t/stereo.flac" --expect-format wav
expect 1 --says "FAIL [encoding] encoding pcm_16" -- "$t/stereo.wav" --expect-encoding ulaw
expect 1 --says "FAIL [too_quiet] channel 1 is too quiet: RMS -6" \
  -- "$t/quiet.wav" --expect-min-level -40
expect 1 --says "FAIL [too_loud] channel 1 is too loud" -- "$t/clipped.wav" --expect-max-level -6
expect 1 --says "FAIL [duration] duration 3.0 s, expected 30.0 s ± 0.5 s (truncated?)" \
  -- "$t/stereo.wav" --expect-duration 30
# a cut WAV fails as truncated with no expectation at all
expect 1 --says "FAIL [truncated] file is cut short: its header declares 3.00 s of audio" \
  -- "$t/cut.wav"

# --- unusable input and arguments: exit 2, naming the file or the argument -------------
expect 2 --says "empty.wav: Format not recognised (the file is empty); expected an audio file libsndfile can read" \
  -- "$t/empty.wav"
expect 2 --says "page.wav: Format not recognised (the file is text: \"<!DOCTYPE html>" -- "$t/page.wav"
expect 2 --says "nope.wav: System error : No such file or directory" -- "$t/nope.wav"
expect 2 --says "--expect-rate needs a sample rate in Hz (e.g. 16000), not fast" -- "$t/mono.wav" --expect-rate fast
expect 2 --says "--expect-min-active needs a ratio from 0 to 1 or a percentage (20%), not 150%" \
  -- "$t/mono.wav" --expect-min-active 150%
expect 2 --says "option '--expect-duration' requires an argument" -- "$t/mono.wav" --expect-duration
expect 2 --says "--tolerance goes with --expect-duration" -- "$t/mono.wav" --tolerance 1
expect 2 --says "unrecognized option '--frobnicate'" -- "$t/mono.wav" --frobnicate
expect 2 --says "name the recording to check" --
expect 2 --says "one file at a time" -- "$t/mono.wav" "$t/stereo.wav"
expect 0 --says "usage: dialsim check-recording" -- --help

# --- --json is one JSON object, for a pass, a failure and an error -----------------
json_check() { # json_check CODE PYTHON-ASSERTION ARGS...
  local want=$1 assertion=$2; shift 2; n=$((n + 1))
  local out rc
  out=$("$d" check-recording "$@" --json 2>/dev/null); rc=$?
  if [ "$rc" -ne "$want" ]; then bad "check-recording $* --json exited $rc, expected $want"; return; fi
  if ! python3 -c "import json,sys; j=json.load(sys.stdin); assert $assertion, j" <<<"$out"; then
    bad "check-recording $* --json: $assertion"; echo "$out" | sed 's/^/    /'
  fi
}
json_check 0 "j['pass'] and j['channels'] == 2 and j['format']['container'] == 'wav' and len(j['channel_stats']) == 2 and j['failures'] == []" \
  "$t/stereo.wav" --expect-channels 2
json_check 1 "not j['pass'] and j['failures'][0]['defect'] == 'silent_channel' and j['failures'][0]['channel'] == 2 and j['channel_stats'][1]['rms_dbfs'] is None" \
  "$t/one-sided.wav" --expect-min-active 0.2
json_check 1 "j['declared_frames'] == 24000 and j['failures'][0]['defect'] == 'truncated'" "$t/cut.wav"
json_check 2 "not j['pass'] and 'Format not recognised' in j['error']" "$t/page.wav"

echo "$((n - fails)) passed, $fails failed"
[ "$fails" -eq 0 ]
