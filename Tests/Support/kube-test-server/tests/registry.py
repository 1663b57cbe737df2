"""A throwaway docker-registry on 127.0.0.1 and a Flux-style artifact pusher, for the controller tests."""
import gzip
import hashlib
import io
import json
import os
import shutil
import socket
import subprocess
import tarfile
import tempfile
import time
import urllib.error
import urllib.request

FLUX_LAYER = "application/vnd.cncf.flux.content.v1.tar+gzip"
FLUX_CONFIG = "application/vnd.cncf.flux.config.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class LocalRegistry:
    def __init__(self):
        self.directory = tempfile.mkdtemp(prefix="registry-")
        self.port = _free_port()
        config = os.path.join(self.directory, "config.yml")
        with open(config, "w") as handle:
            handle.write("version: 0.1\nlog:\n  level: error\nstorage:\n  filesystem:\n    rootdirectory: %s\n"
                         "http:\n  addr: 127.0.0.1:%d\n" % (os.path.join(self.directory, "data"), self.port))
        binary = shutil.which("docker-registry") or "/usr/bin/docker-registry"
        self.process = subprocess.Popen([binary, "serve", config], stdout=subprocess.DEVNULL,
                                        stderr=subprocess.DEVNULL)
        deadline = time.time() + 20
        while True:
            try:
                urllib.request.urlopen("http://127.0.0.1:%d/v2/" % self.port, timeout=1).read()
                break
            except (urllib.error.URLError, OSError):
                if self.process.poll() is not None or time.time() > deadline:
                    raise RuntimeError("docker-registry did not start on port %d" % self.port)
                time.sleep(0.05)

    @property
    def host(self):
        return "127.0.0.1:%d" % self.port

    # push() and put_blob() only need self.port, so main() can push to a registry started elsewhere.

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        shutil.rmtree(self.directory, ignore_errors=True)

    def _request(self, method, url, body=None, headers=None):
        request = urllib.request.Request(url, data=body, method=method, headers=headers or {})
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()

    def put_blob(self, repository, data):
        digest = "sha256:" + hashlib.sha256(data).hexdigest()
        base = "http://%s" % self.host
        _, headers, _ = self._request("POST", "%s/v2/%s/blobs/uploads/" % (base, repository), b"")
        location = headers["Location"]
        if location.startswith("/"):
            location = base + location
        separator = "&" if "?" in location else "?"
        self._request("PUT", "%s%sdigest=%s" % (location, separator, digest), data,
                      {"Content-Type": "application/octet-stream"})
        return digest

    def push(self, repository, tag, layer, annotations=None, media_type=FLUX_LAYER):
        """Pushes a one-layer Flux artifact; returns (manifest digest, layer digest)."""
        config = b"{}"
        config_digest = self.put_blob(repository, config)
        layer_digest = self.put_blob(repository, layer)
        manifest = {"schemaVersion": 2, "mediaType": OCI_MANIFEST,
                    "config": {"mediaType": FLUX_CONFIG, "size": len(config), "digest": config_digest},
                    "layers": [{"mediaType": media_type, "size": len(layer), "digest": layer_digest}]}
        if annotations:
            manifest["annotations"] = annotations
        body = json.dumps(manifest).encode()
        self._request("PUT", "http://%s/v2/%s/manifests/%s" % (self.host, repository, tag), body,
                      {"Content-Type": OCI_MANIFEST})
        return "sha256:" + hashlib.sha256(body).hexdigest(), layer_digest


def tarball(files):
    """A gzip tar of {path: text}."""
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w") as archive:
        for path, text in sorted(files.items()):
            data = text.encode()
            info = tarfile.TarInfo(path)
            info.size = len(data)
            info.mode = 0o644
            archive.addfile(info, io.BytesIO(data))
    return gzip.compress(raw.getvalue(), mtime=0)


def main(argv):
    """`registry.py push HOST REPOSITORY TAG PATH=TEXT...` pushes a Flux artifact; prints the manifest digest."""
    if len(argv) < 4 or argv[0] != "push":
        raise SystemExit("usage: registry.py push HOST REPOSITORY TAG PATH=TEXT...")
    pusher = LocalRegistry.__new__(LocalRegistry)
    pusher.port = int(argv[1].rsplit(":", 1)[1])
    files = dict(item.split("=", 1) for item in argv[4:])
    manifest_digest, _ = pusher.push(argv[2], argv[3], tarball(files))
    print(manifest_digest)


if __name__ == "__main__":
    import sys
    main(sys.argv[1:])
