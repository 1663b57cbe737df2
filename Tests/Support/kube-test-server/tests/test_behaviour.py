"""Behaviour the recordings do not show, checked against how kube-apiserver v1.28 answers."""
import json
import threading
import time
import unittest

from harness import TestServer, recording

OCI = "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories"
KS = "/apis/kustomize.toolkit.fluxcd.io/v1/namespaces/flux-system/kustomizations"
JSON = {"Content-Type": "application/json"}
MERGE = {"Content-Type": "application/merge-patch+json"}
APPLY = {"Content-Type": "application/apply-patch+yaml"}


def oci(name, namespace="flux-system", labels=None, tag="6.3.5"):
    body = {"apiVersion": "source.toolkit.fluxcd.io/v1", "kind": "OCIRepository",
            "metadata": {"name": name, "namespace": namespace},
            "spec": {"interval": "1m", "url": "oci://registry.example/podinfo", "ref": {"tag": tag}}}
    if labels:
        body["metadata"]["labels"] = labels
    return body


def kustomization(name, interval="1h", **spec):
    body = {"apiVersion": "kustomize.toolkit.fluxcd.io/v1", "kind": "Kustomization",
            "metadata": {"name": name, "namespace": "flux-system"},
            "spec": {"interval": interval, "path": "./", "prune": True,
                     "sourceRef": {"kind": "OCIRepository", "name": name}}}
    body["spec"].update(spec)
    return body


class ServerCase(unittest.TestCase):
    maxDiff = None
    server_args = ()

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer(*cls.server_args)

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def setUp(self):
        self.assertEqual(self.server.control("POST", "reset").status, 200)

    def create(self, body, path=OCI):
        response = self.server.request("POST", path, body=body, headers=JSON)
        self.assertEqual(response.status, 201, response.body)
        return response.body


class ListTests(ServerCase):
    def test_label_selectors(self):
        self.create(oci("a", labels={"env": "prod", "team": "x"}))
        self.create(oci("b", labels={"env": "dev"}))
        self.create(oci("c"))
        cases = {"env=prod": ["a"], "env==prod": ["a"], "env!=prod": ["b", "c"], "env in (dev,prod)": ["a", "b"],
                 "env notin (dev)": ["a", "c"], "team": ["a"], "!team": ["b", "c"], "env,!team": ["b"]}
        for selector, names in cases.items():
            with self.subTest(selector=selector):
                response = self.server.request("GET", OCI, {"labelSelector": selector})
                self.assertEqual([i["metadata"]["name"] for i in response.body["items"]], names)

    def test_field_selectors(self):
        self.create(oci("a"))
        self.create(oci("b"))
        all_namespaces = "/apis/source.toolkit.fluxcd.io/v1/ocirepositories"
        self.assertEqual([i["metadata"]["name"] for i in self.server.request(
            "GET", all_namespaces, {"fieldSelector": "metadata.name!=a"}).body["items"]], ["b"])
        self.assertEqual(len(self.server.request("GET", all_namespaces,
                                                 {"fieldSelector": "metadata.namespace=apps"}).body["items"]), 0)
        bad = self.server.request("GET", OCI, {"fieldSelector": "spec.url=x"})
        self.assertEqual(bad.status, 400)
        self.assertEqual(bad.body["reason"], "BadRequest")

    def test_pages_across_namespaces_form_one_view(self):
        for namespace in ("apps", "flux-system"):
            for name in ("one", "two", "three"):
                self.create(oci(name, namespace), path=OCI.replace("flux-system", namespace))
        path = "/apis/source.toolkit.fluxcd.io/v1/ocirepositories"
        first = self.server.request("GET", path, {"limit": "4"}).body
        self.assertEqual(first["metadata"]["remainingItemCount"], 2)
        # A write between pages does not show up in the second page.
        self.create(oci("zzz"))
        second = self.server.request("GET", path, {"limit": "4", "continue": first["metadata"]["continue"]}).body
        names = [(i["metadata"]["namespace"], i["metadata"]["name"]) for i in first["items"] + second["items"]]
        self.assertEqual(names, sorted(names))
        self.assertEqual(len(names), 6)
        self.assertEqual(second["metadata"]["continue"], "")
        self.assertNotIn("remainingItemCount", second["metadata"])
        self.assertEqual(second["metadata"]["resourceVersion"], first["metadata"]["resourceVersion"])

    def test_list_in_missing_namespace_is_empty(self):
        response = self.server.request("GET", OCI.replace("flux-system", "nope"))
        self.assertEqual((response.status, response.body["items"]), (200, []))

    def test_kustomization_table(self):
        self.create(kustomization("app"), path=KS)
        table = self.server.request("GET", KS, headers={
            "Accept": "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"}).body
        self.assertEqual(table["kind"], "Table")
        self.assertEqual([c["name"] for c in table["columnDefinitions"]], ["Name", "Age", "Ready", "Status"])
        self.assertEqual(table["rows"][0]["cells"][0], "app")
        self.assertRegex(table["rows"][0]["cells"][1], r"^\d+s$")
        self.assertEqual(table["rows"][0]["cells"][2:], [None, None])
        self.assertEqual(table["rows"][0]["object"]["kind"], "PartialObjectMetadata")


class WriteTests(ServerCase):
    def test_put_replaces_spec_and_bumps_generation(self):
        created = self.create(oci("a"))
        replacement = json.loads(json.dumps(created))
        replacement["spec"]["ref"]["tag"] = "7.0.0"
        replacement["status"] = {"observedGeneration": 42}
        response = self.server.request("PUT", OCI + "/a", body=replacement, headers=JSON)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body["metadata"]["generation"], 2)
        self.assertEqual(response.body["status"], {"observedGeneration": -1})
        self.assertGreater(int(response.body["metadata"]["resourceVersion"]),
                           int(created["metadata"]["resourceVersion"]))
        del replacement["metadata"]["resourceVersion"]
        missing_rv = self.server.request("PUT", OCI + "/a", body=replacement, headers=JSON)
        self.assertEqual(missing_rv.status, 422)
        self.assertEqual(missing_rv.body["details"]["causes"][0]["field"], "metadata.resourceVersion")

    def test_status_subresource_changes_only_status(self):
        created = self.create(oci("a"))
        body = json.loads(json.dumps(created))
        body["spec"]["ref"]["tag"] = "ignored"
        body["status"] = {"observedGeneration": 1}
        response = self.server.request("PUT", OCI + "/a/status", body=body, headers=JSON)
        self.assertEqual(response.status, 200)
        self.assertEqual(response.body["spec"]["ref"]["tag"], "6.3.5")
        self.assertEqual(response.body["status"], {"observedGeneration": 1})
        self.assertEqual(response.body["metadata"]["generation"], 1)
        entries = response.body["metadata"]["managedFields"]
        self.assertEqual([e.get("subresource") for e in entries], [None, "status"])

    def test_dry_run_patch_and_apply_store_nothing(self):
        created = self.create(oci("a"))
        patched = self.server.request("PATCH", OCI + "/a", {"dryRun": "All"}, {"spec": {"suspend": True}}, MERGE)
        self.assertEqual((patched.status, patched.body["spec"]["suspend"]), (200, True))
        applied = self.server.request("PATCH", KS + "/app", {"dryRun": "All", "fieldManager": "t"},
                                      json.dumps(kustomization("app")), APPLY)
        self.assertEqual(applied.status, 201)
        self.assertEqual(self.server.request("GET", KS + "/app").status, 404)
        self.assertEqual(self.server.request("GET", OCI + "/a").body, created)

    def test_strict_field_validation_on_patch_and_warn_on_apply(self):
        self.create(oci("a"))
        strict = self.server.request("PATCH", OCI + "/a", {"fieldValidation": "Strict"},
                                     {"spec": {"bogus": 1, "ref": {"nope": "x"}}}, MERGE)
        self.assertEqual(strict.status, 400)
        self.assertEqual(strict.body["message"], 'OCIRepository in version "v1" cannot be handled as a '
                         'OCIRepository: strict decoding error: unknown field "spec.bogus", unknown field '
                         '"spec.ref.nope"')
        body = kustomization("app")
        body["spec"]["tagg"] = "x"
        body["metadata"]["lables"] = {"typo": "yes"}
        warned = self.server.request("PATCH", KS + "/app", {"fieldManager": "t"}, json.dumps(body), APPLY)
        self.assertEqual(warned.status, 201)
        self.assertEqual(warned.header_values("Warning"), ['299 - "unknown field \\"metadata.lables\\""',
                                                           '299 - "unknown field \\"spec.tagg\\""'])
        self.assertNotIn("lables", warned.body["metadata"])

    def test_validation_messages(self):
        body = kustomization("Bad_Name", interval="1h")
        body["spec"]["sourceRef"]["kind"] = "Bucket2"
        body["spec"]["path"] = 5
        response = self.server.request("POST", KS, body=body, headers=JSON)
        self.assertEqual(response.status, 422)
        causes = [(c["field"], c["reason"]) for c in response.body["details"]["causes"]]
        self.assertEqual(causes[0], ("metadata.name", "FieldValueInvalid"))
        self.assertIn(("spec.path", "FieldValueTypeInvalid"), causes)
        self.assertIn(("spec.sourceRef.kind", "FieldValueNotSupported"), causes)
        self.assertEqual(causes[-1], ("<nil>", "FieldValueInvalid"))
        messages = {c["field"]: c["message"] for c in response.body["details"]["causes"]}
        self.assertEqual(messages["spec.path"], 'Invalid value: "integer": spec.path in body must be of type '
                                                'string: "integer"')
        self.assertTrue(messages["spec.sourceRef.kind"].startswith('Unsupported value: "Bucket2": supported '
                                                                   'values: "OCIRepository"'))
        self.assertTrue(response.body["message"].startswith('Kustomization.kustomize.toolkit.fluxcd.io '
                                                            '"Bad_Name" is invalid: [metadata.name: Invalid value: '
                                                            '"Bad_Name": a lowercase RFC 1123 subdomain'))

    def test_cel_rule_on_kube_config(self):
        body = kustomization("app", kubeConfig={})
        response = self.server.request("POST", KS, body=body, headers=JSON)
        self.assertEqual(response.status, 422)
        self.assertEqual(response.body["details"]["causes"][0], {
            "reason": "FieldValueInvalid", "field": "spec.kubeConfig",
            "message": 'Invalid value: "object": exactly one of spec.kubeConfig.configMapRef or '
                       'spec.kubeConfig.secretRef must be specified'})

    def test_apply_conflict_with_update_manager_and_force(self):
        self.create(kustomization("app"), path=KS)   # manager python-requests, operation Update
        body = kustomization("app", interval="5m", path="./other")
        conflict = self.server.request("PATCH", KS + "/app", {"fieldManager": "kubectl-gitops"},
                                       json.dumps(body), APPLY)
        self.assertEqual(conflict.status, 409)
        self.assertEqual(conflict.body["message"],
                         'Apply failed with 2 conflicts: conflicts with "python-requests" using '
                         'kustomize.toolkit.fluxcd.io/v1:\n- .spec.interval\n- .spec.path')
        self.assertEqual([c["field"] for c in conflict.body["details"]["causes"]], [".spec.interval", ".spec.path"])
        forced = self.server.request("PATCH", KS + "/app", {"fieldManager": "kubectl-gitops", "force": "true"},
                                     json.dumps(body), APPLY)
        self.assertEqual(forced.status, 200)
        self.assertEqual(forced.body["spec"]["interval"], "5m")
        self.assertEqual(forced.body["metadata"]["generation"], 2)
        owners = {e["manager"]: e["fieldsV1"]["f:spec"] for e in forced.body["metadata"]["managedFields"]}
        self.assertIn("f:interval", owners["kubectl-gitops"])
        self.assertNotIn("f:interval", owners["python-requests"])
        self.assertIn("f:prune", owners["python-requests"])

    def test_apply_removes_fields_dropped_from_config(self):
        body = kustomization("app", wait=True)
        first = self.server.request("PATCH", KS + "/app", {"fieldManager": "m"}, json.dumps(body), APPLY)
        self.assertEqual(first.status, 201)
        del body["spec"]["wait"]
        second = self.server.request("PATCH", KS + "/app", {"fieldManager": "m"}, json.dumps(body), APPLY)
        self.assertEqual(second.status, 200)
        self.assertNotIn("wait", second.body["spec"])
        self.assertEqual(second.body["metadata"]["generation"], 2)
        again = self.server.request("PATCH", KS + "/app", {"fieldManager": "m"}, json.dumps(body), APPLY)
        self.assertEqual(again.body["metadata"]["resourceVersion"], second.body["metadata"]["resourceVersion"])

    def test_create_with_resource_version_is_refused(self):
        body = oci("a")
        body["metadata"]["resourceVersion"] = "123"
        response = self.server.request("POST", OCI, body=body, headers=JSON)
        self.assertEqual((response.status, response.body["reason"]), (500, "InternalError"))
        self.assertEqual(response.body["message"],
                         "Internal error occurred: resourceVersion should not be set on objects to be created")

    def test_force_on_merge_patch_is_invalid(self):
        self.create(oci("a"))
        response = self.server.request("PATCH", OCI + "/a", {"force": "true"}, {"spec": {}}, MERGE)
        self.assertEqual(response.status, 422)
        self.assertEqual(response.body["details"]["causes"][0]["field"], "force")

    def test_delete_with_finalizer_waits_for_finalizer_removal(self):
        body = oci("a")
        body["metadata"]["finalizers"] = ["finalizers.fluxcd.io"]
        self.create(body)
        deleting = self.server.request("DELETE", OCI + "/a")
        self.assertEqual(deleting.status, 200)
        self.assertIn("deletionTimestamp", deleting.body["metadata"])
        self.assertEqual(deleting.body["metadata"]["generation"], 2)
        self.assertEqual(self.server.request("GET", OCI + "/a").status, 200)
        gone = self.server.request("PATCH", OCI + "/a", body={"metadata": {"finalizers": None}}, headers=MERGE)
        self.assertEqual(gone.status, 200)
        self.assertEqual(self.server.request("GET", OCI + "/a").status, 404)

    def test_namespaces(self):
        names = [n["metadata"]["name"] for n in self.server.request("GET", "/api/v1/namespaces").body["items"]]
        self.assertEqual(names, ["apps", "default", "flux-system"])
        created = self.server.request("POST", "/api/v1/namespaces", body={
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "team-a"}}, headers=JSON)
        self.assertEqual(created.status, 201)
        self.create(oci("a", "team-a"), path=OCI.replace("flux-system", "team-a"))
        again = self.server.request("POST", "/api/v1/namespaces", body={"metadata": {"name": "team-a"}},
                                    headers=JSON)
        self.assertEqual((again.status, again.body["message"]), (409, 'namespaces "team-a" already exists'))
        missing = self.server.request("GET", "/api/v1/namespaces/nope")
        self.assertEqual(missing.body, recording("10")["response"]["body"])

    def test_json_patch_operations(self):
        self.create(oci("a"))
        response = self.server.request("PATCH", OCI + "/a", body=[
            {"op": "add", "path": "/metadata/labels", "value": {"x": "y"}},
            {"op": "test", "path": "/spec/ref/tag", "value": "6.3.5"},
            {"op": "remove", "path": "/spec/ref/tag"},
            {"op": "add", "path": "/spec/ref/semver", "value": ">=1.0.0"}],
            headers={"Content-Type": "application/json-patch+json"})
        self.assertEqual(response.status, 200, response.body)
        self.assertEqual(response.body["spec"]["ref"], {"semver": ">=1.0.0"})
        self.assertEqual(response.body["metadata"]["labels"], {"x": "y"})
        missing = self.server.request("PATCH", OCI + "/a", body=[{"op": "replace", "path": "/spec/nope/x",
                                                                  "value": 1}],
                                      headers={"Content-Type": "application/json-patch+json"})
        self.assertEqual(missing.status, 422)


class WatchTests(ServerCase):
    server_args = ("--bookmark-interval-ms", "200")

    def test_watch_from_zero_lists_first_then_follows(self):
        self.create(oci("a"))
        events = []
        thread = threading.Thread(target=lambda: events.extend(self.server.watch_lines(
            OCI, {"watch": "true", "resourceVersion": "0", "timeoutSeconds": "2"})))
        thread.start()
        time.sleep(0.5)
        self.create(oci("b"))
        thread.join(10)
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in events[1:]],
                         [("ADDED", "a"), ("ADDED", "b")])

    def test_label_selector_transitions(self):
        start = self.server.request("GET", OCI).body["metadata"]["resourceVersion"]
        events = []
        thread = threading.Thread(target=lambda: events.extend(self.server.watch_lines(
            OCI, {"watch": "1", "resourceVersion": start, "labelSelector": "app=web", "timeoutSeconds": "2"})))
        thread.start()
        time.sleep(0.3)
        self.create(oci("a"))
        self.server.request("PATCH", OCI + "/a", body={"metadata": {"labels": {"app": "web"}}}, headers=MERGE)
        self.server.request("PATCH", OCI + "/a", body={"metadata": {"labels": {"app": "db"}}}, headers=MERGE)
        thread.join(10)
        self.assertEqual([e["type"] for e in events[1:]], ["ADDED", "DELETED"])

    def test_cut_watch_and_reset(self):
        for name in ("a", "b", "c"):
            self.create(oci(name))
        self.server.control("POST", "faults", {"cutWatchAfterEvents": 2})
        events = list(self.server.watch_lines(OCI, {"watch": "1", "timeoutSeconds": "5"}))
        self.assertEqual([e.get("type") for e in events[1:]], ["ADDED", "ADDED", None])
        self.assertTrue(events[-1]["cut"])
        # The cut was used up: the next watch is whole and ends by itself at its timeout with a final chunk.
        events = list(self.server.watch_lines(OCI, {"watch": "1", "timeoutSeconds": "1",
                                                    "allowWatchBookmarks": "true"}))
        self.assertEqual([e["type"] for e in events[1:4]], ["ADDED"] * 3)
        self.assertIn("BOOKMARK", [e["type"] for e in events[4:]])
        self.assertFalse(any(e.get("cut") for e in events))


    def test_abandoned_watch_ends_on_the_server(self):
        baseline = self.server.control("GET", "state").body["threads"]
        connections = []
        for _ in range(3):
            connection = self.server.connection()
            connection.request("GET", OCI + "?watch=1", headers={"Authorization": "Bearer admin-token"})
            self.assertEqual(connection.getresponse().status, 200)
            connections.append(connection)
        self.assertGreaterEqual(self.server.control("GET", "state").body["threads"], baseline + 3)
        for connection in connections:
            connection.sock.close()
            connection.close()
        deadline = time.time() + 30
        while time.time() < deadline and self.server.control("GET", "state").body["threads"] > baseline:
            time.sleep(0.1)
        self.assertLessEqual(self.server.control("GET", "state").body["threads"], baseline)


class FaultTests(ServerCase):
    def test_latency_and_method_filter(self):
        self.server.control("POST", "faults", {"latencyMs": 300, "failNext": [
            {"status": 429, "retryAfter": "2", "method": "POST"}]})
        started = time.time()
        self.assertEqual(self.server.request("GET", OCI).status, 200)
        self.assertGreaterEqual(time.time() - started, 0.3)
        throttled = self.server.request("POST", OCI, body=oci("a"), headers=JSON)
        self.assertEqual((throttled.status, throttled.body["reason"], throttled.header("Retry-After")),
                         (429, "TooManyRequests", "2"))
        self.assertEqual(throttled.body["details"], {"retryAfterSeconds": 2})
        log = self.server.control("GET", "requests").body
        self.assertEqual([(e["method"], e["status"]) for e in log], [("GET", 200), ("POST", 429)])

    def test_seed_many_objects_fast(self):
        objects = [kustomization("app-%04d" % i) for i in range(5000)]
        started = time.time()
        response = self.server.control("POST", "objects", {"objects": objects})
        self.assertEqual(response.body["created"], 5000)
        page = self.server.request("GET", KS, {"limit": "500"}).body
        self.assertEqual(page["metadata"]["remainingItemCount"], 4500)
        self.assertLess(time.time() - started, 60)


class OlderFluxTests(ServerCase):
    server_args = ("--flux-version", "v1beta2")

    def test_only_v1beta2_is_served(self):
        self.assertEqual(self.server.request("GET", "/apis/source.toolkit.fluxcd.io/v1").status, 404)
        body = oci("a")
        body["apiVersion"] = "source.toolkit.fluxcd.io/v1beta2"
        created = self.server.request("POST", OCI.replace("/v1/", "/v1beta2/"), body=body, headers=JSON)
        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(created.body["apiVersion"], "source.toolkit.fluxcd.io/v1beta2")
        self.assertEqual(self.server.request("GET", "/apis/kustomize.toolkit.fluxcd.io/v1").status, 200)
        self.assertEqual(self.server.request("GET", "/apis/kustomize.toolkit.fluxcd.io/v1beta2").status, 404)


if __name__ == "__main__":
    unittest.main()
