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
import signal
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


# ---------------------------------------------------------------------------------------------------------------
# Services on 127.0.0.1: a registry and the test API server (with its simulated Flux controllers)


def free_port():
    import socket
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Services:
    """Starts what the cluster benchmarks need and stops it at exit."""

    def __init__(self, work):
        self.work = work
        self.procs = []
        self.registry_port = None
        self.cluster_dir = None

    def registry(self):
        if self.registry_port:
            return self.registry_port
        port = free_port()
        storage = os.path.join(self.work, "registry")
        os.makedirs(storage, exist_ok=True)
        config = os.path.join(self.work, "registry.yml")
        with open(config, "w") as out:
            out.write(f"version: 0.1\nlog: {{level: error}}\nstorage: {{filesystem: {{rootdirectory: {storage}}}}}\n"
                      f"http: {{addr: 127.0.0.1:{port}}}\n")
        self.procs.append(subprocess.Popen(["/usr/bin/docker-registry", "serve", config],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: http_ok(f"http://127.0.0.1:{port}/v2/"))
        self.registry_port = port
        return port

    def cluster(self):
        if self.cluster_dir:
            return self.cluster_dir
        state = os.path.join(self.work, "cluster")
        script = os.path.join(ROOT, "Tests", "Support", "kube-test-server", "server.py")
        self.procs.append(subprocess.Popen([sys.executable, script, "--state-dir", state, "--controllers",
                                            "--parent-pid", str(os.getpid())],
                                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL))
        wait_for(lambda: os.path.exists(os.path.join(state, "ready.json")))
        self.cluster_dir = state
        return state

    @property
    def kubeconfig(self):
        return os.path.join(self.cluster(), "kubeconfig")

    def control(self, method, endpoint, body=None):
        import ssl
        import urllib.request
        with open(os.path.join(self.cluster(), "ready.json")) as ready:
            port = json.load(ready)["port"]
        context = ssl.create_default_context(cafile=os.path.join(self.cluster(), "ca.crt"))
        data = json.dumps(body).encode() if body is not None else None
        request = urllib.request.Request(f"https://127.0.0.1:{port}/_test/{endpoint}", data=data, method=method,
                                         headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context) as answer:
            text = answer.read()
            return json.loads(text) if text else None

    def stop(self):
        for proc in self.procs:
            proc.kill()
            proc.wait()


def http_ok(url):
    import urllib.request
    try:
        with urllib.request.urlopen(url, timeout=1):
            return True
    except Exception:
        return False


def wait_for(condition, seconds=20):
    deadline = time.time() + seconds
    while time.time() < deadline:
        if condition():
            return
        time.sleep(0.05)
    raise RuntimeError("a benchmark service did not start")


def push_tiny_artifact(port, repository, tag):
    """A small Flux artifact pushed with plain HTTP, so figures that need one do not depend on `push artifact`."""
    import gzip
    import hashlib
    import io
    import tarfile
    import urllib.request

    content = b"apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: bench\ndata:\n  k: v\n"
    tar_bytes = io.BytesIO()
    with tarfile.open(fileobj=tar_bytes, mode="w", format=tarfile.USTAR_FORMAT) as archive:
        info = tarfile.TarInfo("configmap.yaml")
        info.size = len(content)
        archive.addfile(info, io.BytesIO(content))
    layer = gzip.compress(tar_bytes.getvalue(), mtime=0)
    config = b"{}"

    def upload(blob):
        digest = "sha256:" + hashlib.sha256(blob).hexdigest()
        start = urllib.request.Request(f"http://127.0.0.1:{port}/v2/{repository}/blobs/uploads/", method="POST", data=b"")
        with urllib.request.urlopen(start) as answer:
            location = answer.headers["Location"]
        if location.startswith("/"):
            location = f"http://127.0.0.1:{port}{location}"
        separator = "&" if "?" in location else "?"
        put = urllib.request.Request(f"{location}{separator}digest={digest}", method="PUT", data=blob,
                                     headers={"Content-Type": "application/octet-stream"})
        urllib.request.urlopen(put).close()
        return digest

    manifest = {
        "schemaVersion": 2, "mediaType": "application/vnd.oci.image.manifest.v1+json",
        "config": {"mediaType": "application/vnd.cncf.flux.config.v1+json", "size": len(config), "digest": upload(config)},
        "layers": [{"mediaType": "application/vnd.cncf.flux.content.v1.tar+gzip", "size": len(layer), "digest": upload(layer)}],
        "annotations": {"org.opencontainers.image.revision": "bench@sha1:0", "org.opencontainers.image.source": "bench"},
    }
    put = urllib.request.Request(f"http://127.0.0.1:{port}/v2/{repository}/manifests/{tag}", method="PUT",
                                 data=json.dumps(manifest).encode(),
                                 headers={"Content-Type": "application/vnd.oci.image.manifest.v1+json"})
    urllib.request.urlopen(put).close()


def seed(services, objects):
    services.control("POST", "objects", {"objects": objects})


def kube_env(services):
    env = dict(os.environ)
    env["KUBECONFIG"] = services.kubeconfig
    return env


# ---------------------------------------------------------------------------------------------------------------
# 2. Completion with live names


def bench_completion(ctx):
    services = ctx["services"]
    seed(services, [{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                     "metadata": {"name": f"app-{i:02d}", "namespace": "flux-system"},
                     "spec": {"interval": "1m", "url": f"oci://127.0.0.1:1/app-{i}", "ref": {"tag": "v1"}}}
                    for i in range(50)])
    env = kube_env(services)
    kubectl = shutil.which("kubectl")
    cache = os.path.join(ctx["work"], "kubectl-cache")
    if kubectl:  # warm kubectl's discovery cache so the baseline is its steady state
        subprocess.run([kubectl, "get", "ocirepositories", "-o", "name", "--cache-dir", cache], env=env, capture_output=True)
    ours, theirs = [], []
    for _ in range(ctx["runs"]):
        ours.append(timed([ctx["binary"], "__complete", "get", "sources", "oci", ""], env=env))
        if kubectl:
            theirs.append(timed([kubectl, "get", "ocirepositories", "-o", "name", "--cache-dir", cache], env=env))
    out = subprocess.run([ctx["binary"], "__complete", "get", "sources", "oci", ""], env=env, capture_output=True, text=True).stdout
    names = sum(1 for line in out.splitlines() if line.startswith("app-"))
    return [summarize("completion: __complete get sources oci ''", "ms", [s * 1000 for s in ours],
                      [s * 1000 for s in theirs] if theirs else None, target="<= 100 ms",
                      note=f"{names} live names; baseline: kubectl get ocirepositories -o name")]


# ---------------------------------------------------------------------------------------------------------------
# 6. Reconcile latency: from the controller's status write to the command's exit


def bench_reconcile(ctx):
    services = ctx["services"]
    port = services.registry()
    push_tiny_artifact(port, "latency", "v1")
    seed(services, [{"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                     "metadata": {"name": "latency", "namespace": "flux-system"},
                     "spec": {"interval": "1h", "url": f"oci://127.0.0.1:{port}/latency", "ref": {"tag": "v1"}}}])
    delay_ms = 200
    services.control("POST", "controllers", {"reactionDelayMs": delay_ms})
    env = kube_env(services)
    subprocess.run([ctx["binary"], "reconcile", "source", "oci", "latency"], env=env, capture_output=True)  # warm up
    latencies = []
    for _ in range(max(20, ctx["runs"])):
        services.control("DELETE", "status-writes")
        proc = subprocess.run([ctx["binary"], "reconcile", "source", "oci", "latency"], env=env, capture_output=True, text=True)
        exited = time.time()
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-400:])
        writes = [w for w in services.control("GET", "status-writes") if w["name"] == "latency"]
        latencies.append((exited - writes[-1]["time"]) * 1000)
    # flux polls every 2 s: on average it notices a status 1 s after it is written, at worst 2 s.
    return [summarize("reconcile: status written → command exited", "ms", latencies, [2000.0], target="<= 100 ms",
                      note=f"controller reaction delay {delay_ms} ms; baseline: flux's 2 s polling interval")]


# ---------------------------------------------------------------------------------------------------------------
# 7. Listing 5,000 Kustomizations


def bench_list(ctx):
    services = ctx["services"]
    seed(services, [{"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                     "metadata": {"name": f"ks-{i:05d}", "namespace": f"team-{i % 20}"},
                     "spec": {"interval": "1h", "path": "./", "prune": True,
                              "sourceRef": {"kind": "OCIRepository", "name": "app"}},
                     "status": {"conditions": [{"type": "Ready", "status": "True", "reason": "ReconciliationSucceeded",
                                                "message": "Applied revision: v1@sha256:" + "ab" * 32,
                                                "lastTransitionTime": "2026-11-26T00:00:00Z"}],
                                "lastAppliedRevision": "v1@sha256:" + "ab" * 32}}
                    for i in range(5000)])
    figures = []
    for label, config in [("test API server", services.kubeconfig), ("BENCH_KUBECONFIG", os.environ.get("BENCH_KUBECONFIG"))]:
        if not config:
            continue
        env = dict(os.environ)
        env["KUBECONFIG"] = config
        kubectl = shutil.which("kubectl")
        cache = os.path.join(ctx["work"], "kubectl-cache-list")
        if kubectl:
            subprocess.run([kubectl, "get", "kustomizations", "-A", "--no-headers", "--cache-dir", cache], env=env, capture_output=True)
        ours, theirs = [], []
        for _ in range(max(5, ctx["runs"] // 2)):
            ours.append(timed([ctx["binary"], "get", "ks", "-A", "--no-header"], env=env))
            if kubectl:
                theirs.append(timed([kubectl, "get", "kustomizations", "-A", "--no-headers", "--cache-dir", cache], env=env))
        figures.append(summarize(f"list: get ks -A, 5,000 objects ({label})", "ms", [s * 1000 for s in ours],
                                 [s * 1000 for s in theirs] if theirs else None, target="ratio <= 1.0",
                                 note="baseline: kubectl get kustomizations -A --no-headers"))
    return figures


# ---------------------------------------------------------------------------------------------------------------
# 3–5. Push: build + upload of the 200 MiB payload (and 2 GiB with --large), re-push unchanged (bench/push.sh)


def bench_push(ctx):
    figures = []
    sizes = [200] + ([2048] if ctx["large"] else [])
    for mib in sizes:
        work = os.path.join(ctx["work"], f"push-{mib}")
        proc = subprocess.run(["bash", os.path.join(ROOT, "bench", "push.sh"), "--no-build", "--mib", str(mib), "--work", work],
                              capture_output=True, text=True)
        if proc.returncode != 0:
            raise RuntimeError(proc.stderr[-600:])
        rows = {}
        with open(os.path.join(work, "figures")) as table:
            for line in table:
                name, wall, cpu, rss = line.split()
                rows[name] = (float(wall), float(cpu), int(rss) / 1024)
        label = f"{mib} MiB" if mib < 1024 else f"{mib // 1024} GiB"
        gzip_wall = rows["gzip"][0]
        figures.append(summarize(f"push {label}: wall vs tar|gzip -6|sha256sum", "s", [rows["push"][0]], [gzip_wall],
                                 target="ratio <= 0.25", note="build + upload to a local registry; baseline only compresses"))
        figures.append(summarize(f"build {label}: wall vs tar|gzip -6|sha256sum", "s", [rows["build"][0]], [gzip_wall],
                                 target="ratio <= 0.25"))
        if "pigz" in rows:
            figures.append(summarize(f"build {label}: wall vs tar|pigz -6", "s", [rows["build"][0]], [rows["pigz"][0]]))
        figures.append(summarize(f"push {label}: peak RSS", "MiB", [rows["push"][2]], [rows["gzip"][2]], target="<= 32 MiB"))
        if "oras" in rows:
            figures.append(summarize(f"push {label}: wall vs oras-py push", "s", [rows["push"][0]], [rows["oras"][0]],
                                     note="oras-py: Python tarfile + gzip, then upload; `pip install oras` to include"))
            figures.append(summarize(f"push {label}: peak RSS vs oras-py", "MiB", [rows["push"][2]], [rows["oras"][2]]))
        if "repush" in rows:
            figures.append(summarize(f"re-push unchanged {label}: wall vs push", "s", [rows["repush"][0]], [rows["push"][0]],
                                     target="ratio <= 0.1; 0 blob bytes uploaded",
                                     note=proc.stdout.strip().splitlines()[-2] if proc.stdout.strip() else ""))
    return figures


# ---------------------------------------------------------------------------------------------------------------
# 9. Stopping: a signal during a push, and --request-timeout against a registry that never answers


def bench_interrupt(ctx):
    port = ctx["services"].registry()
    content = os.path.join(ctx["work"], "interrupt-content")
    os.makedirs(content, exist_ok=True)
    for index in range(8):  # incompressible, so the push is still uploading when the signal comes
        with open(os.path.join(content, f"blob-{index}.bin"), "wb") as out:
            out.write(os.urandom(16 << 20))
    latencies = {"SIGINT": [], "SIGTERM": []}
    for run in range(max(5, ctx["runs"] // 4)):
        for name, number in (("SIGINT", signal.SIGINT), ("SIGTERM", signal.SIGTERM)):
            proc = subprocess.Popen([ctx["binary"], "push", "artifact", f"oci://127.0.0.1:{port}/interrupt/app:r{run}",
                                     "--path", content, "--source", "s", "--revision", "r"],
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
            time.sleep(0.4)  # building and uploading by now
            sent = time.monotonic()
            proc.send_signal(number)
            code = proc.wait(timeout=30)
            latencies[name].append((time.monotonic() - sent) * 1000)
            if code != 128 + number:
                raise RuntimeError(f"push exited {code} after {name}")
    figures = [summarize(f"push: {name} → exit", "ms", values, target="<= 1000 ms",
                         note="128 MiB incompressible push to a local registry, signalled 0.4 s in")
               for name, values in latencies.items()]

    import socket
    silent = socket.socket()
    silent.bind(("127.0.0.1", 0))
    silent.listen(64)
    try:
        walls = []
        for _ in range(5):
            started = time.monotonic()
            subprocess.run([ctx["binary"], "list", "artifacts", f"oci://127.0.0.1:{silent.getsockname()[1]}/stalled/app",
                            "--request-timeout", "2s"], capture_output=True)
            walls.append(time.monotonic() - started)
        figures.append(summarize("list against a silent registry, --request-timeout 2s", "s", walls, [2.0],
                                 target="<= 3 s (timeout + 1 s)", note="baseline: the timeout itself"))
    finally:
        silent.close()
    return figures


BENCHMARKS = [("startup", bench_startup), ("completion", bench_completion), ("push", bench_push),
              ("reconcile", bench_reconcile), ("list", bench_list), ("interrupt", bench_interrupt)]


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--only", action="append", help="run only these benchmarks")
    parser.add_argument("--runs", type=int, default=20)
    parser.add_argument("--large", action="store_true", help="also push a 2 GiB payload")
    parser.add_argument("--binary", help="kubectl-gitops binary (default: the release build)")
    args = parser.parse_args()

    import tempfile
    work = tempfile.mkdtemp(prefix="kubectl-gitops-bench-")
    services = Services(work)
    ctx = {"binary": args.binary or binary_path(), "runs": args.runs, "large": args.large, "root": ROOT,
           "work": work, "services": services}
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
    services.stop()
    shutil.rmtree(work, ignore_errors=True)
    machine = {"nproc": os.cpu_count(), "uname": " ".join(os.uname()), "date": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    with open(os.path.join(ROOT, "bench", "results.json"), "w") as out:
        json.dump({"machine": machine, "figures": figures}, out, indent=2)
    print("wrote bench/results.json", file=sys.stderr)


if __name__ == "__main__":
    main()
