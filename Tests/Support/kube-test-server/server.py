#!/usr/bin/env python3
"""A kube-apiserver test double for kubectl-gitops tests: HTTPS on 127.0.0.1, Flux CRDs, watch, faults.

Usage: server.py --state-dir DIR [--port 0] [--crd-dir DIR] [--flux-version v1|v1beta2|none] [--controllers]
                 [--reaction-delay-ms N] [--event-window N] [--bookmark-interval-ms N] [--parent-pid PID]
                 [--http1-only]
Serves HTTP/2 (ALPN h2, through h2frontend.py) or HTTP/1.1.
Writes DIR/ready.json ({"port", "pid"}) once listening. Control API (no auth): /_test/... (see README.md).
"""
import argparse
import copy
import json
import os
import select
import signal
import socket
import ssl
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)

import certs  # noqa: E402
import controllers  # noqa: E402
import h2frontend  # noqa: E402
import rbac  # noqa: E402
import schema as schemas  # noqa: E402
import statuses  # noqa: E402
from resources import Resources, parse_body  # noqa: E402
from kube_selectors import object_matcher  # noqa: E402
from store import Store  # noqa: E402

VERSION_INFO = {
    "major": "1", "minor": "28", "gitVersion": "v1.28.7", "gitCommit": "c8dcb00be9961ec36d141d2e4103f85f92bcf291",
    "gitTreeState": "clean", "buildDate": "2026-11-26T01:17:34Z", "goVersion": "go1.21.13", "compiler": "gc",
    "platform": "linux/amd64",
}
LOGGED_HEADERS = ("Content-Type", "Accept", "User-Agent", "Content-Length", "Transfer-Encoding")
MAX_LOGGED_BODY = 65536


class Identity:
    def __init__(self, user, groups, method, impersonated_by=None):
        self.user = user
        self.groups = groups
        self.method = method   # "token", "certificate" or "anonymous" (of the requester when impersonating)
        self.impersonated_by = impersonated_by  # the authenticated user when this identity is impersonated

    def authorize(self, verb, resource="", group="", namespace=None, name=None, path=None):
        """(allowed, reason) from rbac.py; resource may be "plural/subresource"."""
        resource, _, subresource = (resource or "").partition("/")
        return rbac.authorize(self.user, self.groups, verb, group or "", resource, subresource, namespace or "",
                              name or "", path)


class Faults:
    """Failures and delays requested through POST /_test/faults."""

    def __init__(self):
        self.lock = threading.Lock()
        self.clear()

    def clear(self):
        with self.lock:
            self.latency_ms = 0
            self.fail_next = []
            self.cut_watch_after = None
            self.cut_watch_count = 0

    def update(self, body):
        with self.lock:
            if "latencyMs" in body:
                self.latency_ms = int(body["latencyMs"] or 0)
            for rule in body.get("failNext") or []:
                rule = dict(rule)
                rule.setdefault("count", 1)
                rule.setdefault("status", 503)
                self.fail_next.append(rule)
            if "cutWatchAfterEvents" in body:
                value = body["cutWatchAfterEvents"]
                self.cut_watch_after = None if value is None else int(value)
                self.cut_watch_count = int(body.get("cutWatchCount", 1))

    def describe(self):
        with self.lock:
            return {"latencyMs": self.latency_ms, "failNext": copy.deepcopy(self.fail_next),
                    "cutWatchAfterEvents": self.cut_watch_after, "cutWatchCount": self.cut_watch_count}

    def take_failure(self, method, target):
        with self.lock:
            for rule in self.fail_next:
                if rule.get("pathContains") and rule["pathContains"] not in target:
                    continue
                if rule.get("method") and rule["method"].upper() != method:
                    continue
                rule["count"] -= 1
                if rule["count"] <= 0:
                    self.fail_next.remove(rule)
                return rule
        return None

    def take_watch_cut(self):
        with self.lock:
            if self.cut_watch_after is None or self.cut_watch_count <= 0:
                return None
            self.cut_watch_count -= 1
            return self.cut_watch_after


class RequestLog:
    def __init__(self):
        self.lock = threading.Lock()
        self.entries = []
        # Never reset, so a test sharing the server can take a watermark even if another test clears the log.
        self.counter = 0

    def add(self, entry):
        with self.lock:
            self.counter += 1
            entry["seq"] = self.counter
            self.entries.append(entry)

    def snapshot(self):
        with self.lock:
            return copy.deepcopy(self.entries)

    def clear(self):
        with self.lock:
            self.entries = []


class WatchCut(Exception):
    pass


class App:
    """Shared state of one server process."""

    def __init__(self, options, resource_types):
        self.options = options
        self.store = Store(event_window=options.event_window)
        self.resources = Resources(self.store, resource_types)
        self.faults = Faults()
        self.requests = RequestLog()
        self.served_version = options.flux_version
        self.groups = {}
        for rt in resource_types:
            self.groups.setdefault(rt.group, {}).setdefault(rt.version, []).append(rt)
        self.port = None
        self.controllers = controllers.Controllers(self, options.reaction_delay_ms) if options.controllers else None
        # API requests whose handler has not returned yet (open watches among them); /_test/state shows it.
        self.active_lock = threading.Lock()
        self.active_requests = 0

    def request_started(self, delta=1):
        with self.active_lock:
            self.active_requests += delta


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "kube-test-server"
    sys_version = ""
    app = None  # set on the subclass made in main()

    # The TLS handshake (and TCP_NODELAY) happen in APIServer.finish_request, before ALPN picks HTTP/1.1 (this
    # handler on the TLS socket) or HTTP/2 (h2frontend, which runs this handler per stream over a socketpair).

    def version_string(self):
        return self.server_version

    def log_message(self, format, *args):  # noqa: A002 - stdlib signature
        if self.app.options.verbose:
            sys.stderr.write("kube-test-server: %s\n" % (format % args))

    def do_GET(self):
        self._handle("GET")

    def do_POST(self):
        self._handle("POST")

    def do_PUT(self):
        self._handle("PUT")

    def do_PATCH(self):
        self._handle("PATCH")

    def do_DELETE(self):
        self._handle("DELETE")

    # ------------------------------------------------------------------------------------------ plumbing
    def _read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            data = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    return data
                data += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def _send(self, code, body, headers=None, sort_keys=False, warnings=()):
        if isinstance(body, (bytes, str)):
            payload = body.encode() if isinstance(body, str) else body
            content_type = "text/plain; charset=utf-8"
        else:
            payload = json.dumps(body, sort_keys=sort_keys, separators=(",", ":")).encode() + b"\n"
            content_type = "application/json"
        self.send_response(code)
        self.send_header("Content-Type", content_type)
        self.send_header("Cache-Control", "no-cache, private")
        for warning in warnings:
            self.send_header("Warning", '299 - %s' % json.dumps(warning))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(payload)
        self.log_entry["status"] = code

    def _send_error(self, error):
        self._send(error.code, error.body(), error.headers)

    def _not_found_page(self):
        self._send(404, "404 page not found\n")

    def _identity(self):
        authorization = self.headers.get("Authorization", "")
        if authorization:
            scheme, _, token = authorization.partition(" ")
            if scheme.lower() != "bearer":
                return None
            token = token.strip()
            if token == certs.ADMIN_TOKEN:
                return Identity("admin", ["system:masters", "system:authenticated"], "token")
            if token == certs.VIEWER_TOKEN:
                return Identity("viewer", ["system:authenticated"], "token")
            if token == certs.NOBODY_TOKEN:
                return Identity("system:serviceaccount:flux-system:nobody",
                                ["system:serviceaccounts", "system:serviceaccounts:flux-system",
                                 "system:authenticated"], "token")
            if token == certs.DEV_TOKEN:
                return Identity("dev", ["system:authenticated"], "token")
            return None
        peer = self.connection.getpeercert() if hasattr(self.connection, "getpeercert") else None
        if peer:
            subject = dict(item[0] for item in peer.get("subject", ()))
            groups = [subject["organizationName"]] if "organizationName" in subject else []
            return Identity(subject.get("commonName", ""), groups + ["system:authenticated"], "certificate")
        return Identity("system:anonymous", ["system:unauthenticated"], "anonymous")

    # --------------------------------------------------------------------------------------------- entry
    def _handle(self, method):
        parsed = urllib.parse.urlsplit(self.path)
        path = parsed.path
        query = {k: v[-1] for k, v in urllib.parse.parse_qs(parsed.query, keep_blank_values=True).items()}
        body = self._read_body()
        self.log_entry = {}
        if path.startswith("/_test/"):
            return self._control(method, path, query, body)
        identity = self._identity()
        added = getattr(self.connection, "added_headers", ())  # HTTP/1.1 framing h2frontend added
        self.log_entry = {
            "time": time.time(), "method": method, "path": path, "query": query,
            "protocol": getattr(self.connection, "http_protocol", "HTTP/1.1"),
            "headers": {h: self.headers[h] for h in LOGGED_HEADERS if self.headers.get(h) is not None
                        and h not in added},
            "auth": identity.method if identity else "invalid-token",
            "user": identity.user if identity else None,
        }
        if body and method != "GET":
            self.log_entry["body"] = body[:MAX_LOGGED_BODY].decode("utf-8", errors="replace")
        self.app.requests.add(self.log_entry)
        latency = self.app.faults.latency_ms
        if latency:
            time.sleep(latency / 1000.0)
        rule = self.app.faults.take_failure(method, self.path)
        if rule is not None:
            self.log_entry["fault"] = True
            error = statuses.injected(int(rule["status"]), rule.get("retryAfter"))
            if rule.get("message"):
                error.message = rule["message"]
            return self._send_error(error)
        self.app.request_started()
        try:
            if identity is None:
                raise statuses.unauthorized()
            self._route(method, path, query, body, identity)
        except statuses.APIError as error:
            self._send_error(error)
        except WatchCut:
            self.close_connection = True
        except (OSError, ssl.SSLError):
            # The client went away mid-answer (watch streams mostly); nothing left to tell it.
            self.close_connection = True
        except Exception as error:  # a bug in the double must still answer like an apiserver would
            import traceback
            traceback.print_exc()
            self._send_error(statuses.APIError(500, "InternalError", "kube-test-server: %s" % error))
        finally:
            self.app.request_started(-1)

    # -------------------------------------------------------------------------------------------- routing
    def _non_resource(self, identity, path):
        if not identity.authorize("get", path=path)[0]:
            raise statuses.forbidden(identity.user, "get", None, None, None, path=path)

    def _route(self, method, path, query, body, identity):
        identity = self._impersonate(identity)
        app = self.app
        parts = [p for p in path.split("/") if p]
        if path in ("/version", "/version/"):
            return self._send(200, VERSION_INFO)
        if path in ("/healthz", "/readyz", "/livez"):
            return self._send(200, "ok")
        if parts[:1] == ["api"]:
            if len(parts) <= 2:
                self._non_resource(identity, path)
            if len(parts) == 1:
                return self._send(200, {"kind": "APIVersions", "versions": ["v1"], "serverAddressByClientCIDRs": [
                    {"clientCIDR": "0.0.0.0/0", "serverAddress": "127.0.0.1:%d" % app.port}]})
            if parts[1] != "v1":
                return self._not_found_page()
            if len(parts) == 2:
                return self._send(200, {"kind": "APIResourceList", "groupVersion": "v1", "resources": [
                    {"name": "namespaces", "singularName": "namespace", "namespaced": False, "kind": "Namespace",
                     "verbs": ["create", "delete", "get", "list", "patch", "update", "watch"],
                     "shortNames": ["ns"], "storageVersionHash": "Q3oi5N2YM8M="}]})
            if parts[2] == "namespaces" and len(parts) <= 4:
                return self._namespaces(method, parts[3] if len(parts) == 4 else None, query, body, identity)
            return self._not_found_page()
        if parts[:1] != ["apis"]:
            return self._not_found_page()
        if len(parts) == 1:
            self._non_resource(identity, path)
            return self._send(200, {"kind": "APIGroupList", "apiVersion": "v1",
                                    "groups": [self._group_body(g) for g in self._served_groups()]})
        group = parts[1]
        if group == "authorization.k8s.io":
            return self._authorization(method, parts, body, identity, path)
        versions = app.groups.get(group)
        if not versions:
            if len(parts) <= 3:
                self._non_resource(identity, path)
            return self._not_found_page()
        if len(parts) == 2:
            self._non_resource(identity, path)
            return self._send(200, dict(self._group_body(group), kind="APIGroup", apiVersion="v1"))
        version = parts[2]
        if version not in versions:
            if len(parts) == 3:
                self._non_resource(identity, path)
            return self._not_found_page()
        if len(parts) == 3:
            self._non_resource(identity, path)
            resources = [entry for rt in versions[version] for entry in rt.discovery()]
            return self._send(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                    "groupVersion": "%s/%s" % (group, version), "resources": resources})
        rest = parts[3:]
        namespace = None
        if rest[0] == "namespaces" and len(rest) >= 3:
            namespace, rest = rest[1], rest[2:]
        rt = app.resources.types.get(rest[0])
        if rt is None or rt.group != group or rt.version != version or len(rest) > 3:
            return self._not_found_page()
        name = rest[1] if len(rest) >= 2 else None
        subresource = rest[2] if len(rest) == 3 else None
        if subresource not in (None, "status") or (namespace is None and name is not None):
            return self._not_found_page()
        return self._custom_resource(method, rt, namespace, name, subresource, query, body, identity)

    def _served_groups(self):
        return ["authorization.k8s.io"] + sorted(self.app.groups)

    def _group_body(self, group):
        versions = ["v1"] if group == "authorization.k8s.io" else sorted(self.app.groups[group])
        entries = [{"groupVersion": "%s/%s" % (group, v), "version": v} for v in versions]
        return {"name": group, "versions": entries, "preferredVersion": entries[0]}

    def _authorize(self, identity, verb, rt_plural, group, namespace, name=None):
        """403 with kube's wording unless rbac.py allows; rt_plural may be "plural/subresource"."""
        if not identity.authorize(verb, rt_plural, group, namespace, name)[0]:
            raise statuses.forbidden(identity.user, verb, rt_plural, group, namespace, name)

    # ------------------------------------------------------------------------------------- impersonation
    def _impersonate(self, identity):
        """Impersonate-User/-Group/-Uid/-Extra-* as kube-apiserver's impersonation filter handles them: the
        requester needs `impersonate` on every one of them (users, serviceaccounts, groups, userextras/KEY, uids),
        else 403 naming the first refused; the request then runs as the impersonated user. Logs who is who."""
        self.log_entry["groups"] = list(identity.groups)
        user = self.headers.get("Impersonate-User") or ""
        groups = [g for g in (self.headers.get_all("Impersonate-Group") or [])]
        uid = self.headers.get("Impersonate-Uid") or ""
        extras = {}
        for header, value in self.headers.items():
            if header.lower().startswith("impersonate-extra-"):
                key = urllib.parse.unquote(header[len("impersonate-extra-"):].lower())
                extras.setdefault(key, []).append(value)
        if not (user or groups or uid or extras):
            return identity
        self.log_entry["impersonate"] = {"user": user, "groups": groups}
        # (kind, namespace, name, apiVersion, fieldPath), in the order kube checks them.
        requests = []
        sa_parts = user.split(":")
        service_account = len(sa_parts) == 4 and user.startswith("system:serviceaccount:") and all(sa_parts[2:])
        if service_account:
            requests.append(("ServiceAccount", sa_parts[2], sa_parts[3], "", ""))
        elif user:
            requests.append(("User", "", user, "", ""))
        requests += [("Group", "", group, "", "") for group in groups]
        for key in sorted(extras):
            requests += [("UserExtra", "", value, "authentication.k8s.io/v1", key) for value in extras[key]]
        if uid:
            requests.append(("UID", "", uid, "authentication.k8s.io/v1", ""))
        if not user:
            # kube answers this with a plain-text 500 (responsewriters.InternalError), Go's %v of the references.
            listed = " ".join("{%s %s %s  %s  %s}" % (kind, ns, name, version, field)
                              for kind, ns, name, version, field in requests)
            raise statuses.PlainTextError(500, "Internal Server Error: %s: requested [%s] without impersonating a "
                                          "user" % (json.dumps(self.path), listed))
        for kind, namespace, name, _, field in requests:
            resource, group = {"ServiceAccount": ("serviceaccounts", ""), "User": ("users", ""),
                               "Group": ("groups", ""), "UserExtra": ("userextras/" + field, "authentication.k8s.io"),
                               "UID": ("uids", "authentication.k8s.io")}[kind]
            if not identity.authorize("impersonate", resource, group, namespace, name)[0]:
                raise statuses.forbidden(identity.user, "impersonate", resource, group, namespace or None, name)
        effective_groups = list(groups)
        if service_account and not groups:
            effective_groups = ["system:serviceaccounts", "system:serviceaccounts:" + sa_parts[2]]
        if user != "system:anonymous":
            if not {"system:authenticated", "system:unauthenticated"} & set(effective_groups):
                effective_groups.append("system:authenticated")
        elif "system:unauthenticated" not in effective_groups:
            effective_groups.append("system:unauthenticated")
        self.log_entry.update({"user": user, "groups": effective_groups, "impersonatedBy": identity.user})
        return Identity(user, effective_groups, identity.method, impersonated_by=identity.user)

    # ------------------------------------------------------------------------------------- authorization
    def _authorization(self, method, parts, body, identity, path):
        if len(parts) == 2:
            self._non_resource(identity, path)
            return self._send(200, dict(self._group_body("authorization.k8s.io"), kind="APIGroup", apiVersion="v1"))
        if parts[2] != "v1":
            return self._not_found_page()
        if len(parts) == 3:
            self._non_resource(identity, path)
            return self._send(200, {"kind": "APIResourceList", "apiVersion": "v1",
                                    "groupVersion": "authorization.k8s.io/v1", "resources": [
                                        {"name": "selfsubjectaccessreviews", "singularName": "selfsubjectaccessreview",
                                         "namespaced": False, "kind": "SelfSubjectAccessReview",
                                         "verbs": ["create"]}]})
        if parts[3:] != ["selfsubjectaccessreviews"]:
            return self._not_found_page()
        if method != "POST":
            raise statuses.APIError(405, "MethodNotAllowed", "the server does not allow this method on the "
                                    "requested resource", {})
        self._authorize(identity, "create", "selfsubjectaccessreviews", "authorization.k8s.io", None)
        review = parse_body(body, self.headers.get("Content-Type"))
        if not isinstance(review, dict):
            raise statuses.bad_request("the body of the request is not a SelfSubjectAccessReview")
        spec = review.get("spec") if isinstance(review.get("spec"), dict) else {}
        # Only the typed fields survive decoding; empty ones are omitted (omitempty).
        known = {"resourceAttributes": ("namespace", "verb", "group", "version", "resource", "subresource", "name"),
                 "nonResourceAttributes": ("path", "verb")}
        spec = {key: {f: spec[key][f] for f in fields if isinstance(spec[key], dict) and spec[key].get(f)}
                for key, fields in known.items() if isinstance(spec.get(key), dict)}
        if len(spec) != 1:
            field, message = ("spec.nonResourceAttributes", "cannot be specified in combination with "
                              "resourceAttributes") if spec else ("spec.resourceAttributes", "exactly one of "
                                                                  "nonResourceAttributes or resourceAttributes must "
                                                                  "be specified")
            value = ('authorization.NonResourceAttributes{Path:%s, Verb:%s}' % tuple(
                json.dumps(spec["nonResourceAttributes"].get(f, "")) for f in ("path", "verb"))) if spec else '"null"'
            raise statuses.invalid("SelfSubjectAccessReview", "authorization.k8s.io", "", [
                (field, "FieldValueInvalid", "Invalid value: %s: %s" % (value, message))])
        if "resourceAttributes" in spec:
            attributes = spec["resourceAttributes"]
            resource = attributes.get("resource", "")
            if attributes.get("subresource"):
                resource += "/" + attributes["subresource"]
            allowed, reason = identity.authorize(attributes.get("verb", ""), resource, attributes.get("group", ""),
                                                 attributes.get("namespace"), attributes.get("name"))
        else:
            attributes = spec["nonResourceAttributes"]
            allowed, reason = identity.authorize(attributes.get("verb", ""), path=attributes.get("path", ""))
        # RBAC allows or has no opinion, never denies: `denied` stays unset (false), `reason` empty when not allowed.
        status = {"allowed": allowed}
        if reason:
            status["reason"] = reason
        response = {"kind": "SelfSubjectAccessReview", "apiVersion": "authorization.k8s.io/v1",
                    "metadata": {"creationTimestamp": None}, "spec": spec, "status": status}
        return self._send(201, response)

    # ----------------------------------------------------------------------------------------- namespaces
    def _namespaces(self, method, name, query, body, identity):
        resources = self.app.resources
        verb = {"GET": "get" if name else ("watch" if _is_watch(query) else "list"), "POST": "create",
                "DELETE": "delete", "PUT": "update", "PATCH": "patch"}[method]
        # kube's request info puts a namespace's own name in the namespace attribute as well.
        self._authorize(identity, verb, "namespaces", "", name, name)
        with self.app.store.condition:
            if method == "GET" and name:
                return self._send(200, resources.namespace_get(name)[1], sort_keys=True)
            if method == "GET" and not _is_watch(query):
                return self._send(200, resources.namespace_list(query)[1], sort_keys=True)
            if method == "POST" and not name:
                code, obj, _ = resources.namespace_create(parse_body(body, self.headers.get("Content-Type")), query)
                return self._send(code, obj, sort_keys=True)
            if method == "DELETE" and name:
                return self._send(200, resources.namespace_delete(name)[1], sort_keys=True)
        if method == "GET":
            return self._watch(None, None, query, namespaces=True)
        raise statuses.APIError(405, "MethodNotAllowed", "the server does not allow this method on the requested "
                                "resource", {})

    # ---------------------------------------------------------------------------------- custom resources
    def _custom_resource(self, method, rt, namespace, name, subresource, query, body, identity):
        resources = self.app.resources
        content_type = self.headers.get("Content-Type", "")
        if method == "GET" and name is None and _is_watch(query):
            self._authorize(identity, "watch", rt.plural, rt.group, namespace)
            return self._watch(rt, namespace, query)
        verb = {"GET": "get" if name else "list", "POST": "create", "PUT": "update", "PATCH": "patch",
                "DELETE": "delete" if name else "deletecollection"}[method]
        resource_label = rt.plural + ("/" + subresource if subresource else "")
        self._authorize(identity, verb, resource_label, rt.group, namespace, name)
        if method == "POST" and (name is not None or namespace is None):
            raise statuses.APIError(405, "MethodNotAllowed", "the server does not allow this method on the "
                                    "requested resource", {})
        if method in ("PUT", "PATCH") and name is None:
            raise statuses.APIError(405, "MethodNotAllowed", "the server does not allow this method on the "
                                    "requested resource", {})
        with self.app.store.condition:
            if method == "GET" and name:
                result = resources.get(rt, namespace, name)
            elif method == "GET":
                result = resources.list(rt, namespace, query)
            elif method == "POST":
                result = resources.create(rt, namespace, parse_body(body, content_type), query,
                                          self.headers.get("User-Agent"))
            elif method == "PUT":
                result = resources.update(rt, namespace, name, parse_body(body, content_type), query,
                                          self.headers.get("User-Agent"), subresource)
            elif method == "PATCH":
                result = resources.patch(rt, namespace, name, body, content_type, query,
                                         self.headers.get("User-Agent"), subresource)
            elif name:
                options = parse_body(body, content_type) if body.strip() else None
                result = resources.delete(rt, namespace, name, options if isinstance(options, dict) else None,
                                          query)
            else:
                result = resources.delete_collection(rt, namespace, query)
        code, payload, warnings = result
        if method == "GET" and "as=Table" in self.headers.get("Accept", ""):
            payload = resources.table(rt, payload, query.get("includeObject", "Metadata"))
        return self._send(code, payload, sort_keys=payload.get("kind") != "Status", warnings=warnings)

    # ---------------------------------------------------------------------------------------------- watch
    def _watch(self, rt, namespace, query, namespaces=False):
        store = self.app.store
        type_key = "v1/namespaces" if namespaces else rt.key
        matcher = object_matcher(query.get("labelSelector"), query.get("fieldSelector"))
        bookmarks = query.get("allowWatchBookmarks") in ("true", "1")
        try:
            timeout = float(query.get("timeoutSeconds") or 1800)
        except ValueError:
            raise statuses.bad_request("invalid timeoutSeconds")
        deadline = time.monotonic() + timeout
        bookmark_interval = self.app.options.bookmark_interval_ms / 1000.0
        cut_after = self.app.faults.take_watch_cut()
        requested = query.get("resourceVersion", "")
        if requested not in ("", "0") and not requested.isdigit():
            raise statuses.bad_request('invalid resource version: strconv.ParseUint: parsing "%s": invalid syntax'
                                       % requested)
        initial = []
        with store.condition:
            epoch = store.closed_watch_epoch
            if requested in ("", "0"):
                initial = [("ADDED", o) for o in store.list(type_key, namespace) if matcher(o)]
                cursor = store.rv
            else:
                cursor = int(requested)
            too_old = cursor < store.compacted_rv
            compacted = store.compacted_rv

        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Cache-Control", "no-cache, private")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.log_entry["status"] = 200
        self.close_connection = True
        sent = [0]

        def emit(event_type, obj):
            encoded = json.dumps(obj, sort_keys=event_type != "ERROR", separators=(",", ":"))
            line = ('{"type":%s,"object":%s}\n' % (json.dumps(event_type), encoded)).encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
            self.wfile.flush()
            if event_type in ("ADDED", "MODIFIED", "DELETED"):
                sent[0] += 1
                if cut_after is not None and sent[0] >= cut_after:
                    # Simulate a dropped connection: no terminating chunk.
                    try:
                        self.connection.shutdown(socket.SHUT_RDWR)
                    except OSError:
                        pass
                    raise WatchCut()

        def expired(requested_rv, oldest):
            emit("ERROR", {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                           "message": "too old resource version: %d (%d)" % (requested_rv, oldest),
                           "reason": "Expired", "code": 410})

        if too_old:
            expired(cursor, compacted)
            return self._end_chunks()
        for event_type, obj in initial:
            emit(event_type, obj)
        last_bookmark = time.monotonic()
        while True:
            with store.condition:
                if store.closed_watch_epoch != epoch:
                    break
                if cursor < store.compacted_rv:
                    pending = None
                    oldest = store.compacted_rv
                else:
                    pending = [e for e in store.events if e.rv > cursor and e.type_key == type_key]
                if pending == []:
                    remaining = deadline - time.monotonic()
                    # Wake at least once a second to notice clients that went away.
                    wait = min(remaining, bookmark_interval if bookmarks else 1.0, 1.0)
                    if wait > 0:
                        store.condition.wait(wait)
                    pending = [e for e in store.events if e.rv > cursor and e.type_key == type_key]
                    if cursor < store.compacted_rv:
                        pending = None
                        oldest = store.compacted_rv
                latest = store.rv
            if pending is None:
                expired(cursor, oldest)
                break
            if not pending and self._client_gone():
                return
            for event in pending:
                cursor = event.rv
                if namespace and event.new["metadata"].get("namespace") != namespace:
                    continue
                new_match = matcher(event.new)
                old_match = event.old is not None and matcher(event.old)
                if event.kind == "DELETED":
                    if old_match or new_match:
                        emit("DELETED", event.new)
                elif new_match and (event.kind == "ADDED" or old_match):
                    emit(event.kind, event.new)
                elif new_match:
                    emit("ADDED", event.new)
                elif old_match:
                    emit("DELETED", event.new)
            if not pending:
                cursor = max(cursor, latest)
            now = time.monotonic()
            if now >= deadline:
                break
            if bookmarks and now - last_bookmark >= bookmark_interval:
                kind = "Namespace" if namespaces else rt.kind
                api_version = "v1" if namespaces else rt.api_version
                emit("BOOKMARK", {"apiVersion": api_version, "kind": kind,
                                  "metadata": {"resourceVersion": str(cursor)}})
                last_bookmark = now
        self._end_chunks()

    def _client_gone(self):
        """A watch client sends nothing; anything readable (EOF or close_notify) means it has gone."""
        try:
            readable, _, _ = select.select([self.connection], [], [], 0)
            return bool(readable)
        except (OSError, ValueError):
            return True

    def _end_chunks(self):
        try:
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except OSError:
            pass

    # -------------------------------------------------------------------------------------- control API
    def _control(self, method, path, query, body):
        app = self.app
        try:
            payload = json.loads(body) if body.strip() else {}
        except ValueError as error:
            return self._send(400, {"error": "control body is not JSON: %s" % error})
        try:
            if path == "/_test/faults" and method == "POST":
                app.faults.update(payload)
                return self._send(200, app.faults.describe())
            if path == "/_test/faults" and method == "GET":
                return self._send(200, app.faults.describe())
            if path == "/_test/reset" and method == "POST":
                app.faults.clear()
                app.requests.clear()
                app.store.reset()
                if app.controllers is not None:
                    app.controllers.hold_after_progress([])
                    app.controllers.clear_writes()
                return self._send(200, {"resourceVersion": str(app.store.rv)})
            if path == "/_test/requests" and method == "GET":
                return self._send(200, app.requests.snapshot())
            if path == "/_test/requests" and method == "DELETE":
                app.requests.clear()
                return self._send(200, [])
            if path == "/_test/compact" and method == "POST":
                app.store.compact()
                return self._send(200, {"resourceVersion": str(app.store.rv)})
            if path == "/_test/objects" and method == "POST":
                objects = payload.get("objects", payload) if isinstance(payload, dict) else payload
                created = 0
                with app.store.condition:
                    for obj in objects:
                        rt = app.resources.kinds.get(obj.get("kind"))
                        if rt is None:
                            return self._send(400, {"error": "unknown kind %r" % obj.get("kind")})
                        app.resources.seed(rt, obj, payload.get("manager", "kube-test-server")
                                           if isinstance(payload, dict) else "kube-test-server")
                        created += 1
                    rv = app.store.rv
                return self._send(200, {"created": created, "resourceVersion": str(rv)})
            if path == "/_test/status" and method == "POST":
                rt = app.resources.kinds.get(payload.get("kind")) or app.resources.types.get(payload.get("resource"))
                if rt is None:
                    return self._send(400, {"error": "give kind (OCIRepository, Kustomization) or resource"})
                with app.store.condition:
                    obj = app.resources.write_status(rt, payload.get("namespace", "flux-system"), payload["name"],
                                                     payload.get("status") or {}, bool(payload.get("merge")))
                return self._send(200, obj, sort_keys=True)
            if path == "/_test/controllers" and method == "POST":
                if app.controllers is None:
                    return self._send(409, {"error": "the server runs without --controllers"})
                if "reactionDelayMs" in payload:
                    app.controllers.set_reaction_delay(payload["reactionDelayMs"])
                if "holdAfterProgress" in payload:
                    app.controllers.hold_after_progress(payload["holdAfterProgress"])
                return self._send(200, {"reactionDelayMs": app.controllers.reaction_delay_ms,
                                        "holdAfterProgress": sorted(app.controllers.held_kinds)})
            if path == "/_test/status-writes" and method == "GET":
                return self._send(200, app.controllers.writes() if app.controllers else [])
            if path == "/_test/status-writes" and method == "DELETE":
                if app.controllers:
                    app.controllers.clear_writes()
                return self._send(200, [])
            if path == "/_test/state" and method == "GET":
                with app.store.condition:
                    return self._send(200, {"resourceVersion": str(app.store.rv),
                                            "compactedResourceVersion": str(app.store.compacted_rv),
                                            "objects": len(app.store.objects),
                                            "threads": threading.active_count(),
                                            "activeRequests": app.active_requests})
        except statuses.APIError as error:
            return self._send_error(error)
        except (KeyError, TypeError, ValueError) as error:
            return self._send(400, {"error": "bad control request: %r" % error})
        return self._send(404, {"error": "no control endpoint %s %s" % (method, path)})


def _is_watch(query):
    return query.get("watch") in ("1", "true", "True")


def find_crd_dir(explicit):
    if explicit:
        return explicit
    directory = os.path.abspath(os.path.join(HERE, "..", "..", "Fixtures", "flux-crds"))
    if not os.path.isdir(directory):
        raise SystemExit(f"kube-test-server: Flux CRD directory {directory} is missing; pass --crd-dir")
    return directory


class APIServer(ThreadingHTTPServer):
    """One thread per connection: the TLS handshake, then HTTP/2 (ALPN h2) through h2frontend or HTTP/1.1."""

    request_queue_size = 128
    daemon_threads = True

    def finish_request(self, request, client_address):
        # Headers and body go out in separate writes; without TCP_NODELAY, Nagle + delayed ACK add ~40 ms each.
        request.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        request.do_handshake()
        if request.selected_alpn_protocol() == "h2":
            h2frontend.serve(request, client_address, self)
        else:
            self.RequestHandlerClass(request, client_address, self)


def main(argv=None):
    parser = argparse.ArgumentParser(description="kube-apiserver test double")
    parser.add_argument("--state-dir", required=True)
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--crd-dir")
    parser.add_argument("--flux-version", choices=["v1", "v1beta2", "none"], default="v1")
    parser.add_argument("--controllers", action="store_true")
    parser.add_argument("--reaction-delay-ms", type=int, default=0)
    parser.add_argument("--event-window", type=int, default=1000)
    parser.add_argument("--bookmark-interval-ms", type=int, default=1000)
    parser.add_argument("--parent-pid", type=int)
    parser.add_argument("--verbose", action="store_true")
    parser.add_argument("--http1-only", action="store_true", help="offer only http/1.1 in ALPN (no HTTP/2)")
    options = parser.parse_args(argv)

    os.makedirs(options.state_dir, exist_ok=True)
    ready_path = os.path.join(options.state_dir, "ready.json")
    if os.path.exists(ready_path):
        os.remove(ready_path)
    types = [] if options.flux_version == "none" else schemas.load_crds(find_crd_dir(options.crd_dir),
                                                                        options.flux_version)
    paths = certs.generate(options.state_dir)
    app = App(options, types)

    handler = type("BoundHandler", (Handler,), {"app": app})
    server = APIServer(("127.0.0.1", options.port), handler)
    if not options.verbose:
        # TLS handshakes that clients abort (e.g. an untrusted CA) are expected in tests; keep the log quiet.
        server.handle_error = lambda request, client_address: None
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(paths["server_cert"], paths["server_key"])
    context.load_verify_locations(paths["ca"])
    context.verify_mode = ssl.CERT_OPTIONAL
    # As kube-apiserver: HTTP/2 when the client offers h2, else HTTP/1.1.
    context.set_alpn_protocols(["http/1.1"] if options.http1_only else ["h2", "http/1.1"])
    server.socket = context.wrap_socket(server.socket, server_side=True, do_handshake_on_connect=False)
    app.port = server.server_address[1]
    certs.write_kubeconfig(options.state_dir, app.port, paths)
    if app.controllers is not None:
        app.controllers.start()

    def stop(*_):
        threading.Thread(target=server.shutdown, daemon=True).start()

    # A parent may hand down a blocked signal mask (Foundation's Process does); stop must still work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    if options.parent_pid:
        def watch_parent():
            while True:
                try:
                    os.kill(options.parent_pid, 0)
                except OSError:
                    stop()
                    return
                time.sleep(1)
        threading.Thread(target=watch_parent, daemon=True).start()

    temporary = ready_path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump({"port": app.port, "pid": os.getpid()}, handle)
    os.replace(temporary, ready_path)
    try:
        server.serve_forever(poll_interval=0.2)
    finally:
        server.server_close()


if __name__ == "__main__":
    main()
