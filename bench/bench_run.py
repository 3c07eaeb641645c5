#!/usr/bin/env python3
"""Benchmark of `dialsim run` (on demand, never part of the test suite).

Generates N copies of the scenario catalogue (default 2,000 scenarios) and
reports, for -j 1 and -j 2: wall time, scenarios per second and peak RSS;
then the wall time of one 300-s-window scenario, both as a whole process
(start-up, mock server start and stop included) and as measured inside dialsim
(--timing, median over 1,000 copies).

usage: bench/bench_run.py [--dialsim build/dialsim] [--count 2000] [--repeat 5] [--glob 'dw*']...
"""
import argparse, json, os, resource, shutil, statistics, subprocess, sys, tempfile, time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def run(cmd):
    """Run cmd in a child; return (wall seconds, peak RSS KiB of that child, stderr)."""
    r0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.perf_counter()
    p = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    wall = time.perf_counter() - t0
    if p.returncode != 0:
        sys.exit(f"bench: {' '.join(cmd[:3])}... exited {p.returncode}: {p.stderr[-500:]}")
    r1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss of children is the max over all children so far: measure each
    # configuration in a fresh python process (see main) to keep them apart.
    return wall, r1.ru_maxrss, p.stderr


def copies(src_files, n, dest):
    os.makedirs(dest, exist_ok=True)
    k = 0
    while k < n:
        for f in src_files:
            if k >= n:
                break
            shutil.copy(f, os.path.join(dest, f"c{k:05d}-{os.path.basename(f)}"))
            k += 1
    return k


def measure(args, cmd):
    """One configuration in a fresh interpreter, so peak RSS is its own."""
    out = subprocess.run([sys.executable, __file__, "--_measure", json.dumps(cmd)],
                         capture_output=True, text=True, check=True).stdout
    return json.loads(out)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dialsim", default=os.path.join(ROOT, "build", "dialsim"))
    ap.add_argument("--count", type=int, default=2000)
    ap.add_argument("--repeat", type=int, default=5)
    ap.add_argument("--glob", action="append",
                    help="only catalogue files matching this pattern (repeatable), e.g. 'dw*'")
    ap.add_argument("--_measure")
    a = ap.parse_args()
    if a._measure:
        walls, rss, err = [], 0, ""
        cmd = json.loads(a._measure)
        wall, rss, err = run(cmd)
        print(json.dumps({"wall": wall, "rss_kib": rss, "stderr": err}))
        return
    scen_dir = os.path.join(ROOT, "scenarios")
    import fnmatch
    src = sorted(os.path.join(scen_dir, f) for f in os.listdir(scen_dir) if f.endswith(".json")
                 and (not a.glob or any(fnmatch.fnmatch(f, g) for g in a.glob)))
    work = tempfile.mkdtemp(prefix="dialsim-bench-")
    try:
        n = copies(src, a.count, os.path.join(work, "catalogue"))
        one = os.path.join(scen_dir, "dw2-dial-1s-late.json")  # a full 300 s window, then a late dial
        copies([one], 1000, os.path.join(work, "window"))
        print(f"dialsim bench: {n} scenarios ({len(src)} catalogue files copied), "
              f"best of {a.repeat} runs; machine: {os.cpu_count()} cores")
        for j in (1, 2):
            best = None
            for _ in range(a.repeat):
                m = measure(a, [a.dialsim, "run", "-j", str(j), os.path.join(work, "catalogue")])
                if best is None or m["wall"] < best["wall"]:
                    best = m
            print(f"  -j {j}: {best['wall']:.3f} s wall, {n / best['wall']:,.0f} scenarios/s, "
                  f"peak RSS {best['rss_kib'] / 1024:.1f} MiB")
        procs = sorted(measure(a, [a.dialsim, "run", one])["wall"] for _ in range(21))
        print(f"  one 300-s-window scenario as a whole process (start, mock server up and down): "
              f"median {statistics.median(procs) * 1e3:.2f} ms")
        m = measure(a, [a.dialsim, "run", "--timing", os.path.join(work, "window")])
        timing = [l for l in m["stderr"].splitlines() if l.startswith("timing:")]
        print(f"  one 300-s-window scenario inside dialsim (1,000 copies, --timing): "
              f"{timing[0][len('timing: '):] if timing else '?'}")
    finally:
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
