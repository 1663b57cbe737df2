#!/usr/bin/env python3
"""kubectl-gitops benchmarks: every figure is a ratio against a baseline measured in the same run.

Run with `make bench` (builds a release binary first). Prints one table and writes bench/results.json.
Each benchmark returns figures: {name, unit, median, min, max, baseline, ratio, target, note}.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(ROOT, "bench"))


def timed(cmd, env=None, stdin=None, cwd=None):
    """Wall seconds of one run; raises when the command fails."""
    start = time.perf_counter()
    proc = subprocess.run(cmd, env=env, stdin=stdin, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise RuntimeError(f"{' '.join(cmd)} failed ({proc.returncode}): {proc.stderr.decode()[-400:]}")
    return elapsed


def gnu_time(cmd, env=None, shell=False, cwd=None):
    """(wall s, cpu s, peak RSS KiB) from GNU time -v."""
    if shell:
        full = ["/usr/bin/time", "-v", "bash", "-c", cmd]
    else:
        full = ["/usr/bin/time", "-v"] + cmd
    proc = subprocess.run(full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError(f"{cmd} failed: {proc.stderr[-600:]}")
    fields, wall = {}, None
    for line in proc.stderr.splitlines():
        line = line.strip()
        if line.startswith("Elapsed (wall clock) time"):
            # "Elapsed (wall clock) time (h:mm:ss or m:ss): 0:01.23"
            wall = 0.0
            for part in line.split("): ", 1)[1].split(":"):
                wall = wall * 60 + float(part)
        elif ": " in line:
            key, _, value = line.rpartition(": ")
            fields[key] = value
    cpu = float(fields.get("User time (seconds)", 0)) + float(fields.get("System time (seconds)", 0))
    rss = int(fields.get("Maximum resident set size (kbytes)", 0))
    return wall, cpu, rss


def summarize(name, unit, samples, baseline_samples=None, target=None, note="", lower_is_better=True):
    figure = {
        "name": name,
        "unit": unit,
        "runs": len(samples),
        "median": statistics.median(samples),
        "min": min(samples),
        "max": max(samples),
        "target": target,
        "note": note,
    }
    if baseline_samples:
        baseline = statistics.median(baseline_samples)
        figure["baseline"] = baseline
        figure["baseline_min"] = min(baseline_samples)
        figure["baseline_max"] = max(baseline_samples)
        figure["ratio"] = figure["median"] / baseline if baseline else None
    return figure


def binary_path():
    out = subprocess.run(["swift", "build", "-c", "release", "--show-bin-path"], cwd=ROOT, capture_output=True, text=True, check=True)
    return os.path.join(out.stdout.strip(), "kubectl-gitops")


# ---------------------------------------------------------------------------------------------------------------
# 1. Startup


def bench_startup(ctx):
    binary = ctx["binary"]
    kubectl = shutil.which("kubectl")
    ours, theirs = [], []
    runs = ctx["runs"]
    for _ in range(runs):  # interleaved, so drift hits both sides alike
        ours.append(timed([binary, "version", "--client"]))
        if kubectl:
            theirs.append(timed([kubectl, "version", "--client"]))
    return [summarize("startup: version --client", "ms", [s * 1000 for s in ours],
                      [s * 1000 for s in theirs] if theirs else None, target="ratio <= 0.15",
                      note="baseline: kubectl version --client")]


BENCHMARKS = [("startup", bench_startup)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", help="run only these benchmarks")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--large", action="store_true", help="also push a 2 GiB payload")
    parser.add_argument("--binary", help="kubectl-gitops binary (default: the release build)")
    args = parser.parse_args()

    ctx = {"binary": args.binary or binary_path(), "runs": args.runs, "large": args.large, "root": ROOT}
    figures = []
    for name, function in BENCHMARKS:
        if args.only and name not in args.only:
            continue
        print(f"running {name} …", file=sys.stderr, flush=True)
        try:
            figures.extend(function(ctx))
        except Exception as error:  # a failed benchmark is reported, the rest still run
            figures.append({"name": name, "error": str(error)})

    print(f"{'figure':44} {'median':>10} {'min':>10} {'max':>10} {'baseline':>10} {'ratio':>7}  target")
    for f in figures:
        if "error" in f:
            print(f"{f['name']:44} ERROR: {f['error']}")
            continue
        baseline = f"{f['baseline']:.2f}" if "baseline" in f else "-"
        ratio = f"{f['ratio']:.3f}" if f.get("ratio") is not None else "-"
        print(f"{f['name'] + ' (' + f['unit'] + ')':44} {f['median']:10.2f} {f['min']:10.2f} {f['max']:10.2f} {baseline:>10} {ratio:>7}  {f.get('target') or ''}")
    machine = {"nproc": os.cpu_count(), "uname": " ".join(os.uname()), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as out:
        json.dump({"machine": machine, "figures": figures}, out, indent=2)
    print("wrote bench/results.json", file=sys.stderr)


if __name__ == "__main__":
    main()
