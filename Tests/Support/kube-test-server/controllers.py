"""Simulated Flux source- and kustomize-controllers (--controllers).

They react to the server's own change feed (store listeners), fetch artifacts from the real registry named in
spec.url, and write status through the status-subresource logic, so clients see a new resourceVersion and a watch
MODIFIED event exactly as with a real controller. Nothing is requeued: a failed reconcile waits for the next change.
"""
import copy
import datetime
import gzip
import hashlib
import io
import json
import os
import queue
import re
import shutil
import ssl
import tarfile
import tempfile
import threading
import time
import urllib.error
import urllib.request

import yaml

SOURCE_KIND = "OCIRepository"
KUSTOMIZATION_KIND = "Kustomization"
REQUESTED_AT = "reconcile.fluxcd.io/requestedAt"
MANIFEST_TYPES = ("application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json, "
                  "application/vnd.oci.image.index.v1+json")
CLUSTER_SCOPED_KINDS = {"Namespace", "ClusterRole", "ClusterRoleBinding", "CustomResourceDefinition",
                        "PersistentVolume", "StorageClass", "PriorityClass", "IngressClass", "RuntimeClass",
                        "ValidatingWebhookConfiguration", "MutatingWebhookConfiguration", "APIService"}


def _now():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class ReconcileError(Exception):
    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason
        self.message = message


# ------------------------------------------------------------------------------------------------ registry access

class Registry:
    """Just enough of the OCI distribution API for source-controller's pull path."""

    def __init__(self, url, insecure):
        match = re.match(r"^oci://([^/]+)/(.+)$", url or "")
        if not match:
            raise ReconcileError("OCIArtifactPullFailed", "URL must be in format 'oci://<domain>/<org>/<repo>'")
        self.host, self.repository = match.group(1), match.group(2)
        hostname = self.host.rsplit(":", 1)[0]
        loopback = hostname in ("127.0.0.1", "localhost", "[::1]")
        self.scheme = "http" if insecure or loopback else "https"

    def url(self, kind, reference):
        return "%s://%s/v2/%s/%s/%s" % (self.scheme, self.host, self.repository, kind, reference)

    def get(self, url, accept=None):
        request = urllib.request.Request(url, headers={"Accept": accept} if accept else {})
        request.add_header("User-Agent", "source-controller/kube-test-server")
        try:
            with urllib.request.urlopen(request, timeout=30, context=ssl.create_default_context()) as response:
                return response.read(), dict(response.headers)
        except urllib.error.HTTPError as error:
            body = error.read()
            raise ReconcileError("OCIArtifactPullFailed", "GET %s: %s" % (url, _registry_error(error.code, body)))
        except (urllib.error.URLError, OSError) as error:
            raise ReconcileError("OCIArtifactPullFailed", "GET %s: %s" % (url, getattr(error, "reason", error)))

    def tags(self):
        body, _ = self.get("%s://%s/v2/%s/tags/list" % (self.scheme, self.host, self.repository))
        return json.loads(body).get("tags") or []


def _registry_error(code, body):
    """ggcr's rendering of a registry error: CODE: message; map[Key:Value]."""
    try:
        errors = json.loads(body).get("errors") or []
    except ValueError:
        errors = []
    if not errors:
        return "unexpected status code %d" % code
    parts = []
    for error in errors:
        text = "%s: %s" % (error.get("code", "UNKNOWN"), error.get("message", ""))
        detail = error.get("detail")
        if isinstance(detail, dict) and detail:
            text += "; map[%s]" % " ".join("%s:%s" % (k, detail[k]) for k in sorted(detail))
        elif detail:
            text += "; %s" % detail
        parts.append(text)
    return "; ".join(parts)


# ---------------------------------------------------------------------------------------------------- semver

_SEMVER = re.compile(r"^v?(\d+)(?:\.(\d+))?(?:\.(\d+))?(?:-([0-9A-Za-z.-]+))?(?:\+[0-9A-Za-z.-]+)?$")


def parse_version(text):
    match = _SEMVER.match(text.strip())
    if not match:
        return None
    major, minor, patch, pre = match.groups()
    pre_key = tuple((0, int(p), "") if p.isdigit() else (1, 0, p) for p in pre.split(".")) if pre else None
    return (int(major), int(minor or 0), int(patch or 0), pre_key)


def _order(version):
    major, minor, patch, pre = version
    # A release sorts after its pre-releases.
    return (major, minor, patch, 1 if pre is None else 0, pre or ())


def _single_constraint(text):
    """Returns a predicate for one Masterminds-style constraint such as >=1.2, ~1.2.3, ^1, 1.2.x."""
    match = re.match(r"^(>=|<=|!=|=|>|<|~|\^)?\s*v?([0-9xX*]+)(?:\.([0-9xX*]+))?(?:\.([0-9xX*]+))?(?:-([0-9A-Za-z.-]+))?$",
                     text.strip())
    if not match:
        raise ReconcileError("OCIArtifactPullFailed", "semver '%s' parse error: improper constraint" % text)
    operator, parts, pre = match.group(1) or "", list(match.group(2, 3, 4)), match.group(5)
    wild = [p is None or p in ("x", "X", "*") for p in parts]
    numbers = [0 if w else int(p) for p, w in zip(parts, wild)]
    base = (numbers[0], numbers[1], numbers[2])
    if operator in ("", "=") and any(wild):
        first_wild = wild.index(True)
        if first_wild == 0:
            return lambda v: True
        upper = list(base)
        upper[first_wild - 1] += 1
        upper[first_wild:] = [0] * (3 - first_wild)
        return lambda v: base <= v[:3] < tuple(upper)
    if operator == "~":
        upper = (base[0] + 1, 0, 0) if wild[1] else (base[0], base[1] + 1, 0)
        return lambda v: base <= v[:3] < upper
    if operator == "^":
        if base[0] > 0 or wild[1]:
            upper = (base[0] + 1, 0, 0)
        elif base[1] > 0 or wild[2]:
            upper = (0, base[1] + 1, 0)
        else:
            upper = (0, 0, base[2] + 1)
        return lambda v: base <= v[:3] < upper
    pre_key = parse_version("0.0.0-" + pre)[3] if pre else None
    target = _order(base + (pre_key,))
    comparisons = {"": lambda o: o == target, "=": lambda o: o == target, "!=": lambda o: o != target,
                   ">": lambda o: o > target, "<": lambda o: o < target, ">=": lambda o: o >= target,
                   "<=": lambda o: o <= target}
    compare = comparisons[operator]
    return lambda v: compare(_order(v))


def semver_matcher(expression):
    alternatives = []
    for alternative in expression.split("||"):
        terms = [t for t in re.split(r"[\s,]+", re.sub(r"(>=|<=|!=|>|<|=|~|\^)\s+", r"\1", alternative.strip()))
                 if t]
        if len(terms) == 3 and terms[1] == "-":
            terms = [">=" + terms[0], "<=" + terms[2]]
        alternatives.append([_single_constraint(t) for t in terms])
    allow_pre = "-" in re.sub(r"\s-\s", " ", expression)
    return lambda v: (allow_pre or v[3] is None) and any(all(c(v) for c in terms) for terms in alternatives)


# -------------------------------------------------------------------------------------------------- controller

class Controllers:
    def __init__(self, app, reaction_delay_ms):
        self.app = app
        self.reaction_delay_ms = reaction_delay_ms
        self.work = queue.Queue()
        self.status_writes = []
        self.lock = threading.Lock()
        # Kinds whose reconciles stop after the in-progress write until released (POST /_test/controllers).
        self.held_kinds = set()
        self.hold = threading.Condition()

    def start(self):
        self.app.store.listeners.append(self._on_event)
        threading.Thread(target=self._loop, name="flux-controllers", daemon=True).start()

    def wake(self):
        """Kept for the request path; the change feed already carries every write."""

    def set_reaction_delay(self, milliseconds):
        self.reaction_delay_ms = int(milliseconds)

    def hold_after_progress(self, kinds):
        """Reconciles of these kinds pause after their in-progress write; an empty list releases them."""
        with self.hold:
            self.held_kinds = set(kinds or [])
            self.hold.notify_all()

    def writes(self):
        with self.lock:
            return list(self.status_writes)

    def clear_writes(self):
        with self.lock:
            self.status_writes = []

    # -- change feed (runs under the store lock: only decide and enqueue)
    def _on_event(self, event):
        if event.kind == "DELETED" or event.new is None:
            return
        kind = event.new.get("kind")
        if kind not in (SOURCE_KIND, KUSTOMIZATION_KIND):
            return
        if event.old is None and ((event.new.get("status") or {}).get("conditions")):
            return  # seeded with a status already: nothing for a controller to do
        if self._spec_or_request_changed(event.old, event.new):
            self.work.put((kind, event.new["metadata"].get("namespace", ""), event.new["metadata"]["name"]))
        elif kind == SOURCE_KIND and _artifact_revision(event.old) != _artifact_revision(event.new) \
                and _ready(event.new):
            self.work.put(("source-ready", event.new["metadata"].get("namespace", ""), event.new["metadata"]["name"]))
        elif kind == KUSTOMIZATION_KIND and _ready(event.new) and not _ready(event.old):
            self.work.put(("dependency-ready", event.new["metadata"].get("namespace", ""),
                           event.new["metadata"]["name"]))

    @staticmethod
    def _spec_or_request_changed(old, new):
        if old is None:
            return True
        if old["metadata"].get("generation") != new["metadata"].get("generation"):
            return True
        old_request = (old["metadata"].get("annotations") or {}).get(REQUESTED_AT)
        new_request = (new["metadata"].get("annotations") or {}).get(REQUESTED_AT)
        return old_request != new_request

    def _loop(self):
        while True:
            kind, namespace, name = self.work.get()
            try:
                if kind == SOURCE_KIND:
                    self._reconcile_source(namespace, name)
                elif kind == KUSTOMIZATION_KIND:
                    self._reconcile_kustomization(namespace, name)
                elif kind == "source-ready":
                    for ks in self._kustomizations(lambda k: _source_of(k) == (namespace, name)):
                        self._reconcile_kustomization(ks["metadata"]["namespace"], ks["metadata"]["name"])
                elif kind == "dependency-ready":
                    for ks in self._kustomizations(lambda k: (namespace, name) in _dependencies(k)
                                                   and not _ready(k)):
                        self._reconcile_kustomization(ks["metadata"]["namespace"], ks["metadata"]["name"])
            except Exception:  # a bug here must not stop the loop for the rest of the test run
                import traceback
                traceback.print_exc()

    def _kustomizations(self, predicate):
        with self.app.store.condition:
            rt = self.app.resources.kinds.get(KUSTOMIZATION_KIND)
            return [copy.deepcopy(k) for k in self.app.store.list(rt.key) if predicate(k)] if rt else []

    def _read(self, kind, namespace, name):
        rt = self.app.resources.kinds.get(kind)
        if rt is None:
            return None, None
        with self.app.store.condition:
            return rt, copy.deepcopy(self.app.store.get(rt.key, namespace, name))

    def _write(self, rt, obj, status, react=False):
        """One status-subresource write; False when the object is gone. `react`: the first write of a reconcile,
        made after the reaction delay."""
        if react and self.reaction_delay_ms:
            time.sleep(self.reaction_delay_ms / 1000.0)
        metadata = obj["metadata"]
        with self.app.store.condition:
            current = self.app.store.get(rt.key, metadata["namespace"], metadata["name"])
            if current is None or current["metadata"]["uid"] != metadata["uid"]:
                return False
            written = self.app.resources.write_status(rt, metadata["namespace"], metadata["name"], status)
            ready = _condition({"status": status}, "Ready") or {}
            with self.lock:
                self.status_writes.append({"kind": rt.kind, "namespace": metadata["namespace"],
                                           "name": metadata["name"], "time": time.time(),
                                           "ready": ready.get("status") == "True",
                                           "readyStatus": ready.get("status"), "reason": ready.get("reason"),
                                           "reconciling": (_condition({"status": status}, "Reconciling") or {})
                                           .get("status") == "True",
                                           "resourceVersion": written["metadata"].get("resourceVersion")})
            return True

    def _progressing(self, rt, obj, message):
        """What Flux controllers write before they do the work (runtime's ProgressiveStatus): Reconciling=True and
        Ready=Unknown, reason Progressing, Stalled dropped; observedGeneration and lastHandledReconcileAt stay as
        they were until the result. Returns that status, or None when the object is gone."""
        status = copy.deepcopy(obj.get("status") or {})
        generation = obj["metadata"].get("generation", 1)
        conditions = _remove_condition(status.get("conditions") or [], "Stalled")
        conditions = _set_condition(conditions, "Reconciling", "True", "Progressing", message, generation)
        conditions = _set_condition(conditions, "Ready", "Unknown", "Progressing", message, generation)
        status["conditions"] = _ordered(conditions)
        if not self._write(rt, obj, status, react=True):
            return None
        with self.hold:
            while rt.kind in self.held_kinds:
                self.hold.wait()
        return status

    # -- source-controller
    def _reconcile_source(self, namespace, name):
        rt, obj = self._read(SOURCE_KIND, namespace, name)
        if obj is None or obj["spec"].get("suspend"):
            return
        generation = obj["metadata"].get("generation", 1)
        observed = (obj.get("status") or {}).get("observedGeneration", 0)
        status = self._progressing(rt, obj, "processing object: new generation %d -> %d" % (observed, generation)
                                   if observed != generation else "building artifact")
        if status is None:
            return
        requested = (obj["metadata"].get("annotations") or {}).get(REQUESTED_AT)
        try:
            artifact = self._fetch_source(obj)
        except ReconcileError as error:
            conditions = status.get("conditions") or []
            conditions = _set_condition(conditions, "FetchFailed", "True", error.reason, error.message, generation)
            conditions = _set_condition(conditions, "Ready", "False", error.reason, error.message, generation)
            conditions = _remove_condition(conditions, "Reconciling")
            status["conditions"] = _ordered(conditions)
        else:
            message = "stored artifact for digest '%s'" % artifact["revision"]
            conditions = _remove_condition(status.get("conditions") or [], "FetchFailed")
            conditions = _remove_condition(conditions, "Reconciling")
            conditions = _set_condition(conditions, "ArtifactInStorage", "True", "Succeeded", message, generation)
            conditions = _set_condition(conditions, "Ready", "True", "Succeeded", message, generation)
            status["conditions"] = _ordered(conditions)
            status["artifact"] = artifact
            status["url"] = artifact["url"]
        status["observedGeneration"] = generation
        if requested is not None:
            status["lastHandledReconcileAt"] = requested
        self._write(rt, obj, status)

    def _fetch_source(self, obj):
        spec = obj["spec"]
        registry = Registry(spec.get("url"), spec.get("insecure"))
        ref = spec.get("ref") or {}
        if ref.get("digest"):
            reference, revision_prefix = ref["digest"], None
        elif ref.get("semver"):
            reference = self._resolve_semver(registry, ref["semver"], ref.get("semverFilter"))
            revision_prefix = reference
        else:
            reference = ref.get("tag") or "latest"
            revision_prefix = reference
        manifest_url = registry.url("manifests", reference)
        try:
            body, headers = registry.get(manifest_url, MANIFEST_TYPES)
        except ReconcileError as error:
            raise ReconcileError("OCIArtifactPullFailed", "failed to determine artifact digest: %s" % error.message)
        manifest_digest = "sha256:" + hashlib.sha256(body).hexdigest()
        manifest = json.loads(body)
        revision = "%s@%s" % (revision_prefix, manifest_digest) if revision_prefix else manifest_digest
        layers = manifest.get("layers") or []
        selector = (spec.get("layerSelector") or {}).get("mediaType")
        layer = next((l for l in layers if not selector or l.get("mediaType") == selector), None)
        if layer is None:
            raise ReconcileError("OCIArtifactLayerOperationFailed",
                                 "failed to find layer with media type '%s' in artifact" % selector
                                 if selector else "no layers found in artifact")
        blob = self._download(registry, layer["digest"])
        if (spec.get("layerSelector") or {}).get("operation", "extract") == "extract":
            try:
                _check_tarball(blob)
            except ReconcileError as error:
                raise ReconcileError("OCIArtifactLayerOperationFailed",
                                     "failed to extract layer contents from artifact: %s" % error.message)
        hex_digest = layer["digest"].split(":", 1)[1]
        namespace, name = obj["metadata"]["namespace"], obj["metadata"]["name"]
        path = "ocirepository/%s/%s/%s.tar.gz" % (namespace, name, hex_digest)
        artifact = {"revision": revision, "digest": layer["digest"], "size": len(blob), "lastUpdateTime": _now(),
                    "path": path, "url": "http://source-controller.flux-system.svc.cluster.local./" + path}
        if manifest.get("annotations"):
            artifact["metadata"] = dict(manifest["annotations"])
        return artifact

    @staticmethod
    def _resolve_semver(registry, expression, semver_filter):
        matches = semver_matcher(expression)
        candidates = []
        for tag in registry.tags():
            if semver_filter and not re.search(semver_filter, tag):
                continue
            version = parse_version(tag)
            if version is not None and matches(version):
                candidates.append((_order(version), tag))
        if not candidates:
            raise ReconcileError("OCIArtifactPullFailed",
                                 "failed to determine artifact digest: no match found for semver: %s" % expression)
        return max(candidates)[1]

    @staticmethod
    def _download(registry, digest):
        blob, _ = registry.get(registry.url("blobs", digest))
        actual = "sha256:" + hashlib.sha256(blob).hexdigest()
        if actual != digest:
            raise ReconcileError("OCIArtifactPullFailed", "failed to verify artifact: computed digest %s, expected %s"
                                 % (actual, digest))
        return blob

    # -- kustomize-controller
    def _reconcile_kustomization(self, namespace, name):
        rt, obj = self._read(KUSTOMIZATION_KIND, namespace, name)
        if obj is None or obj["spec"].get("suspend"):
            return
        status = self._progressing(rt, obj, "reconciliation in progress")
        if status is None:
            return
        generation = obj["metadata"].get("generation", 1)
        requested = (obj["metadata"].get("annotations") or {}).get(REQUESTED_AT)
        conditions = status.get("conditions") or []
        try:
            self._check_dependencies(obj)
            source = self._source_artifact(obj)
            status["lastAttemptedRevision"] = source["status"]["artifact"]["revision"]
            inventory = self._build(obj, source)
        except ReconcileError as error:
            conditions = _set_condition(conditions, "Reconciling", "True", "ProgressingWithRetry", error.message,
                                        generation)
            conditions = _set_condition(conditions, "Ready", "False", error.reason, error.message, generation)
        else:
            artifact = source["status"]["artifact"]
            message = "Applied revision: %s" % artifact["revision"]
            status["lastAppliedRevision"] = artifact["revision"]
            origin = (artifact.get("metadata") or {}).get("org.opencontainers.image.revision")
            if origin:
                status["lastAppliedOriginRevision"] = origin
            else:
                status.pop("lastAppliedOriginRevision", None)
            status["inventory"] = {"entries": inventory}
            status["observedGeneration"] = generation
            conditions = _remove_condition(conditions, "Reconciling")
            conditions = _set_condition(conditions, "Ready", "True", "ReconciliationSucceeded", message, generation)
        status["conditions"] = _ordered(conditions)
        if requested is not None:
            status["lastHandledReconcileAt"] = requested
        self._write(rt, obj, status)

    def _check_dependencies(self, obj):
        for namespace, name in _dependencies(obj):
            _, dependency = self._read(KUSTOMIZATION_KIND, namespace, name)
            if dependency is None or not _ready(dependency) or \
                    (dependency.get("status") or {}).get("observedGeneration") != \
                    dependency["metadata"].get("generation"):
                raise ReconcileError("DependencyNotReady", "dependency '%s/%s' is not ready" % (namespace, name))

    def _source_artifact(self, obj):
        not_found = ReconcileError("ArtifactFailed", "Source artifact not found, retrying in 30s")
        source_ref = obj["spec"].get("sourceRef") or {}
        if source_ref.get("kind") != SOURCE_KIND:
            raise not_found
        namespace, name = _source_of(obj)
        _, source = self._read(SOURCE_KIND, namespace, name)
        if source is None or not (source.get("status") or {}).get("artifact") or not _ready(source):
            raise not_found
        return source

    def _build(self, obj, source):
        registry = Registry(source["spec"].get("url"), source["spec"].get("insecure"))
        blob = self._download(registry, source["status"]["artifact"]["digest"])
        workspace = tempfile.mkdtemp(prefix="kustomization-")
        try:
            try:
                _extract(blob, workspace)
            except ReconcileError as error:
                raise ReconcileError("ArtifactFailed", "failed to extract artifact: %s" % error.message)
            relative = obj["spec"].get("path") or "./"
            root = os.path.normpath(os.path.join(workspace, relative.lstrip("/")))
            if not root.startswith(workspace) or not os.path.exists(root):
                raise ReconcileError("ArtifactFailed", "kustomization path not found: stat %s: no such file or "
                                     "directory" % root)
            return self._inventory(obj, root)
        finally:
            shutil.rmtree(workspace, ignore_errors=True)

    @staticmethod
    def _inventory(obj, root):
        files = []
        if os.path.isfile(root):
            files = [root]
        else:
            for directory, _, names in os.walk(root):
                files += [os.path.join(directory, n) for n in names if n.endswith((".yaml", ".yml"))]
        entries = {}
        target_namespace = obj["spec"].get("targetNamespace")
        for path in sorted(files):
            relative = os.path.relpath(path, root)
            with open(path, encoding="utf-8", errors="replace") as handle:
                try:
                    documents = list(yaml.safe_load_all(handle))
                except yaml.YAMLError as error:
                    raise ReconcileError("BuildFailed", "kustomize build failed: %s: %s" % (
                        relative, str(error).replace("\n", " ")))
            for document in documents:
                if document is None:
                    continue
                if not isinstance(document, dict):
                    raise ReconcileError("BuildFailed", "kustomize build failed: %s: expected a Kubernetes object, "
                                         "got %s" % (relative, type(document).__name__))
                metadata = document.get("metadata") if isinstance(document.get("metadata"), dict) else {}
                for field, value in (("apiVersion", document.get("apiVersion")), ("kind", document.get("kind")),
                                     ("metadata.name", metadata.get("name"))):
                    if not value:
                        raise ReconcileError("BuildFailed", "kustomize build failed: %s: missing %s in object %s"
                                             % (relative, field, json.dumps(document, sort_keys=True)[:200]))
                api_version = document["apiVersion"]
                group, _, version = api_version.rpartition("/")
                kind = document["kind"]
                if kind in CLUSTER_SCOPED_KINDS:
                    namespace = ""
                else:
                    namespace = target_namespace or metadata.get("namespace") or obj["metadata"]["namespace"]
                identifier = "%s_%s_%s_%s" % (namespace, metadata["name"], group, kind)
                entries[identifier] = {"id": identifier, "v": version}
        return [entries[k] for k in sorted(entries)]


# ------------------------------------------------------------------------------------------------------- helpers

def _condition(obj, kind):
    for condition in ((obj or {}).get("status") or {}).get("conditions") or []:
        if condition.get("type") == kind:
            return condition
    return None


def _ready(obj):
    return (_condition(obj, "Ready") or {}).get("status") == "True"


def _artifact_revision(obj):
    return (((obj or {}).get("status") or {}).get("artifact") or {}).get("revision")


def _source_of(obj):
    source_ref = obj["spec"].get("sourceRef") or {}
    return source_ref.get("namespace") or obj["metadata"]["namespace"], source_ref.get("name")


def _dependencies(obj):
    return [(d.get("namespace") or obj["metadata"]["namespace"], d.get("name"))
            for d in obj["spec"].get("dependsOn") or []]


def _set_condition(conditions, kind, status, reason, message, generation):
    result = [dict(c) for c in conditions if c.get("type") != kind]
    previous = next((c for c in conditions if c.get("type") == kind), None)
    transition = previous["lastTransitionTime"] if previous and previous.get("status") == status else _now()
    result.append({"type": kind, "status": status, "reason": reason, "message": message,
                   "observedGeneration": generation, "lastTransitionTime": transition})
    return result


def _remove_condition(conditions, kind):
    return [c for c in conditions if c.get("type") != kind]


def _ordered(conditions):
    # Flux lists Ready first, then Reconciling/Stalled, then the rest.
    rank = {"Ready": 0, "Reconciling": 1, "Stalled": 2}
    return sorted(conditions, key=lambda c: rank.get(c.get("type"), 3))


def _check_tarball(blob):
    with tempfile.TemporaryDirectory(prefix="ocirepository-") as directory:
        _extract(blob, directory)


def _extract(blob, directory):
    """Flux's checks: gzip, a readable tar, no absolute or parent paths; then extracts regular files."""
    if blob[:2] != b"\x1f\x8b":
        raise ReconcileError("ArtifactFailed", "requires gzip-compressed body: gzip: invalid header")
    try:
        data = gzip.decompress(blob)
        with tarfile.open(fileobj=io.BytesIO(data), mode="r:") as archive:
            for member in archive.getmembers():
                name = member.name
                if name.startswith("/") or ".." in name.split("/"):
                    raise ReconcileError("ArtifactFailed", 'tar contained invalid name error "%s"' % name)
                if member.isdir():
                    os.makedirs(os.path.join(directory, name), exist_ok=True)
                elif member.isfile():
                    target = os.path.join(directory, name)
                    os.makedirs(os.path.dirname(target), exist_ok=True)
                    with archive.extractfile(member) as source, open(target, "wb") as sink:
                        shutil.copyfileobj(source, sink)
    except (OSError, EOFError, tarfile.TarError, gzip.BadGzipFile) as error:
        raise ReconcileError("ArtifactFailed", str(error))
