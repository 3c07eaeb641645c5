#!/usr/bin/env python3
"""Benchmark of `dialsim check-recording` (on demand, never part of the test suite).

Makes one hour of 8 kHz and one hour of 48 kHz stereo 16-bit WAV with sox in a
temporary folder, then times side by side (best of --repeat runs each, file in
the page cache after the first read):

    dialsim check-recording FILE --json
    sox FILE -n stat
    sox FILE -n stats

and prints each as a multiple of real time, plus dialsim's peak RSS as a
fresh child process (getrusage/wait4 through GNU time, see run()). The goal (docs/recordings.md): at least
5,000x real time on 48 kHz stereo, at least 2.5x `sox stat`, under 16 MB RSS.

usage: bench/bench_recording.py [--dialsim build/dialsim] [--repeat 3] [--seconds 3600]
"""
import argparse, os, shutil, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


# A child forked from Python starts with Python's pages: Linux carries the
# parent's resident set into the child's ru_maxrss across fork and exec (13 MB
# here even for /bin/true). GNU time is a small parent, so the dialsim it forks
# is measured alone; without it the figure is an upper bound.
GNU_TIME = "/usr/bin/time" if os.access("/usr/bin/time", os.X_OK) else None


def run(cmd):
    """Run cmd; return (wall seconds, peak RSS KiB of that very process)."""
    full = [GNU_TIME, "-f", "maxrss_kib=%M"] + cmd if GNU_TIME else cmd
    t0 = time.perf_counter()
    p = subprocess.Popen(full, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    err = p.stderr.read().decode(errors="replace")
    p.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 1):  # 1 = an expectation failed, still a full analysis
        sys.exit(f"bench: {' '.join(cmd)} exited {code}: {err[-500:]}")
    rss = ru.ru_maxrss
    for line in err.splitlines():
        if line.startswith("maxrss_kib="):
            rss = int(line.split("=", 1)[1])
    return wall, rss


def best(cmd, repeat):
    runs = [run(cmd) for _ in range(repeat)]
    return min(w for w, _ in runs), max(r for _, r in runs)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialsim", default=os.path.join(ROOT, "build", "dialsim"))
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--seconds", type=int, default=3600)
    a = ap.parse_args()
    if not shutil.which("sox"):
        sys.exit("bench: sox is not installed (bash .ci/install-deps)")
    work = tempfile.mkdtemp(prefix="dialsim-bench-rec-")
    met = True
    try:
        print(f"dialsim check-recording bench: {a.seconds} s per file, best of {a.repeat}; "
              f"machine: {os.cpu_count()} cores")
        if not GNU_TIME:
            print("  (no /usr/bin/time: peak RSS includes the Python parent's pages)")
        for rate in (8000, 48000):
            f = os.path.join(work, f"call-{rate}.wav")
            # a tone on the left, pink noise on the right: every check has work
            subprocess.run(["sox", "-n", "-r", str(rate), "-c", "2", "-b", "16", f, "synth",
                            str(a.seconds), "sine", "220", "pinknoise", "vol", "0.3"], check=True)
            size = os.path.getsize(f)
            run(["cat", f])  # warm the page cache for everyone alike
            length = f"{a.seconds / 3600:g} h" if a.seconds >= 3600 else f"{a.seconds / 60:g} min"
            print(f"\n{length} of {rate // 1000} kHz stereo 16-bit WAV "
                  f"({size / 1e6:,.0f} MB):")
            rows = {}
            for name, cmd in (("dialsim check-recording --json", [a.dialsim, "check-recording", f, "--json"]),
                              ("sox -n stat", ["sox", f, "-n", "stat"]),
                              ("sox -n stats", ["sox", f, "-n", "stats"])):
                wall, rss = best(cmd, a.repeat)
                rows[name] = wall
                rss_txt = f"   peak RSS {rss / 1024:.1f} MiB" if name.startswith("dialsim") else ""
                print(f"  {name:32s} {wall:7.3f} s  {a.seconds / wall:9,.0f}x real time{rss_txt}")
                if name.startswith("dialsim"):
                    d_rss = rss
            d = rows["dialsim check-recording --json"]
            vs_stat, vs_stats = rows["sox -n stat"] / d, rows["sox -n stats"] / d
            print(f"  dialsim is {vs_stat:.1f}x as fast as sox stat, {vs_stats:.1f}x sox stats")
            if rate == 48000:
                ok = a.seconds / d >= 5000 and vs_stat >= 2.5 and d_rss < 16 * 1024
                met = met and ok
                print(f"  goal (>= 5,000x real time, >= 2.5x sox stat, < 16 MB RSS): "
                      f"{'met' if ok else 'NOT met'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0 if met else 1


if __name__ == "__main__":
    sys.exit(main())
