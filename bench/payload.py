#!/usr/bin/env python3
"""Deterministic benchmark payload: the same seed gives the same tree, byte for byte, on every machine.

Writes FILES files totalling about MIB MiB under DIR in nested folders: even-numbered files are Kubernetes-like YAML
(compressible), odd-numbered ones random bytes. Usage: payload.py DIR [--mib 200] [--files 2000] [--seed N]
"""
import argparse
import os

MASK = (1 << 64) - 1
KINDS = ["Deployment", "Service", "ConfigMap", "Ingress", "StatefulSet", "CronJob"]
WORDS = ["frontend", "backend", "cache", "queue", "worker", "gateway", "metrics", "auth", "search", "billing"]


class SplitMix64:
    """Tiny, fully specified generator, so payloads never depend on the platform's random source."""

    def __init__(self, seed):
        self.state = seed & MASK

    def next(self):
        self.state = (self.state + 0x9E3779B97F4A7C15) & MASK
        z = self.state
        z = ((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9) & MASK
        z = ((z ^ (z >> 27)) * 0x94D049BB133111EB) & MASK
        return z ^ (z >> 31)

    def below(self, bound):
        return self.next() % bound


def random_bytes(size, rng):
    words = (rng.next().to_bytes(8, "little") for _ in range((size + 7) // 8))
    return b"".join(words)[:size]


def yaml_text(size, rng):
    parts, length = [], 0
    while length < size:
        name = f"{WORDS[rng.below(len(WORDS))]}-{rng.next() % 100000:x}"
        image_tag = f"{rng.next():x}"[:12]
        doc = (
            f"apiVersion: apps/v1\nkind: {KINDS[rng.below(len(KINDS))]}\nmetadata:\n  name: {name}\n"
            f"  namespace: team-{rng.below(40)}\n  labels:\n    app.kubernetes.io/name: {name}\n"
            f'    app.kubernetes.io/version: "{rng.below(10)}.{rng.below(30)}.{rng.below(100)}"\n'
            f"spec:\n  replicas: {1 + rng.below(9)}\n  template:\n    spec:\n      containers:\n        - name: main\n"
            f"          image: registry.example.com/{name}:{image_tag}\n"
            f"          resources:\n            limits: {{cpu: {100 + rng.below(1900)}m, memory: {64 * (1 + rng.below(32))}Mi}}\n---\n"
        ).encode()
        parts.append(doc)
        length += len(doc)
    return b"".join(parts)[:size]


def generate(directory, total_bytes, file_count, seed):
    rng = SplitMix64(seed)
    per_file = max(1, total_bytes // max(1, file_count))
    written = 0
    for index in range(file_count):
        folder = os.path.join(directory, f"group-{index % 10}", f"set-{index % 7}")
        os.makedirs(folder, exist_ok=True)
        size = per_file // 2 + rng.below(per_file + 1)
        is_text = index % 2 == 0
        path = os.path.join(folder, f"file-{index:05d}" + (".yaml" if is_text else ".bin"))
        data = yaml_text(size, rng) if is_text else random_bytes(size, rng)
        with open(path, "wb") as out:
            out.write(data)
        written += len(data)
    return written


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("directory")
    parser.add_argument("--mib", type=int, default=200)
    parser.add_argument("--files", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=20261126)
    args = parser.parse_args()
    print(generate(args.directory, args.mib << 20, args.files, args.seed))
