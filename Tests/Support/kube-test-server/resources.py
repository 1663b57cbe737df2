"""Create / read / update / patch / apply / delete / list for custom resources and namespaces.

Every operation returns (status code, body, warnings) or raises statuses.APIError. The caller holds the store
lock for the whole operation, so each request sees and writes one consistent state.
"""
import base64
import copy
import datetime
import json
import random
import uuid

import yaml

import schema as schemas
import statuses
from fieldmanager import ManagedFields, format_path, tracked
from kube_selectors import object_matcher
from store import NAMESPACES, now_rfc3339

NAME_COLUMN_DESCRIPTION = (
    "Name must be unique within a namespace. Is required when creating resources, although some resources may "
    "allow a client to request the generation of an appropriate name automatically. Name is primarily intended "
    "for creation idempotence and configuration definition. Cannot be updated. More info: "
    "https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names")

SERVER_OWNED_METADATA = ("uid", "creationTimestamp", "generation", "resourceVersion", "managedFields",
                         "deletionTimestamp", "deletionGracePeriodSeconds", "selfLink")


def parse_body(raw, content_type):
    """JSON or YAML object from a request body; 400 like the apiserver when it is neither."""
    if raw is None or not raw.strip():
        raise statuses.bad_request("the body of the request was empty")
    text = raw.decode("utf-8", errors="replace")
    try:
        if "yaml" in (content_type or ""):
            return yaml.safe_load(text)
        return json.loads(text)
    except (ValueError, yaml.YAMLError) as error:
        raise statuses.bad_request("couldn't get version/kind; json parse error: %s" % error)


def manager_from(query, user_agent):
    if query.get("fieldManager"):
        return query["fieldManager"]
    return (user_agent or "unknown").split("/")[0] or "unknown"


def spec_part(obj):
    return {k: v for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata", "status")}


def comparable(obj):
    clone = copy.deepcopy(obj)
    clone.get("metadata", {}).pop("resourceVersion", None)
    clone.get("metadata", {}).pop("managedFields", None)
    return clone


def human_age(timestamp, now=None):
    """apimachinery's duration.HumanDuration of now - timestamp, as kubectl shows in AGE."""
    try:
        then = datetime.datetime.strptime(timestamp, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    except (TypeError, ValueError):
        return None
    seconds = int(((now or datetime.datetime.now(datetime.timezone.utc)) - then).total_seconds())
    if seconds < -1:
        return "<invalid>"
    if seconds < 0:
        return "0s"
    if seconds < 120:
        return "%ds" % seconds
    minutes = seconds // 60
    if minutes < 10:
        return "%dm%ds" % (minutes, seconds % 60) if seconds % 60 else "%dm" % minutes
    if minutes < 180:
        return "%dm" % minutes
    hours = minutes // 60
    if hours < 8:
        return "%dh%dm" % (hours, minutes % 60) if minutes % 60 else "%dh" % hours
    if hours < 48:
        return "%dh" % hours
    days = hours // 24
    if hours < 192:
        return "%dd%dh" % (days, hours % 24) if hours % 24 else "%dd" % days
    if days < 365 * 2:
        return "%dd" % days
    years = days // 365
    if years < 8:
        return "%dy%dd" % (years, days % 365) if days % 365 else "%dy" % years
    return "%dy" % years


def encode_continue(rv, start):
    payload = json.dumps({"v": "meta.k8s.io/v1", "rv": rv, "start": start}, separators=(",", ":"))
    return base64.urlsafe_b64encode(payload.encode()).decode().rstrip("=")


def decode_continue(token):
    try:
        padded = token + "=" * (-len(token) % 4)
        payload = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        return int(payload["rv"]), str(payload["start"])
    except (ValueError, KeyError, TypeError):
        raise statuses.bad_request("continue key is not valid: incorrect encoded start resourceVersion "
                                   "(version meta.k8s.io/v1)")


def _random_suffix():
    return "".join(random.choice("bcdfghjklmnpqrstvwxz2456789") for _ in range(5))


class Resources:
    def __init__(self, store, resource_types):
        self.store = store
        self.types = {t.plural: t for t in resource_types}
        self.kinds = {t.kind: t for t in resource_types}

    # ------------------------------------------------------------------------------------------- helpers
    def _missing(self, rt, name):
        return statuses.not_found(rt.plural, rt.group, name)

    def _check_kind(self, rt, body):
        if not isinstance(body, dict):
            raise statuses.bad_request("Object 'Kind' is missing in '%s'" % json.dumps(body)[:200])
        if body.get("kind") != rt.kind or body.get("apiVersion") != rt.api_version:
            if not body.get("kind"):
                raise statuses.bad_request("Object 'Kind' is missing in '%s'" % json.dumps(body)[:200])
            raise statuses.bad_request("the API version in the data (%s) does not match the expected API version "
                                       "(%s)" % (body.get("apiVersion"), rt.api_version)
                                       if body.get("kind") == rt.kind else
                                       "%s in version \"%s\" cannot be handled as a %s: the kind in the data (%s) "
                                       "does not match the expected kind" % (rt.kind, rt.version, rt.kind,
                                                                              body.get("kind")))

    def _prune(self, rt, obj, field_validation, warnings):
        unknown = schemas.prune(obj, rt.schema)
        if unknown:
            if field_validation == "Strict":
                raise statuses.bad_request(
                    '%s in version "%s" cannot be handled as a %s: strict decoding error: %s' % (
                        rt.kind, rt.version, rt.kind, ", ".join('unknown field "%s"' % u for u in unknown)))
            if field_validation != "Ignore":
                warnings.extend('unknown field "%s"' % u for u in unknown)

    def _validate(self, rt, obj):
        errors = schemas.validate_object(rt, obj)
        if errors:
            raise statuses.invalid(rt.kind, rt.group, obj.get("metadata", {}).get("name", ""), errors)

    def _finish(self, rt, obj):
        obj.setdefault("apiVersion", rt.api_version)
        obj.setdefault("kind", rt.kind)
        schemas.apply_defaults(obj, rt.schema)

    def _check_field_validation(self, query):
        value = query.get("fieldValidation", "Warn") or "Warn"
        if value not in ("Ignore", "Warn", "Strict"):
            raise statuses.bad_request('fieldValidation parameter unsupported: "%s". Supported values: "Ignore", '
                                       '"Warn", "Strict"' % value)
        return value

    def _dry_run(self, query):
        value = query.get("dryRun")
        if value and value != "All":
            raise statuses.bad_request('dryRun: Unsupported value: "%s": supported values: "All"' % value)
        return value == "All"

    def _commit(self, rt, existing, candidate, manager, subresource, dry_run, managed=None):
        """Stores a changed object with bookkeeping; returns what the client sees."""
        metadata = candidate["metadata"]
        old_metadata = existing["metadata"]
        for key in ("uid", "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds"):
            if key in old_metadata:
                metadata[key] = old_metadata[key]
            else:
                metadata.pop(key, None)
        metadata["generation"] = old_metadata.get("generation", 1)
        metadata["resourceVersion"] = old_metadata.get("resourceVersion")
        metadata["managedFields"] = old_metadata.get("managedFields", [])
        if spec_part(candidate) != spec_part(existing):
            metadata["generation"] = metadata["generation"] + 1
        if managed is None:
            # An update that changes nothing is not written: same resourceVersion, no event.
            if comparable(candidate) == comparable(existing):
                return existing
            managed = ManagedFields(old_metadata.get("managedFields"))
            managed.record_update(manager, subresource, existing, candidate, rt.api_version, now_rfc3339())
        metadata["managedFields"] = managed.render()
        if dry_run:
            return candidate
        metadata["resourceVersion"] = str(self.store.next_rv())
        if metadata.get("deletionTimestamp") and not metadata.get("finalizers"):
            self.store.put(rt.key, candidate, existing)
            return self.store.remove(rt.key, candidate)
        self.store.put(rt.key, candidate, existing)
        return candidate

    # --------------------------------------------------------------------------------------------- create
    def create(self, rt, namespace, body, query, user_agent):
        warnings = []
        field_validation = self._check_field_validation(query)
        dry_run = self._dry_run(query)
        self._check_kind(rt, body)
        obj = copy.deepcopy(body)
        metadata = obj.setdefault("metadata", {})
        if not isinstance(metadata, dict):
            raise statuses.bad_request("metadata must be an object")
        if metadata.get("namespace") and metadata["namespace"] != namespace:
            raise statuses.bad_request("the namespace of the provided object does not match the namespace sent on "
                                       "the request")
        metadata["namespace"] = namespace
        if not metadata.get("name") and metadata.get("generateName"):
            metadata["name"] = metadata["generateName"] + _random_suffix()
        if metadata.get("resourceVersion"):
            # What kubectl users see when they create from a `get -o yaml` copy.
            problem = "resourceVersion should not be set on objects to be created"
            raise statuses.APIError(500, "InternalError", "Internal error occurred: " + problem,
                                    {"causes": [{"message": problem}]})
        for key in SERVER_OWNED_METADATA:
            metadata.pop(key, None)
        obj.pop("status", None)   # status is a subresource: ignored on create
        self._prune(rt, obj, field_validation, warnings)
        self._finish(rt, obj)
        self._validate(rt, obj)
        if not self.store.namespace_exists(namespace):
            raise statuses.not_found("namespaces", "", namespace)
        if self.store.get(rt.key, namespace, metadata["name"]) is not None:
            raise statuses.already_exists(rt.plural, rt.group, metadata["name"])
        return 201, self._store_new(rt, obj, manager_from(query, user_agent), dry_run, "Update"), warnings

    def _store_new(self, rt, obj, manager, dry_run, operation, applied_view=None):
        metadata = obj["metadata"]
        metadata["uid"] = str(uuid.uuid4())
        metadata["creationTimestamp"] = now_rfc3339()
        metadata["generation"] = 1
        managed = ManagedFields([])
        if operation == "Apply":
            managed.record_apply(manager, applied_view, {}, rt.api_version, metadata["creationTimestamp"],
                                 tracked(obj, None))
        else:
            managed.record_update(manager, None, None, obj, rt.api_version, metadata["creationTimestamp"])
        metadata["managedFields"] = managed.render()
        if dry_run:
            return obj
        metadata["resourceVersion"] = str(self.store.next_rv())
        self.store.put(rt.key, obj, None)
        return obj

    def seed(self, rt, obj, manager="kube-test-server"):
        """Stores an object as if created, without validation (for /_test/objects)."""
        obj = copy.deepcopy(obj)
        metadata = obj.setdefault("metadata", {})
        namespace = metadata.setdefault("namespace", "default")
        if not self.store.namespace_exists(namespace):
            self.store._create_namespace(namespace)
        status = obj.pop("status", None)
        for key in SERVER_OWNED_METADATA:
            metadata.pop(key, None)
        self._finish(rt, obj)
        if status is not None:
            obj["status"] = status
        existing = self.store.get(rt.key, namespace, metadata["name"])
        if existing is not None:
            self.store.remove(rt.key, existing)
        return self._store_new(rt, obj, manager, False, "Update")

    # ------------------------------------------------------------------------------------------------ get
    def get(self, rt, namespace, name):
        obj = self.store.get(rt.key, namespace, name)
        if obj is None:
            raise self._missing(rt, name)
        return 200, obj, []

    # ------------------------------------------------------------------------------------------------ list
    def list(self, rt, namespace, query):
        matcher = object_matcher(query.get("labelSelector"), query.get("fieldSelector"))
        limit = int(query.get("limit") or 0) if str(query.get("limit") or "0").isdigit() else 0
        token = query.get("continue")
        scope = namespace or ""

        def key_of(obj):
            metadata = obj["metadata"]
            return metadata["name"] if namespace else "%s/%s" % (metadata.get("namespace", ""), metadata["name"])

        if token:
            list_rv, start = decode_continue(token)
            if list_rv < self.store.compacted_rv:
                raise statuses.expired(statuses.CONTINUE_EXPIRED,
                                       {"continue": encode_continue(-1, start)})
            items = self.store.snapshot((rt.key, scope, list_rv))
            if items is None:
                items = self.store.list(rt.key, namespace)
            items = [o for o in items if key_of(o) >= start]
        else:
            list_rv = self.store.rv
            items = self.store.list(rt.key, namespace)
        items = [o for o in items if matcher(o)]
        metadata = {"continue": "", "resourceVersion": str(list_rv)}
        if limit and len(items) > limit:
            page, rest = items[:limit], items[limit:]
            if not token:
                self.store.save_snapshot((rt.key, scope, list_rv), self.store.list(rt.key, namespace))
            metadata["continue"] = encode_continue(list_rv, key_of(page[-1]) + "\u0000")
            if not query.get("labelSelector") and not query.get("fieldSelector"):
                metadata["remainingItemCount"] = len(rest)
            items = page
        return 200, {"apiVersion": rt.api_version, "items": items, "kind": rt.list_kind, "metadata": metadata}, []

    def table(self, rt, listing, include_object):
        """Turns a list body (or one object) into a meta.k8s.io/v1 Table like 18-list-table.json."""
        columns = [{"name": "Name", "type": "string", "format": "name", "description": NAME_COLUMN_DESCRIPTION,
                    "priority": 0}]
        for column in rt.printer_columns:
            columns.append({"name": column["name"], "type": column.get("type", "string"),
                            "format": column.get("format", ""),
                            "description": column.get("description") or
                            "Custom resource definition column (in JSONPath format): %s" % column["jsonPath"],
                            "priority": column.get("priority", 0)})
        objects = listing["items"] if "items" in listing else [listing]
        rows = []
        for obj in objects:
            cells = [obj["metadata"]["name"]]
            for column in rt.printer_columns:
                value = schemas.json_path(obj, column["jsonPath"])
                if column.get("type") == "date" and value is not None:
                    value = human_age(value)
                cells.append(value)
            row = {"cells": cells}
            if include_object == "Object":
                row["object"] = obj
            elif include_object != "None":
                row["object"] = {"kind": "PartialObjectMetadata", "apiVersion": "meta.k8s.io/v1",
                                 "metadata": obj["metadata"]}
            rows.append(row)
        metadata = {"resourceVersion": (listing.get("metadata") or {}).get("resourceVersion", "")}
        if listing.get("metadata", {}).get("continue") and "items" in listing:
            metadata["continue"] = listing["metadata"]["continue"]
        if "remainingItemCount" in listing.get("metadata", {}) and "items" in listing:
            metadata["remainingItemCount"] = listing["metadata"]["remainingItemCount"]
        return {"kind": "Table", "apiVersion": "meta.k8s.io/v1", "metadata": metadata,
                "columnDefinitions": columns, "rows": rows}

    # ---------------------------------------------------------------------------------------- update (PUT)
    def update(self, rt, namespace, name, body, query, user_agent, subresource=None):
        warnings = []
        field_validation = self._check_field_validation(query)
        dry_run = self._dry_run(query)
        self._check_kind(rt, body)
        existing = self.store.get(rt.key, namespace, name)
        metadata = body.get("metadata") if isinstance(body.get("metadata"), dict) else {}
        if metadata.get("name") and metadata["name"] != name:
            raise statuses.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                       % (metadata["name"], name))
        if metadata.get("namespace") and metadata["namespace"] != namespace:
            raise statuses.bad_request("the namespace of the provided object does not match the namespace sent on "
                                       "the request")
        if existing is None:
            raise self._missing(rt, name)
        if not metadata.get("resourceVersion"):
            raise statuses.invalid(rt.kind, rt.group, name, [(
                "metadata.resourceVersion", "FieldValueInvalid",
                "Invalid value: 0x0: must be specified for an update")])
        if metadata["resourceVersion"] != existing["metadata"]["resourceVersion"]:
            raise statuses.conflict(rt.plural, rt.group, name)
        candidate = self._replacement(existing, body, subresource)
        self._prune(rt, candidate, field_validation, warnings)
        self._finish(rt, candidate)
        self._validate(rt, candidate)
        result = self._commit(rt, existing, candidate, manager_from(query, user_agent), subresource, dry_run)
        return 200, result, warnings

    @staticmethod
    def _replacement(existing, body, subresource):
        """The object a write proposes: status only for /status, everything but status otherwise."""
        if subresource == "status":
            candidate = copy.deepcopy(existing)
            if "status" in body:
                candidate["status"] = copy.deepcopy(body["status"])
            else:
                candidate.pop("status", None)
            return candidate
        candidate = copy.deepcopy(body)
        metadata = candidate.setdefault("metadata", {})
        metadata["name"] = existing["metadata"]["name"]
        metadata["namespace"] = existing["metadata"].get("namespace", "")
        if "status" in existing:
            candidate["status"] = copy.deepcopy(existing["status"])
        else:
            candidate.pop("status", None)
        return candidate

    # ---------------------------------------------------------------------------------------------- patch
    def patch(self, rt, namespace, name, body_bytes, content_type, query, user_agent, subresource=None):
        media_type = (content_type or "").split(";")[0].strip().lower()
        if media_type == "application/apply-patch+yaml":
            return self.apply(rt, namespace, name, body_bytes, query, subresource)
        if media_type not in ("application/merge-patch+json", "application/json-patch+json"):
            raise statuses.unsupported_patch_type()
        if "force" in query:
            raise statuses.invalid("PatchOptions", "meta.k8s.io", "", [(
                "force", "FieldValueForbidden", "Forbidden: may not be specified for non-apply patch")])
        warnings = []
        field_validation = self._check_field_validation(query)
        dry_run = self._dry_run(query)
        try:
            patch = json.loads(body_bytes.decode("utf-8")) if body_bytes else None
        except ValueError as error:
            raise statuses.bad_request("error decoding patch: %s" % error)
        existing = self.store.get(rt.key, namespace, name)
        if existing is None:
            raise self._missing(rt, name)
        from patches import JSONPatchError, json_patch, merge_patch
        if media_type == "application/merge-patch+json":
            if not isinstance(patch, dict):
                raise statuses.bad_request("error decoding patch: a merge patch must be a JSON object")
            patched = merge_patch(existing, patch)
        else:
            try:
                patched = json_patch(existing, patch)
            except JSONPatchError:
                raise statuses.generic_invalid()
        if not isinstance(patched, dict):
            raise statuses.generic_invalid()
        patched_metadata = patched.get("metadata") or {}
        if patched_metadata.get("resourceVersion") != existing["metadata"]["resourceVersion"]:
            raise statuses.conflict(rt.plural, rt.group, name)
        if patched_metadata.get("name") != name:
            raise statuses.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                       % (patched_metadata.get("name"), name))
        candidate = self._replacement(existing, patched, subresource)
        self._prune(rt, candidate, field_validation, warnings)
        self._finish(rt, candidate)
        self._validate(rt, candidate)
        return 200, self._commit(rt, existing, candidate, manager_from(query, user_agent), subresource,
                                 dry_run), warnings

    # ---------------------------------------------------------------------------------------------- apply
    def apply(self, rt, namespace, name, body_bytes, query, subresource=None):
        manager = query.get("fieldManager")
        if not manager:
            raise statuses.invalid("PatchOptions", "meta.k8s.io", "", [(
                "fieldManager", "FieldValueRequired", "Required value: is required for apply patch")])
        force = query.get("force", "false") == "true"
        warnings = []
        field_validation = self._check_field_validation(query)
        dry_run = self._dry_run(query)
        config = parse_body(body_bytes, "application/yaml")
        self._check_kind(rt, config)
        config = copy.deepcopy(config)
        metadata = config.setdefault("metadata", {})
        if metadata.get("name") and metadata["name"] != name:
            raise statuses.bad_request("the name of the object (%s) does not match the name on the URL (%s)"
                                       % (metadata["name"], name))
        if metadata.get("namespace") and metadata["namespace"] != namespace:
            raise statuses.bad_request("the namespace of the provided object does not match the namespace sent on "
                                       "the request")
        metadata["name"] = name
        metadata["namespace"] = namespace
        precondition = metadata.get("resourceVersion")
        for key in SERVER_OWNED_METADATA:
            metadata.pop(key, None)
        self._prune(rt, config, field_validation, warnings)
        applied_view = tracked(config, subresource)
        existing = self.store.get(rt.key, namespace, name)
        if existing is None:
            if subresource == "status":
                raise self._missing(rt, name)
            obj = copy.deepcopy(config)
            obj.pop("status", None)
            applied_view = tracked(obj, None)
            self._finish(rt, obj)
            self._validate(rt, obj)
            if not self.store.namespace_exists(namespace):
                raise statuses.not_found("namespaces", "", namespace)
            return 201, self._store_new(rt, obj, manager, dry_run, "Apply", applied_view), warnings

        if precondition and precondition != existing["metadata"]["resourceVersion"]:
            raise statuses.conflict(rt.plural, rt.group, name)
        managed = ManagedFields(existing["metadata"].get("managedFields"))
        live_view = tracked(existing, subresource)
        conflicts = managed.conflicts(manager, applied_view, live_view, subresource)
        if conflicts and not force:
            raise self._apply_conflict(conflicts)
        merged_view = _deep_merge(live_view, applied_view)
        # Fields this manager applied before, no longer in its config, and owned by nobody else are removed.
        from fieldmanager import leaves
        dropped = (managed.previous_apply_set(manager, subresource) - leaves(applied_view)
                   - managed.owned_by_others(manager, subresource))
        for path in sorted(dropped, key=len, reverse=True):
            _delete_path(merged_view, path)
        candidate = copy.deepcopy(existing)
        if subresource == "status":
            candidate["status"] = merged_view.get("status", {})
        else:
            for key in list(candidate):
                if key not in ("apiVersion", "kind", "metadata", "status"):
                    del candidate[key]
            for key in ("labels", "annotations", "finalizers", "ownerReferences"):
                candidate["metadata"].pop(key, None)
            for key, value in merged_view.items():
                if key == "metadata":
                    candidate["metadata"].update(value)
                else:
                    candidate[key] = value
        self._finish(rt, candidate)
        self._validate(rt, candidate)
        now = now_rfc3339()
        before = managed.render()
        managed.record_apply(manager, applied_view, live_view, rt.api_version, now,
                             tracked(candidate, subresource), subresource)
        if _strip_times(managed.render()) == _strip_times(before) and \
                comparable(candidate) == comparable(existing):
            return 200, existing, warnings
        return 200, self._commit(rt, existing, candidate, manager, subresource, dry_run, managed), warnings

    @staticmethod
    def _apply_conflict(conflicts):
        count = len(conflicts)
        if count == 1:
            label, path = conflicts[0]
            summary = "conflict with %s: %s" % (label, format_path(path))
        else:
            by_manager = {}
            for label, path in conflicts:
                by_manager.setdefault(label, []).append(format_path(path))
            lines = []
            for label in sorted(by_manager):
                lines.append("conflicts with %s:" % label)
                lines.extend("- %s" % p for p in by_manager[label])
            summary = "\n".join(lines)
        causes = [{"reason": "FieldManagerConflict", "message": "conflict with %s" % label,
                   "field": format_path(path)} for label, path in conflicts]
        return statuses.APIError(409, "Conflict", "Apply failed with %d conflict%s: %s"
                                 % (count, "s" if count > 1 else "", summary), {"causes": causes})

    # --------------------------------------------------------------------------------------------- delete
    def delete(self, rt, namespace, name, body, query):
        dry_run = self._dry_run(query)
        existing = self.store.get(rt.key, namespace, name)
        if existing is None:
            raise self._missing(rt, name)
        preconditions = (body or {}).get("preconditions") or {}
        for field, actual in (("resourceVersion", existing["metadata"]["resourceVersion"]),
                              ("uid", existing["metadata"]["uid"])):
            wanted = preconditions.get(field)
            if wanted and wanted != actual:
                label = "ResourceVersion" if field == "resourceVersion" else "UID"
                error = statuses.conflict(rt.plural, rt.group, name)
                error.message = ('Operation cannot be fulfilled on %s "%s": Precondition failed: %s in precondition: '
                                 '%s, %s in object meta: %s' % (statuses.qualified(rt.plural, rt.group), name,
                                                                 label, wanted, label, actual))
                raise error
        if existing["metadata"].get("finalizers"):
            if existing["metadata"].get("deletionTimestamp"):
                return 200, existing, []
            candidate = copy.deepcopy(existing)
            candidate["metadata"]["deletionTimestamp"] = now_rfc3339()
            candidate["metadata"]["deletionGracePeriodSeconds"] = 0
            # kube-apiserver bumps generation when it marks an object for deletion.
            candidate["metadata"]["generation"] = candidate["metadata"].get("generation", 1) + 1
            if dry_run:
                return 200, candidate, []
            candidate["metadata"]["resourceVersion"] = str(self.store.next_rv())
            self.store.put(rt.key, candidate, existing)
            return 200, candidate, []
        if not dry_run:
            self.store.remove(rt.key, existing)
        return 200, {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Success",
                     "details": {"name": name, "group": rt.group, "kind": rt.plural,
                                 "uid": existing["metadata"]["uid"]}}, []

    def delete_collection(self, rt, namespace, query):
        dry_run = self._dry_run(query)
        matcher = object_matcher(query.get("labelSelector"), query.get("fieldSelector"))
        deleted = []
        for obj in self.store.list(rt.key, namespace):
            if matcher(obj):
                deleted.append(obj)
                if not dry_run:
                    self.store.remove(rt.key, obj)
        return 200, {"apiVersion": rt.api_version, "items": deleted, "kind": rt.list_kind,
                     "metadata": {"continue": "", "resourceVersion": str(self.store.rv)}}, []

    # ------------------------------------------------------------------------------------------ status write
    def write_status(self, rt, namespace, name, status, merge=False):
        """What a controller does with PATCH .../status; used by /_test/status and simulated controllers."""
        from patches import merge_patch
        existing = self.store.get(rt.key, namespace, name)
        if existing is None:
            raise self._missing(rt, name)
        candidate = copy.deepcopy(existing)
        candidate["status"] = merge_patch(existing.get("status") or {}, status) if merge else copy.deepcopy(status)
        self._finish(rt, candidate)
        return self._commit(rt, existing, candidate, "kube-test-server-controller", "status", False)

    # ----------------------------------------------------------------------------------------- namespaces
    def namespace_list(self, query):
        matcher = object_matcher(query.get("labelSelector"), query.get("fieldSelector"))
        items = [n for n in self.store.list(NAMESPACES) if matcher(n)]
        return 200, {"kind": "NamespaceList", "apiVersion": "v1",
                     "metadata": {"resourceVersion": str(self.store.rv)}, "items": items}, []

    def namespace_get(self, name):
        namespace = self.store.get(NAMESPACES, "", name)
        if namespace is None:
            raise statuses.not_found("namespaces", "", name)
        return 200, namespace, []

    def namespace_create(self, body, query):
        if not isinstance(body, dict) or body.get("kind") not in (None, "Namespace"):
            raise statuses.bad_request("the body of the request is not a Namespace")
        name = (body.get("metadata") or {}).get("name", "")
        validator = schemas.Validator()
        schemas.validate_name(name, validator, label=True)
        if validator.errors:
            raise statuses.invalid("Namespace", "", name, validator.errors)
        if self.store.namespace_exists(name):
            raise statuses.already_exists("namespaces", "", name)
        if self._dry_run(query):
            return 201, {"kind": "Namespace", "apiVersion": "v1", "metadata": {"name": name},
                         "spec": {"finalizers": ["kubernetes"]}, "status": {"phase": "Active"}}, []
        return 201, self.store._create_namespace(name, (body.get("metadata") or {}).get("labels")), []

    def namespace_delete(self, name):
        namespace = self.store.get(NAMESPACES, "", name)
        if namespace is None:
            raise statuses.not_found("namespaces", "", name)
        for rt in self.types.values():
            for obj in self.store.list(rt.key, name):
                self.store.remove(rt.key, obj)
        deleted = self.store.remove(NAMESPACES, namespace)
        deleted["status"] = {"phase": "Terminating"}
        return 200, deleted, []


def _deep_merge(base, overlay):
    if not isinstance(base, dict) or not isinstance(overlay, dict):
        return copy.deepcopy(overlay)
    merged = copy.deepcopy(base)
    for key, value in overlay.items():
        merged[key] = _deep_merge(merged.get(key), value) if isinstance(value, dict) else copy.deepcopy(value)
    return merged


def _delete_path(value, path):
    node = value
    for key in path[:-1]:
        if not isinstance(node, dict) or key not in node:
            return
        node = node[key]
    if isinstance(node, dict) and path[-1] != ".":
        node.pop(path[-1], None)


def _strip_times(entries):
    return [{k: v for k, v in e.items() if k != "time"} for e in entries]
