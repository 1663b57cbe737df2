"""Simulated Flux controllers (--controllers) against a real docker-registry."""
import time
import unittest

from harness import TestServer
from registry import LocalRegistry, tarball

OCI = "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories"
KS = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
JSON = {"Content-Type": "application/json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
DEPLOYMENT = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: podinfo\nspec:\n  replicas: 1\n"
SERVICE = "apiVersion: v1\nkind: Service\nmetadata:\n  name: podinfo\n  namespace: other\n"
NAMESPACE = "apiVersion: v1\nkind: Namespace\nmetadata:\n  name: team\n"


def condition(obj, kind):
    for item in (obj.get("status") or {}).get("conditions") or []:
        if item["type"] == kind:
            return item
    return None


class ControllerTests(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.registry = LocalRegistry()
        cls.server = TestServer("--controllers")
        cls.manifest_digest, cls.layer_digest = cls.registry.push(
            "apps/podinfo", "6.3.5", tarball({"deploy/app.yaml": DEPLOYMENT + "---\n" + SERVICE,
                                              "deploy/ns.yml": NAMESPACE, "README.md": "not yaml: ["}),
            {"org.opencontainers.image.revision": "main@sha1:abc", "org.opencontainers.image.source": "repo"})
        cls.registry.push("apps/podinfo", "6.4.0", tarball({"deploy/app.yaml": DEPLOYMENT}))
        cls.registry.push("apps/podinfo", "7.0.0-rc.1", tarball({"deploy/app.yaml": DEPLOYMENT}))
        cls.registry.push("apps/broken", "1.0.0", tarball({"x.yaml": "apiVersion: v1\nkind: [unclosed\n"}))
        cls.registry.push("apps/noname", "1.0.0", tarball({"x.yaml": "apiVersion: v1\nkind: ConfigMap\n"}))
        cls.registry.push("apps/notgzip", "1.0.0", b"plain bytes, not gzip")

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()
        cls.registry.stop()

    def setUp(self):
        self.server.control("POST", "reset")

    def source(self, name, repository="apps/podinfo", **ref):
        body = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                "metadata": {"name": name, "namespace": "flux-system"},
                "spec": {"interval": "1m", "url": "oci://%s/%s" % (self.registry.host, repository),
                         "ref": ref or {"tag": "6.3.5"}}}
        self.assertEqual(self.server.request("POST", OCI, body=body, headers=JSON).status, 201)

    def kustomization(self, name, source="podinfo", path="./deploy", **spec):
        body = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                "metadata": {"name": name, "namespace": "flux-system"},
                "spec": dict({"interval": "1h", "prune": True, "path": path, "targetNamespace": None,
                              "sourceRef": {"kind": "OCIRepository", "name": source}}, **spec)}
        body["spec"] = {k: v for k, v in body["spec"].items() if v is not None}
        response = self.server.request("POST", KS, body=body, headers=JSON)
        self.assertEqual(response.status, 201, response.body)

    def wait_for(self, path, predicate, timeout=15):
        deadline = time.time() + timeout
        while time.time() < deadline:
            obj = self.server.request("GET", path).body
            if predicate(obj):
                return obj
            time.sleep(0.05)
        self.fail("condition not reached for %s: %s" % (path, obj.get("status")))

    def test_ready_source(self):
        self.source("podinfo")
        obj = self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready"))
        revision = "6.3.5@" + self.manifest_digest
        ready = condition(obj, "Ready")
        self.assertEqual((ready["status"], ready["reason"], ready["message"]),
                         ("True", "Succeeded", "stored artifact for digest '%s'" % revision))
        self.assertEqual(condition(obj, "ArtifactInStorage")["status"], "True")
        self.assertIsNone(condition(obj, "Reconciling"))
        artifact = obj["status"]["artifact"]
        self.assertEqual(artifact["revision"], revision)
        self.assertEqual(artifact["digest"], self.layer_digest)
        self.assertEqual(artifact["metadata"]["org.opencontainers.image.revision"], "main@sha1:abc")
        self.assertEqual(obj["status"]["observedGeneration"], 1)
        writes = self.server.control("GET", "status-writes").body
        self.assertEqual([(w["kind"], w["name"]) for w in writes], [("OCIRepository", "podinfo")])

    def test_requested_at_is_handled_and_semver_picks_highest_release(self):
        self.source("podinfo", semver=">=6.0.0")
        obj = self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready"))
        self.assertTrue(obj["status"]["artifact"]["revision"].startswith("6.4.0@sha256:"))
        self.server.request("PATCH", OCI + "/podinfo", body={"metadata": {"annotations": {
            "reconcile.fluxcd.io/requestedAt": "token-1"}}}, headers=MERGE)
        obj = self.wait_for(OCI + "/podinfo", lambda o: o["status"].get("lastHandledReconcileAt") == "token-1")
        self.assertEqual(condition(obj, "Ready")["status"], "True")

    def test_missing_tag(self):
        self.source("podinfo", tag="9.9.9")
        obj = self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready"))
        ready = condition(obj, "Ready")
        self.assertEqual((ready["status"], ready["reason"]), ("False", "OCIArtifactPullFailed"))
        self.assertEqual(ready["message"], "failed to determine artifact digest: GET http://%s/v2/apps/podinfo/"
                         "manifests/9.9.9: MANIFEST_UNKNOWN: manifest unknown; map[Tag:9.9.9]" % self.registry.host)
        self.assertIsNone(condition(obj, "Reconciling"))
        self.assertIsNone(condition(obj, "Stalled"))
        self.assertEqual(obj["status"]["observedGeneration"], 1)

    def test_layer_that_is_not_gzip(self):
        self.source("plain", repository="apps/notgzip", tag="1.0.0")
        obj = self.wait_for(OCI + "/plain", lambda o: condition(o, "Ready"))
        ready = condition(obj, "Ready")
        self.assertEqual(ready["reason"], "OCIArtifactLayerOperationFailed")
        self.assertTrue(ready["message"].startswith("failed to extract layer contents from artifact: "))

    def test_kustomization_applies(self):
        self.source("podinfo")
        self.kustomization("podinfo", targetNamespace=None)
        obj = self.wait_for(KS + "/podinfo", lambda o: condition(o, "Ready"))
        ready = condition(obj, "Ready")
        revision = "6.3.5@" + self.manifest_digest
        self.assertEqual((ready["status"], ready["reason"], ready["message"]),
                         ("True", "ReconciliationSucceeded", "Applied revision: " + revision))
        self.assertEqual(obj["status"]["lastAppliedRevision"], revision)
        self.assertEqual(obj["status"]["lastAttemptedRevision"], revision)
        self.assertEqual(obj["status"]["lastAppliedOriginRevision"], "main@sha1:abc")
        self.assertEqual(obj["status"]["inventory"]["entries"], [
            {"id": "_team__Namespace", "v": "v1"},
            {"id": "flux-system_podinfo_apps_Deployment", "v": "v1"},
            {"id": "other_podinfo__Service", "v": "v1"}])
        self.assertIsNone(condition(obj, "Reconciling"))

    def test_target_namespace_and_new_source_revision(self):
        self.kustomization("app", targetNamespace="apps")
        waiting = self.wait_for(KS + "/app", lambda o: condition(o, "Ready"))
        self.assertEqual(condition(waiting, "Ready")["message"], "Source artifact not found, retrying in 30s")
        self.assertEqual(condition(waiting, "Ready")["reason"], "ArtifactFailed")
        self.source("podinfo")
        obj = self.wait_for(KS + "/app", lambda o: condition(o, "Ready")["status"] == "True")
        self.assertIn({"id": "apps_podinfo__Service", "v": "v1"}, obj["status"]["inventory"]["entries"])

    def test_invalid_yaml_and_missing_name(self):
        self.source("broken", repository="apps/broken", tag="1.0.0")
        self.source("noname", repository="apps/noname", tag="1.0.0")
        self.kustomization("broken", source="broken", path="./")
        self.kustomization("noname", source="noname", path="./")
        for name in ("broken", "noname"):
            obj = self.wait_for(KS + "/" + name, lambda o: condition(o, "Ready"))
            ready = condition(obj, "Ready")
            self.assertEqual((ready["status"], ready["reason"]), ("False", "BuildFailed"), name)
            reconciling = condition(obj, "Reconciling")
            self.assertEqual((reconciling["status"], reconciling["reason"]), ("True", "ProgressingWithRetry"))
            self.assertEqual(obj["status"]["observedGeneration"], -1)
        self.assertIn("missing metadata.name", condition(obj, "Ready")["message"])

    def test_missing_path(self):
        self.source("podinfo")
        self.kustomization("podinfo", path="./nope")
        obj = self.wait_for(KS + "/podinfo", lambda o: condition(o, "Ready"))
        ready = condition(obj, "Ready")
        self.assertEqual(ready["reason"], "ArtifactFailed")
        self.assertRegex(ready["message"], r"^kustomization path not found: stat /tmp/kustomization-[^/]+/nope: "
                                           r"no such file or directory$")

    def test_depends_on_not_ready_then_ready(self):
        self.source("podinfo")
        self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready"))
        self.kustomization("second", dependsOn=[{"name": "first"}])
        obj = self.wait_for(KS + "/second", lambda o: condition(o, "Ready"))
        ready = condition(obj, "Ready")
        self.assertEqual((ready["status"], ready["reason"], ready["message"]),
                         ("False", "DependencyNotReady", "dependency 'flux-system/first' is not ready"))
        self.kustomization("first")
        self.wait_for(KS + "/second", lambda o: condition(o, "Ready")["status"] == "True")

    def test_reaction_delay_and_suspend(self):
        self.assertEqual(self.server.control("POST", "controllers", {"reactionDelayMs": 400}).status, 200)
        try:
            started = time.time()
            self.source("podinfo")
            self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready"))
            self.assertGreaterEqual(time.time() - started, 0.4)
        finally:
            self.server.control("POST", "controllers", {"reactionDelayMs": 0})
        self.server.request("PATCH", OCI + "/podinfo", body={"spec": {"suspend": True}}, headers=MERGE)
        self.server.request("PATCH", OCI + "/podinfo", body={"metadata": {"annotations": {
            "reconcile.fluxcd.io/requestedAt": "ignored"}}}, headers=MERGE)
        time.sleep(0.5)
        obj = self.server.request("GET", OCI + "/podinfo").body
        self.assertNotIn("lastHandledReconcileAt", obj["status"])


if __name__ == "__main__":
    unittest.main()
