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


def settled(obj):
    """The reconcile's result is written: Ready is there and no longer Unknown (the in-progress write)."""
    ready = condition(obj, "Ready")
    return ready is not None and ready["status"] != "Unknown"


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

    def modifications(self, path, name, resource_version, count=2):
        """The next `count` MODIFIED events of one object after resource_version, as the status writes made them."""
        stream = self.server.watch_lines(path, {"watch": "1", "resourceVersion": resource_version,
                                                "fieldSelector": "metadata.name=" + name, "timeoutSeconds": "20"})
        events = []
        try:
            for event in stream:
                if event.get("type") == "MODIFIED":
                    events.append(event["object"])
                    if len(events) == count:
                        break
                elif "cut" in event:
                    break
        finally:
            stream.close()
        return events

    def create(self, path, body):
        response = self.server.request("POST", path, body=body, headers=JSON)
        self.assertEqual(response.status, 201, response.body)
        return response.body["metadata"]["resourceVersion"]

    def oci_body(self, name, **ref):
        return {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
                "metadata": {"name": name, "namespace": "flux-system"},
                "spec": {"interval": "1m", "url": "oci://%s/apps/podinfo" % self.registry.host,
                         "ref": ref or {"tag": "6.3.5"}}}

    def test_progress_is_written_before_the_result(self):
        rv = self.create(OCI, self.oci_body("podinfo"))
        progressing, done = self.modifications(OCI, "podinfo", rv)
        ready, reconciling = condition(progressing, "Ready"), condition(progressing, "Reconciling")
        self.assertEqual((ready["status"], ready["reason"], ready["message"]),
                         ("Unknown", "Progressing", "processing object: new generation -1 -> 1"))
        self.assertEqual((reconciling["status"], reconciling["reason"]), ("True", "Progressing"))
        self.assertEqual([c["type"] for c in progressing["status"]["conditions"]], ["Ready", "Reconciling"])
        self.assertEqual(progressing["status"]["observedGeneration"], -1)
        self.assertNotIn("artifact", progressing["status"])
        self.assertLess(int(progressing["metadata"]["resourceVersion"]), int(done["metadata"]["resourceVersion"]))
        self.assertEqual((condition(done, "Ready")["status"], condition(done, "Reconciling")), ("True", None))
        self.assertEqual(done["status"]["observedGeneration"], 1)

        # A reconcile request: the in-progress write still shows the previous request handled and keeps the artifact.
        patched = self.server.request("PATCH", OCI + "/podinfo", body={"metadata": {"annotations": {
            "reconcile.fluxcd.io/requestedAt": "token-2"}}}, headers=MERGE).body
        progressing, done = self.modifications(OCI, "podinfo", patched["metadata"]["resourceVersion"])
        self.assertEqual((condition(progressing, "Ready")["status"], condition(progressing, "Ready")["message"]),
                         ("Unknown", "building artifact"))
        self.assertNotIn("lastHandledReconcileAt", progressing["status"])
        self.assertEqual(progressing["status"]["artifact"]["revision"], done["status"]["artifact"]["revision"])
        self.assertEqual((condition(done, "Ready")["status"], done["status"]["lastHandledReconcileAt"]),
                         ("True", "token-2"))

    def test_kustomization_and_failures_go_through_progressing_too(self):
        self.create(OCI, self.oci_body("podinfo"))
        self.wait_for(OCI + "/podinfo", settled)
        body = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
                "metadata": {"name": "podinfo", "namespace": "flux-system"},
                "spec": {"interval": "1h", "prune": True, "path": "./deploy",
                         "sourceRef": {"kind": "OCIRepository", "name": "podinfo"}}}
        progressing, done = self.modifications(KS, "podinfo", self.create(KS, body))
        self.assertEqual([(c["type"], c["status"], c["reason"], c["message"])
                          for c in progressing["status"]["conditions"]],
                         [("Ready", "Unknown", "Progressing", "reconciliation in progress"),
                          ("Reconciling", "True", "Progressing", "reconciliation in progress")])
        self.assertEqual((condition(done, "Ready")["reason"], condition(done, "Reconciling")),
                         ("ReconciliationSucceeded", None))

        progressing, failed = self.modifications(OCI, "missing", self.create(OCI, self.oci_body("missing",
                                                                                                 tag="9.9.9")))
        self.assertEqual(condition(progressing, "Ready")["status"], "Unknown")
        self.assertEqual((condition(failed, "Ready")["status"], condition(failed, "Reconciling")), ("False", None))
        writes = [(w["name"], w["readyStatus"]) for w in self.server.control("GET", "status-writes").body
                  if w["name"] == "missing"]
        self.assertEqual(writes, [("missing", "Unknown"), ("missing", "False")])

    def test_hold_after_progress_keeps_the_in_progress_status_until_released(self):
        self.assertEqual(self.server.control("POST", "controllers", {"holdAfterProgress": ["OCIRepository"]}).body,
                         {"reactionDelayMs": 0, "holdAfterProgress": ["OCIRepository"]})
        try:
            self.create(OCI, self.oci_body("podinfo"))
            held = self.wait_for(OCI + "/podinfo", lambda o: condition(o, "Ready") is not None)
            self.assertEqual(condition(held, "Ready")["status"], "Unknown")
            self.assertEqual([w["readyStatus"] for w in self.server.control("GET", "status-writes").body],
                             ["Unknown"])
        finally:
            self.server.control("POST", "controllers", {"holdAfterProgress": []})
        done = self.wait_for(OCI + "/podinfo", settled)
        self.assertEqual(condition(done, "Ready")["status"], "True")

    def test_ready_source(self):
        self.source("podinfo")
        obj = self.wait_for(OCI + "/podinfo", settled)
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
        self.assertEqual([(w["kind"], w["name"], w["readyStatus"], w["reason"], w["reconciling"], w["ready"])
                          for w in writes],
                         [("OCIRepository", "podinfo", "Unknown", "Progressing", True, False),
                          ("OCIRepository", "podinfo", "True", "Succeeded", False, True)])
        self.assertLess(int(writes[0]["resourceVersion"]), int(writes[1]["resourceVersion"]))

    def test_requested_at_is_handled_and_semver_picks_highest_release(self):
        self.source("podinfo", semver=">=6.0.0")
        obj = self.wait_for(OCI + "/podinfo", settled)
        self.assertTrue(obj["status"]["artifact"]["revision"].startswith("6.4.0@sha256:"))
        self.server.request("PATCH", OCI + "/podinfo", body={"metadata": {"annotations": {
            "reconcile.fluxcd.io/requestedAt": "token-1"}}}, headers=MERGE)
        obj = self.wait_for(OCI + "/podinfo", lambda o: o["status"].get("lastHandledReconcileAt") == "token-1")
        self.assertEqual(condition(obj, "Ready")["status"], "True")

    def test_missing_tag(self):
        self.source("podinfo", tag="9.9.9")
        obj = self.wait_for(OCI + "/podinfo", settled)
        ready = condition(obj, "Ready")
        self.assertEqual((ready["status"], ready["reason"]), ("False", "OCIArtifactPullFailed"))
        self.assertEqual(ready["message"], "failed to determine artifact digest: GET http://%s/v2/apps/podinfo/"
                         "manifests/9.9.9: MANIFEST_UNKNOWN: manifest unknown; map[Tag:9.9.9]" % self.registry.host)
        self.assertIsNone(condition(obj, "Reconciling"))
        self.assertIsNone(condition(obj, "Stalled"))
        self.assertEqual(obj["status"]["observedGeneration"], 1)

    def test_layer_that_is_not_gzip(self):
        self.source("plain", repository="apps/notgzip", tag="1.0.0")
        obj = self.wait_for(OCI + "/plain", settled)
        ready = condition(obj, "Ready")
        self.assertEqual(ready["reason"], "OCIArtifactLayerOperationFailed")
        self.assertTrue(ready["message"].startswith("failed to extract layer contents from artifact: "))

    def test_kustomization_applies(self):
        self.source("podinfo")
        self.kustomization("podinfo", targetNamespace=None)
        obj = self.wait_for(KS + "/podinfo", settled)
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
        waiting = self.wait_for(KS + "/app", settled)
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
            obj = self.wait_for(KS + "/" + name, settled)
            ready = condition(obj, "Ready")
            self.assertEqual((ready["status"], ready["reason"]), ("False", "BuildFailed"), name)
            reconciling = condition(obj, "Reconciling")
            self.assertEqual((reconciling["status"], reconciling["reason"]), ("True", "ProgressingWithRetry"))
            self.assertEqual(obj["status"]["observedGeneration"], -1)
        self.assertIn("missing metadata.name", condition(obj, "Ready")["message"])

    def test_missing_path(self):
        self.source("podinfo")
        self.kustomization("podinfo", path="./nope")
        obj = self.wait_for(KS + "/podinfo", settled)
        ready = condition(obj, "Ready")
        self.assertEqual(ready["reason"], "ArtifactFailed")
        self.assertRegex(ready["message"], r"^kustomization path not found: stat /tmp/kustomization-[^/]+/nope: "
                                           r"no such file or directory$")

    def test_depends_on_not_ready_then_ready(self):
        self.source("podinfo")
        self.wait_for(OCI + "/podinfo", settled)
        self.kustomization("second", dependsOn=[{"name": "first"}])
        obj = self.wait_for(KS + "/second", settled)
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
            self.wait_for(OCI + "/podinfo", settled)
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
