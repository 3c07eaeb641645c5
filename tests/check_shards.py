#!/usr/bin/python3
"""`dialsim run --shard K/N`, as docs/ci.md uses it on CI runners: for every N
from 1 to 8, the N shards of the catalogue together run every scenario exactly
once (complete and disjoint), each shard alone exits 0, and a shard's members
do not depend on -j or on the order the paths are given in.
usage: check_shards.py DIALSIM REPO_ROOT"""
import glob, json, os, subprocess, sys

dialsim, root = sys.argv[1:3]
os.chdir(root)
catalogue = sorted(glob.glob("scenarios/**/*.json", recursive=True))
fails = n = 0


def check(cond, what):
    global fails, n
    n += 1
    if not cond:
        fails += 1
        print("FAIL:", what)


def shard(k, total, *extra):
    p = subprocess.run([dialsim, "run", "--format", "json", "--shard", f"{k}/{total}", *extra],
                       capture_output=True, text=True)
    check(p.returncode == 0, f"shard {k}/{total}: exit {p.returncode}: {p.stderr[:200]}")
    return [s["path"] for s in json.loads(p.stdout)["scenarios"]] if p.returncode == 0 else []


for total in range(1, 9):
    seen = []
    for k in range(1, total + 1):
        seen += shard(k, total, "scenarios/")
    check(sorted(seen) == catalogue, f"N={total}: the shards' union is not the catalogue "
          f"({len(seen)} runs for {len(catalogue)} scenarios)")
    check(len(seen) == len(set(seen)), f"N={total}: a scenario ran in two shards")
# the same members whatever -j and the order of the paths
a = shard(2, 5, "scenarios/")
b = shard(2, 5, "-j3", *reversed(catalogue))
check(a == b, "shard 2/5 differs with -j3 and the files named in reverse")
print(f"{n - fails} passed, {fails} failed")
sys.exit(1 if fails else 0)
