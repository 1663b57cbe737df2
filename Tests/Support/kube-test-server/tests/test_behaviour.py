"""Behaviour the recordings do not show, checked against how kube-apiserver v1.28 answers."""
import json
import os
import subprocess
import threading
import time
import unittest

import h2.errors

from h2client import H2Client
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


APPS_OCI = OCI.replace("/flux-system/", "/apps/")
SSAR = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
SOURCE_GROUP = "source.toolkit.fluxcd.io"


def forbidden_body(message, name=None, group=SOURCE_GROUP, kind="ocirepositories"):
    details = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    details["kind"] = kind
    return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure", "message": message,
            "reason": "Forbidden", "details": details, "code": 403}


class RBACTests(ServerCase):
    """rbac.py: admin and viewer as before, dev only for Flux objects in apps (read-only in flux-system)."""

    def test_dev_writes_in_apps_and_only_reads_in_flux_system(self):
        self.create(oci("shared"))
        created = self.server.request("POST", APPS_OCI, body=oci("mine", namespace="apps"), headers=JSON,
                                      token="dev-token")
        self.assertEqual(created.status, 201, created.body)
        self.assertEqual(self.server.request("PATCH", APPS_OCI + "/mine", body={"spec": {"suspend": True}},
                                             headers=MERGE, token="dev-token").status, 200)
        self.assertEqual(self.server.request("GET", OCI + "/shared", token="dev-token").status, 200)
        self.assertEqual(self.server.request("GET", OCI, token="dev-token").status, 200)
        refused = self.server.request("POST", OCI, body=oci("x"), headers=JSON, token="dev-token")
        self.assertEqual((refused.status, refused.body), (403, forbidden_body(
            'ocirepositories.source.toolkit.fluxcd.io is forbidden: User "dev" cannot create resource '
            '"ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"')))
        patch = self.server.request("PATCH", OCI + "/shared", body={"spec": {"suspend": True}}, headers=MERGE,
                                    token="dev-token")
        self.assertEqual(patch.body, forbidden_body(
            'ocirepositories.source.toolkit.fluxcd.io "shared" is forbidden: User "dev" cannot patch resource '
            '"ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"', "shared"))
        other = self.server.request("GET", OCI.replace("/flux-system/", "/default/") + "/x", token="dev-token")
        self.assertEqual(other.body["message"], 'ocirepositories.source.toolkit.fluxcd.io "x" is forbidden: User '
                         '"dev" cannot get resource "ocirepositories" in API group "source.toolkit.fluxcd.io" in '
                         'the namespace "default"')
        ks = self.server.request("DELETE", KS.replace("/flux-system/", "/apps/") + "/gone", token="dev-token")
        self.assertEqual(ks.status, 404)  # allowed, then not found

    def test_dev_cannot_list_or_watch_across_all_namespaces(self):
        path = "/apis/source.toolkit.fluxcd.io/v1/ocirepositories"
        for query, verb in (({}, "list"), ({"watch": "1"}, "watch")):
            response = self.server.request("GET", path, query, token="dev-token")
            self.assertEqual((response.status, response.body), (403, forbidden_body(
                'ocirepositories.source.toolkit.fluxcd.io is forbidden: User "dev" cannot %s resource '
                '"ocirepositories" in API group "source.toolkit.fluxcd.io" at the cluster scope' % verb)), verb)
        self.assertEqual(self.server.request("GET", path, {"watch": "1", "timeoutSeconds": "1"},
                                             token="viewer-token").status, 200)

    def test_subresources_and_namespaces_are_authorized_as_kube_does(self):
        self.create(oci("mine", namespace="apps"), path=APPS_OCI)
        status = self.server.request("PATCH", APPS_OCI + "/mine/status", body={"status": {}}, headers=MERGE,
                                     token="dev-token")
        self.assertEqual(status.body, forbidden_body(
            'ocirepositories.source.toolkit.fluxcd.io "mine" is forbidden: User "dev" cannot patch resource '
            '"ocirepositories/status" in API group "source.toolkit.fluxcd.io" in the namespace "apps"', "mine"))
        namespace = self.server.request("GET", "/api/v1/namespaces/apps", token="dev-token")
        self.assertEqual(namespace.body, forbidden_body(
            'namespaces "apps" is forbidden: User "dev" cannot get resource "namespaces" in API group "" in the '
            'namespace "apps"', "apps", group=None, kind="namespaces"))
        listed = self.server.request("GET", "/api/v1/namespaces", token="dev-token")
        self.assertEqual(listed.body["message"], 'namespaces is forbidden: User "dev" cannot list resource '
                         '"namespaces" in API group "" at the cluster scope')
        self.assertEqual(self.server.request("GET", "/api/v1/namespaces/apps", token="viewer-token").status, 200)
        self.assertEqual(self.server.request("GET", "/apis", token="dev-token").status, 200)

    def test_existing_identities_keep_their_rights(self):
        self.assertEqual(self.server.request("POST", "/api/v1/namespaces", body={
            "apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "made"}}, headers=JSON).status, 201)
        self.assertEqual(self.server.request("POST", OCI, body=oci("a"), headers=JSON, token=None,
                                             cert="admin").status, 201)
        self.assertEqual(self.server.request("GET", OCI + "/a", token=None, cert="viewer").status, 200)
        self.assertEqual(self.server.request("DELETE", OCI + "/a", token="viewer-token").status, 403)
        nobody = self.server.request("GET", OCI + "/a", token="nobody-token")
        self.assertEqual(nobody.body["message"], 'ocirepositories.source.toolkit.fluxcd.io "a" is forbidden: User '
                         '"system:serviceaccount:flux-system:nobody" cannot get resource "ocirepositories" in API '
                         'group "source.toolkit.fluxcd.io" in the namespace "flux-system"')
        self.assertEqual(self.server.request("GET", "/apis", token="nobody-token").status, 200)


class ImpersonationTests(ServerCase):
    def raw(self, method, path, pairs, token="admin-token", body=None):
        """A request with repeated headers (Impersonate-Group), which harness.request's dict cannot send."""
        connection = self.server.connection()
        try:
            connection.putrequest(method, path)
            connection.putheader("Authorization", "Bearer " + token)
            data = json.dumps(body).encode() if body is not None else b""
            if body is not None:
                connection.putheader("Content-Type", "application/json")
            connection.putheader("Content-Length", str(len(data)))
            for name, value in pairs:
                connection.putheader(name, value)
            connection.endheaders(data)
            response = connection.getresponse()
            raw = response.read()
            try:
                return response.status, json.loads(raw), response.getheader("Content-Type")
            except ValueError:
                return response.status, raw.decode(), response.getheader("Content-Type")
        finally:
            connection.close()

    def last_log(self):
        return self.server.control("GET", "requests").body[-1]

    def test_admin_acts_as_the_viewer_and_the_log_says_so(self):
        self.create(oci("a"))
        self.server.control("DELETE", "requests")
        status, _, _ = self.raw("GET", OCI + "/a", [("Impersonate-User", "viewer")])
        self.assertEqual(status, 200)
        status, body, _ = self.raw("DELETE", OCI + "/a", [("Impersonate-User", "viewer")])
        self.assertEqual((status, body), (403, forbidden_body(
            'ocirepositories.source.toolkit.fluxcd.io "a" is forbidden: User "viewer" cannot delete resource '
            '"ocirepositories" in API group "source.toolkit.fluxcd.io" in the namespace "flux-system"', "a")))
        entry = self.last_log()
        self.assertEqual({k: entry.get(k) for k in ("method", "auth", "user", "groups", "impersonatedBy",
                                                    "impersonate", "status")},
                         {"method": "DELETE", "auth": "token", "user": "viewer", "groups": ["system:authenticated"],
                          "impersonatedBy": "admin", "impersonate": {"user": "viewer", "groups": []},
                          "status": 403})
        log = json.dumps(self.server.control("GET", "requests").body)
        self.assertNotIn("admin-token", log)
        self.assertNotIn("Bearer", log)

    def test_groups_are_taken_as_given(self):
        status, _, _ = self.raw("POST", OCI, [("Impersonate-User", "someone"), ("Impersonate-Group", "team"),
                                              ("Impersonate-Group", "system:masters")], body=oci("b"))
        self.assertEqual(status, 201)
        self.assertEqual(self.last_log()["groups"], ["team", "system:masters", "system:authenticated"])
        status, body, _ = self.raw("POST", OCI, [("Impersonate-User", "someone")], body=oci("c"))
        self.assertEqual((status, body["message"]), (403, 'ocirepositories.source.toolkit.fluxcd.io is forbidden: '
                         'User "someone" cannot create resource "ocirepositories" in API group '
                         '"source.toolkit.fluxcd.io" in the namespace "flux-system"'))

    def test_impersonating_a_service_account_gets_its_groups_and_the_recorded_403(self):
        exchange = recording("38")
        status, body, _ = self.raw("GET", exchange["request"]["path"],
                                   [("Impersonate-User", "system:serviceaccount:flux-system:nobody")])
        self.assertEqual((status, body), (403, exchange["response"]["body"]))
        self.assertEqual(self.last_log()["groups"], ["system:serviceaccounts", "system:serviceaccounts:flux-system",
                                                     "system:authenticated"])

    def test_only_the_admin_may_impersonate(self):
        status, body, _ = self.raw("GET", OCI, [("Impersonate-User", "x")], token="viewer-token")
        self.assertEqual((status, body), (403, forbidden_body(
            'users "x" is forbidden: User "viewer" cannot impersonate resource "users" in API group "" at the '
            'cluster scope', "x", group=None, kind="users")))
        entry = self.last_log()
        self.assertEqual((entry["user"], entry["impersonate"], "impersonatedBy" in entry),
                         ("viewer", {"user": "x", "groups": []}, False))
        status, body, _ = self.raw("GET", "/version", [("Impersonate-User", "admin")], token="dev-token")
        self.assertEqual((status, body["message"]), (403, 'users "admin" is forbidden: User "dev" cannot impersonate '
                                                          'resource "users" in API group "" at the cluster scope'))
        status, body, _ = self.raw("GET", OCI, [("Impersonate-User", "system:serviceaccount:flux-system:nobody")],
                                   token="viewer-token")
        self.assertEqual(body["message"], 'serviceaccounts "nobody" is forbidden: User "viewer" cannot impersonate '
                         'resource "serviceaccounts" in API group "" in the namespace "flux-system"')
        # A group is checked too, even with a user the requester could not have impersonated either.
        status, body, _ = self.raw("GET", OCI, [("Impersonate-User", "viewer"), ("Impersonate-Group", "ops")],
                                   token="nobody-token")
        self.assertEqual(body["message"], 'users "viewer" is forbidden: User '
                         '"system:serviceaccount:flux-system:nobody" cannot impersonate resource "users" in API '
                         'group "" at the cluster scope')

    def test_groups_without_a_user_are_an_internal_error(self):
        status, body, content_type = self.raw("GET", OCI + "?limit=1", [("Impersonate-Group", "ops")])
        self.assertEqual((status, content_type), (500, "text/plain; charset=utf-8"))
        self.assertEqual(body, 'Internal Server Error: "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/'
                               'ocirepositories?limit=1": requested [{Group  ops    }] without impersonating a user\n')


class SelfSubjectAccessReviewTests(ServerCase):
    def review(self, token="admin-token", headers=None, **attributes):
        spec = {"resourceAttributes": attributes} if "path" not in attributes else {"nonResourceAttributes": attributes}
        response = self.server.request("POST", SSAR, token=token, headers=dict(JSON, **(headers or {})), body={
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": spec})
        self.assertEqual(response.status, 201, response.body)
        return response.body

    def test_answers_come_from_the_rbac_table(self):
        flux = {"group": SOURCE_GROUP, "resource": "ocirepositories"}
        self.assertEqual(self.review(verb="create", namespace="apps", **flux)["status"], {"allowed": True})
        self.assertEqual(self.review("dev-token", verb="create", namespace="apps", **flux)["status"], {
            "allowed": True, "reason": 'RBAC: allowed by RoleBinding "dev-flux-edit/apps" of ClusterRole "flux-edit" '
                                       'to User "dev"'})
        self.assertEqual(self.review("dev-token", verb="watch", namespace="flux-system", **flux)["status"], {
            "allowed": True, "reason": 'RBAC: allowed by RoleBinding "dev-flux-view/flux-system" of ClusterRole '
                                       '"flux-view" to User "dev"'})
        self.assertEqual(self.review("dev-token", verb="patch", namespace="flux-system", **flux)["status"],
                         {"allowed": False})
        self.assertEqual(self.review("dev-token", verb="list", **flux)["status"], {"allowed": False})
        self.assertEqual(self.review("dev-token", verb="patch", namespace="apps", subresource="status",
                                     **flux)["status"], {"allowed": False})
        self.assertEqual(self.review("viewer-token", verb="list", **flux)["status"], {
            "allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "kube-test-viewer" of ClusterRole "view" '
                                       'to User "viewer"'})
        self.assertEqual(self.review("nobody-token", verb="get", namespace="flux-system", **flux)["status"],
                         {"allowed": False})
        self.assertEqual(self.review("nobody-token", verb="get", path="/apis")["status"], {
            "allowed": True, "reason": 'RBAC: allowed by ClusterRoleBinding "system:discovery" of ClusterRole '
                                       '"system:discovery" to Group "system:authenticated"'})
        self.assertEqual(self.review("viewer-token", verb="impersonate", resource="users", name="admin")["status"],
                         {"allowed": False})
        self.assertEqual(self.review(verb="impersonate", resource="users", name="admin")["status"], {"allowed": True})

    def test_impersonated_reviews_answer_for_the_impersonated_user(self):
        body = self.review(headers={"Impersonate-User": "dev"}, verb="create", namespace="flux-system",
                           group=SOURCE_GROUP, resource="ocirepositories")
        self.assertEqual(body["status"], {"allowed": False})
        entry = self.server.control("GET", "requests").body[-1]
        self.assertEqual((entry["user"], entry["impersonatedBy"]), ("dev", "admin"))
        self.assertEqual(json.loads(entry["body"])["spec"]["resourceAttributes"], {
            "verb": "create", "namespace": "flux-system", "group": SOURCE_GROUP, "resource": "ocirepositories"})

    def test_spec_is_echoed_as_typed_and_must_name_one_kind_of_attributes(self):
        body = self.review(verb="get", group="", resource="namespaces", name="apps", bogus="x")
        self.assertEqual(body["spec"], {"resourceAttributes": {"verb": "get", "resource": "namespaces",
                                                               "name": "apps"}})
        self.assertEqual(body["metadata"], {"creationTimestamp": None})
        empty = self.server.request("POST", SSAR, headers=JSON, body={
            "apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview", "spec": {}})
        self.assertEqual((empty.status, empty.body["message"]), (422, 'SelfSubjectAccessReview.authorization.k8s.io '
                         '"" is invalid: spec.resourceAttributes: Invalid value: "null": exactly one of '
                         'nonResourceAttributes or resourceAttributes must be specified'))
        self.assertEqual(empty.body["details"], {"group": "authorization.k8s.io", "kind": "SelfSubjectAccessReview",
                                                 "causes": [{"reason": "FieldValueInvalid", "message": 'Invalid '
                                                             'value: "null": exactly one of nonResourceAttributes '
                                                             'or resourceAttributes must be specified',
                                                             "field": "spec.resourceAttributes"}]})
        anonymous = self.server.request("POST", SSAR, headers=JSON, token=None, body={"spec": {}})
        self.assertEqual(anonymous.body["message"], 'selfsubjectaccessreviews.authorization.k8s.io is forbidden: '
                         'User "system:anonymous" cannot create resource "selfsubjectaccessreviews" in API group '
                         '"authorization.k8s.io" at the cluster scope')


class HTTP2Tests(ServerCase):
    """HTTP/2 (ALPN h2) goes through the same handler as HTTP/1.1: routing, auth, faults, log, watches."""
    server_args = ("--bookmark-interval-ms", "200")

    def h2(self, **options):
        client = H2Client(self.server, **options)
        self.addCleanup(client.close)
        return client

    def state(self):
        return self.server.control("GET", "state").body

    def test_alpn_offers_h2_then_http11(self):
        self.assertEqual(self.h2().alpn, "h2")
        self.assertEqual(self.h2(alpn=("http/1.1",)).alpn, "http/1.1")
        self.assertEqual(self.h2(alpn=("http/1.1", "h2")).alpn, "h2")  # the server's preference, as Go's

    def test_requests_answers_and_log_over_h2(self):
        client = self.h2()
        created = client.request("POST", OCI, body=oci("a"), headers=JSON)
        self.assertEqual(created.status, 201, created.data)
        # A body without content-length (as curl streams one of unknown size) reaches the handler whole.
        streamed = client.request("POST", OCI, body=oci("b"), headers=JSON, content_length=False)
        self.assertEqual(streamed.status, 201, streamed.data)
        listed = client.request("GET", OCI)
        self.assertEqual(listed.status, 200)
        self.assertEqual([item["metadata"]["name"] for item in listed.body["items"]], ["a", "b"])
        names = [name for name, _ in listed.headers]
        self.assertEqual(names, [name.lower() for name in names])
        self.assertFalse({"connection", "transfer-encoding", "keep-alive"} & set(names))
        self.assertEqual(listed.header("content-type"), "application/json")
        self.assertEqual(int(listed.header("content-length")), len(listed.data))
        missing = client.request("GET", OCI + "/none")
        self.assertEqual((missing.status, missing.body), (404, self.server.request("GET", OCI + "/none").body))
        self.assertEqual(client.request("GET", OCI, token="wrong-token").status, 401)
        log = self.server.control("GET", "requests").body
        self.assertEqual([(e["protocol"], e["method"], e["status"], e["auth"]) for e in log], [
            ("HTTP/2", "POST", 201, "token"), ("HTTP/2", "POST", 201, "token"), ("HTTP/2", "GET", 200, "token"),
            ("HTTP/2", "GET", 404, "token"), ("HTTP/1.1", "GET", 404, "token"),
            ("HTTP/2", "GET", 401, "invalid-token")])
        self.assertEqual(log[0]["headers"]["Content-Length"], str(len(json.dumps(oci("a")))))
        # The log shows what the client sent: no length and, HTTP/2 having none, no Transfer-Encoding.
        self.assertEqual(set(log[1]["headers"]), {"Content-Type", "User-Agent"})
        self.assertEqual(log[2]["headers"], {"User-Agent": "h2-test/1.0"})
        self.assertEqual(json.loads(log[1]["body"])["metadata"]["name"], "b")

    def test_large_answer_under_flow_control(self):
        self.server.control("POST", "objects", {"objects": [kustomization("app-%04d" % i) for i in range(3000)]})
        client = self.h2()  # h2's default 64 KiB windows: the answer needs many WINDOW_UPDATEs
        listed = client.request("GET", KS)
        self.assertEqual(listed.status, 200)
        self.assertGreater(len(listed.data), 1 << 20)
        self.assertEqual(bytes(listed.data), self.server.request("GET", KS).raw)

    def test_client_certificates_over_h2(self):
        admin = self.h2(cert="admin")
        self.assertEqual(admin.request("POST", OCI, token=None, body=oci("a"), headers=JSON).status, 201)
        viewer = self.h2(cert="viewer")
        self.assertEqual(viewer.request("GET", OCI + "/a", token=None).status, 200)
        refused = viewer.request("DELETE", OCI + "/a", token=None)
        self.assertEqual((refused.status, refused.body["reason"]), (403, "Forbidden"))
        log = self.server.control("GET", "requests").body
        self.assertEqual([(e["protocol"], e["auth"], e["user"]) for e in log],
                         [("HTTP/2", "certificate", "admin")] + [("HTTP/2", "certificate", "viewer")] * 2)

    def test_watch_streams_events_and_ends_cleanly(self):
        self.create(oci("a"))
        client = self.h2()
        stream = client.start("GET", OCI + "?watch=1&timeoutSeconds=2")
        answer = client.answers[stream]
        client.pump(lambda: len(answer.events()) == 1)
        self.assertEqual(answer.status, 200)
        self.assertIsNone(answer.header("transfer-encoding"))
        self.create(oci("b"))
        client.pump(lambda: len(answer.events()) == 2)
        client.finish(stream)
        self.assertEqual((answer.ended, answer.reset), (True, None))
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in answer.events()],
                         [("ADDED", "a"), ("ADDED", "b")])

    def test_cut_watch_resets_its_stream_only(self):
        for name in ("a", "b", "c"):
            self.create(oci(name))
        self.server.control("POST", "faults", {"cutWatchAfterEvents": 2})
        client = self.h2()
        cut = client.finish(client.start("GET", OCI + "?watch=1&timeoutSeconds=5"))
        self.assertEqual(cut.reset, h2.errors.ErrorCodes.INTERNAL_ERROR)
        self.assertFalse(cut.ended)
        self.assertEqual([e["type"] for e in cut.events()], ["ADDED", "ADDED"])
        # The connection lives on; the cut was used up, so the next watch is whole.
        self.assertEqual(client.request("GET", OCI).status, 200)
        whole = client.finish(client.start("GET", OCI + "?watch=1&timeoutSeconds=1"))
        self.assertEqual((whole.ended, whole.reset), (True, None))
        self.assertEqual([e["type"] for e in whole.events()], ["ADDED"] * 3)

    def test_reset_streams_end_their_watches_on_the_server(self):
        client = self.h2()
        self.assertEqual(client.request("GET", OCI).status, 200)  # the connection's own thread is up
        baseline = self.state()
        self.assertEqual(baseline["activeRequests"], 0)
        streams = [client.start("GET", OCI + "?watch=1") for _ in range(3)]
        client.pump(lambda: all(client.answers[s].status == 200 for s in streams))
        during = self.state()
        self.assertEqual(during["activeRequests"], 3)
        self.assertGreaterEqual(during["threads"], baseline["threads"] + 3)
        for stream in streams:
            client.reset(stream)
        deadline = time.time() + 30
        while time.time() < deadline and (self.state()["threads"] > baseline["threads"]
                                          or self.state()["activeRequests"]):
            time.sleep(0.1)
        after = self.state()
        self.assertEqual(after["activeRequests"], 0)
        self.assertLessEqual(after["threads"], baseline["threads"])
        self.assertEqual(client.request("GET", OCI).status, 200)

    def curl(self, *arguments):
        command = ["curl", "-sS", "--cacert", os.path.join(self.server.state_dir, "ca.crt"),
                   "-H", "Authorization: Bearer admin-token"] + list(arguments)
        return subprocess.run(command, capture_output=True, timeout=60)

    def test_curl_speaks_h2_and_sees_the_cut(self):
        url = "https://127.0.0.1:%d%s" % (self.server.port, OCI)
        self.create(oci("a"))
        for flag, version in (("--http2", b"2"), ("--http1.1", b"1.1")):
            done = self.curl(flag, "-o", "/dev/null", "-w", "%{http_version}", url)
            self.assertEqual((done.returncode, done.stdout), (0, version), done.stderr)
        # A cut watch: RST_STREAM on h2 (curl 92, "not closed cleanly"), no final chunk on HTTP/1.1 (curl 18).
        for flag, code in (("--http2", 92), ("--http1.1", 18)):
            self.server.control("POST", "faults", {"cutWatchAfterEvents": 1})
            cut = self.curl(flag, url + "?watch=1&timeoutSeconds=5")
            self.assertEqual(cut.returncode, code, cut.stderr)
            self.assertEqual(json.loads(cut.stdout)["object"]["metadata"]["name"], "a")
        self.assertEqual([e["protocol"] for e in self.server.control("GET", "requests").body],
                         ["HTTP/1.1", "HTTP/2", "HTTP/1.1", "HTTP/2", "HTTP/1.1"])


class HTTP1OnlyTests(ServerCase):
    server_args = ("--http1-only",)

    def test_h2_is_not_offered(self):
        client = H2Client(self.server)
        self.addCleanup(client.close)
        self.assertEqual(client.alpn, "http/1.1")
        self.assertEqual(self.server.request("GET", OCI).status, 200)
        self.assertEqual(self.server.control("GET", "requests").body[0]["protocol"], "HTTP/1.1")


if __name__ == "__main__":
    unittest.main()
