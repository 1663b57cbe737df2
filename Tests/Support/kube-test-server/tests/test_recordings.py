"""Replays Tests/Fixtures/kube-api/ against the test server and compares answers field by field.

The exchanges were recorded in one session, so they are replayed in the same order on one server; uids,
timestamps, resourceVersions and continue tokens (except their start key) are ignored.
"""
import json
import threading
import unittest

from harness import TestServer, normalize, recording

OCI = "/apis/source.toolkit.fluxcd.io/v1/namespaces/flux-system/ocirepositories"
SEQUENCE = ["05", "06", "07", "08", "09", "10", "11", "12", "13", "seed", "14", "15", "16", "17", "18", "19",
            "20", "21", "22", "23", "24", "25", "26", "27", "28", "29", "30", "31", "32", "33", "34", "35"]


def table_without_ages(body):
    body = json.loads(json.dumps(body))
    for row in body.get("rows", []):
        row["cells"][-1] = "<age>"
    return body


class RecordingReplayTests(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def send(self, exchange, **overrides):
        request = exchange["request"]
        headers = {k: v for k, v in (request.get("headers") or {}).items()}
        return self.server.request(request["method"], request["path"], request.get("query") or None,
                                   request.get("body"), headers, **overrides)

    def assert_answers_like(self, name, exchange, response):
        expected = exchange["response"]
        self.assertEqual(response.status, expected["status"], "%s: %s" % (name, response.body))
        self.assertEqual(response.header("Content-Type"), expected["headers"]["Content-Type"], name)
        self.assertEqual(response.header("Warning"), expected["headers"].get("Warning"), name)
        expected_body, actual_body = expected["body"], response.body
        if name == "18":
            expected_body, actual_body = table_without_ages(expected_body), table_without_ages(actual_body)
        self.assertEqual(normalize(actual_body), normalize(expected_body), name)

    def test_recorded_session(self):
        server = self.server
        listing = server.request("GET", OCI)
        start_rv = listing.body["metadata"]["resourceVersion"]
        events = []
        wanted_count = len([e for e in recording("39")["events"][1:] if e["type"] != "BOOKMARK"])

        def watch():
            # Read until every recorded event and then a bookmark arrived, however long the sequence takes.
            seen = 0
            for event in server.watch_lines(OCI, {"watch": "1", "resourceVersion": start_rv,
                                                  "allowWatchBookmarks": "true", "timeoutSeconds": "120"}, timeout=130):
                events.append(event)
                if event.get("type") not in (None, "BOOKMARK"):
                    seen += 1
                if seen >= wanted_count and event.get("type") == "BOOKMARK" or event.get("cut"):
                    return
        watcher = threading.Thread(target=watch)
        watcher.start()
        resource_versions = {}
        for name in SEQUENCE:
            if name == "seed":
                for seeded in ("alpha", "beta", "gamma"):
                    body = recording("05")["request"]["body"]
                    body["metadata"]["name"] = seeded
                    self.assertEqual(server.request("POST", OCI, body=body,
                                                    headers={"Content-Type": "application/json"}).status, 201)
                continue
            exchange = recording(name)
            with self.subTest(recording=name):
                response = self.send(exchange)
                self.assert_answers_like(name, exchange, response)
                if isinstance(response.body, dict) and "metadata" in response.body:
                    resource_versions[name] = response.body["metadata"].get("resourceVersion")
                if name == "14":
                    issued_token = response.body["metadata"]["continue"]
        # Every write got its own resourceVersion from one counter; the no-op 33 kept 32's.
        self.assertEqual(resource_versions["33"], resource_versions["32"])
        self.assertLess(int(resource_versions["05"]), int(resource_versions["13"]))
        self.assertNotIn("resourceVersion", recording("11")["response"]["body"]["metadata"])
        self.assertIsNone(resource_versions.get("11"))

        watcher.join(130)
        self.assertFalse(watcher.is_alive(), "the watch did not deliver every recorded event")
        recorded = recording("39")["events"]
        self.assertEqual(events[0]["status"], 200)
        self.assertEqual(events[0]["content-type"], "application/json")
        self.assertEqual(events[0]["transfer-encoding"], "chunked")
        actual = [e for e in events[1:] if e["type"] != "BOOKMARK"]
        wanted = [e for e in recorded[1:] if e["type"] != "BOOKMARK"]
        # The recording also saw Kustomization-free traffic only; compare event types, names and objects.
        self.assertEqual([(e["type"], e["object"]["metadata"]["name"]) for e in actual],
                         [(e["type"], e["object"]["metadata"]["name"]) for e in wanted])
        self.assertEqual(normalize([e["object"] for e in actual]), normalize([e["object"] for e in wanted]))
        bookmarks = [e for e in events[1:] if e["type"] == "BOOKMARK"]
        self.assertTrue(bookmarks, "a watch with allowWatchBookmarks must see a BOOKMARK")
        self.assertEqual(set(bookmarks[-1]["object"]), {"apiVersion", "kind", "metadata"})
        self.assertEqual(list(bookmarks[-1]["object"]["metadata"]), ["resourceVersion"])
        self.assertEqual(bookmarks[-1]["object"]["kind"], "OCIRepository")

        # 40 and 41 need history the server has forgotten.
        self.assertEqual(server.control("POST", "compact").status, 200)
        expired = recording("41")
        expired["request"]["query"]["continue"] = issued_token
        response = self.send(expired)
        self.assert_answers_like("41", expired, response)

        watch = recording("40")
        events = list(server.watch_lines(watch["request"]["path"], watch["request"]["query"]))
        self.assertEqual(events[0]["status"], 200)
        self.assertEqual(len(events), 2, events)
        self.assertEqual(events[1]["type"], "ERROR")
        expected_status = watch["events"][1]["object"]
        self.assertRegex(events[1]["object"]["message"], r"^too old resource version: 2 \(\d+\)$")
        events[1]["object"]["message"] = expected_status["message"]
        self.assertEqual(events[1]["object"], expected_status)


class DiscoveryAndAuthTests(unittest.TestCase):
    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.server = TestServer()

    @classmethod
    def tearDownClass(cls):
        cls.server.stop()

    def check(self, name, **overrides):
        exchange = recording(name)
        request = exchange["request"]
        response = self.server.request(request["method"], request["path"], request.get("query") or None,
                                       request.get("body"), request.get("headers"), **overrides)
        expected = exchange["response"]
        self.assertEqual(response.status, expected["status"], name)
        self.assertEqual(response.header("Content-Type"), expected["headers"]["Content-Type"], name)
        self.assertEqual(normalize(response.body), normalize(expected["body"]), name)
        return response

    def test_version_and_discovery(self):
        for name in ("01", "02", "03", "04"):
            with self.subTest(recording=name):
                self.check(name)

    def test_invalid_token_is_401(self):
        self.check("36", token="not-a-token")

    def test_no_credentials_is_anonymous_403(self):
        self.check("37", token=None)

    def test_service_account_without_rbac_is_forbidden(self):
        self.check("38", token="nobody-token")

    def test_viewer_reads_but_cannot_write(self):
        self.assertEqual(self.server.request("GET", OCI, token="viewer-token").status, 200)
        body = recording("05")["request"]["body"]
        response = self.server.request("POST", OCI, body=body, token="viewer-token",
                                       headers={"Content-Type": "application/json"})
        forbidden = recording("38")["response"]["body"]
        expected = dict(forbidden, message=forbidden["message"]
                        .replace("system:serviceaccount:flux-system:nobody", "viewer").replace("list", "create"))
        self.assertEqual(response.status, 403)
        self.assertEqual(response.body, expected)
        response = self.server.request("PATCH", OCI + "/podinfo", body={"spec": {"suspend": True}},
                                       token="viewer-token", headers={"Content-Type": "application/merge-patch+json"})
        self.assertEqual(response.status, 403)
        self.assertEqual(response.body["details"]["name"], "podinfo")
        self.assertIn('ocirepositories.source.toolkit.fluxcd.io "podinfo" is forbidden: User "viewer" cannot patch',
                      response.body["message"])

    def test_client_certificate_is_admin(self):
        response = self.server.request("GET", OCI, token=None, cert="admin")
        self.assertEqual(response.status, 200)
        self.assertEqual(self.server.request("POST", OCI, body={}, token=None, cert="viewer",
                                             headers={"Content-Type": "application/json"}).status, 403)

    def test_self_subject_access_review(self):
        path = "/apis/authorization.k8s.io/v1/selfsubjectaccessreviews"
        review = {"apiVersion": "authorization.k8s.io/v1", "kind": "SelfSubjectAccessReview",
                  "spec": {"resourceAttributes": {"verb": "patch", "group": "source.toolkit.fluxcd.io",
                                                  "resource": "ocirepositories", "namespace": "flux-system"}}}
        headers = {"Content-Type": "application/json"}
        admin = self.server.request("POST", path, body=review, headers=headers)
        self.assertEqual((admin.status, admin.body["status"]["allowed"]), (201, True))
        viewer = self.server.request("POST", path, body=review, headers=headers, token="viewer-token")
        self.assertEqual((viewer.status, viewer.body["status"]["allowed"]), (201, False))
        review["spec"]["resourceAttributes"]["verb"] = "list"
        viewer = self.server.request("POST", path, body=review, headers=headers, token="viewer-token")
        self.assertTrue(viewer.body["status"]["allowed"])
        self.assertEqual(self.server.request("POST", path, body=review, headers=headers, token=None).status, 403)

    def test_api_and_apis_lists(self):
        apis = self.server.request("GET", "/apis")
        names = [g["name"] for g in apis.body["groups"]]
        self.assertIn("source.toolkit.fluxcd.io", names)
        self.assertIn("kustomize.toolkit.fluxcd.io", names)
        self.assertEqual(self.server.request("GET", "/api").body["versions"], ["v1"])
        self.assertEqual(self.server.request("GET", "/apis/nope.example.com").status, 404)
        self.assertEqual(self.server.request("GET", "/apis/nope.example.com").body, "404 page not found\n")
        self.assertEqual(self.server.request("GET", "/apis", token=None).status, 403)
        self.assertEqual(self.server.request("GET", "/version", token=None).status, 200)


if __name__ == "__main__":
    unittest.main()
