"""managedFields bookkeeping: which manager owns which field, for Update and server-side Apply.

A field set is a Python set of path tuples. ("spec", "url") is a leaf; ("spec", "ref", ".") says the manager owns
the map spec.ref itself (written as `".": {}` in fieldsV1). Lists are atomic, as in the Flux CRDs (no list-type
markers), so a list is one leaf.
"""
import copy

TRACKED_METADATA = ("labels", "annotations", "finalizers", "ownerReferences")


def tracked(obj, subresource):
    """The part of an object whose ownership is tracked for the given subresource (None or "status")."""
    if subresource == "status":
        return {"status": copy.deepcopy(obj["status"])} if isinstance(obj.get("status"), dict) else {}
    view = {}
    metadata = {k: v for k, v in (obj.get("metadata") or {}).items() if k in TRACKED_METADATA}
    if metadata:
        view["metadata"] = copy.deepcopy(metadata)
    for key, value in obj.items():
        if key not in ("apiVersion", "kind", "metadata", "status"):
            view[key] = copy.deepcopy(value)
    return view


def leaves(value, prefix=()):
    result = set()
    if isinstance(value, dict) and value:
        for key, child in value.items():
            result |= leaves(child, prefix + (key,))
    elif prefix:
        result.add(prefix)
    return result


def maps(value, prefix=()):
    result = set()
    if isinstance(value, dict):
        if prefix:
            result.add(prefix)
        for key, child in value.items():
            result |= maps(child, prefix + (key,))
    return result


def lookup(value, path):
    for key in path:
        if not isinstance(value, dict) or key not in value:
            return _MISSING
        value = value[key]
    return value


_MISSING = object()


def exists(value, path):
    if path and path[-1] == ".":
        return isinstance(lookup(value, path[:-1]), dict)
    return lookup(value, path) is not _MISSING


def to_fields_v1(field_set):
    root = {}
    for path in sorted(field_set):
        node = root
        for key in path[:-1]:
            node = node.setdefault("f:" + key, {})
        node.setdefault("." if path[-1] == "." else "f:" + path[-1], {})
    return root


def from_fields_v1(fields, prefix=()):
    result = set()
    for key, child in fields.items():
        if key == ".":
            result.add(prefix + (".",))
        elif key.startswith("f:"):
            path = prefix + (key[2:],)
            if child:
                result |= from_fields_v1(child, path)
            else:
                result.add(path)
    return result


class ManagedFields:
    """The managedFields list of one object, as editable sets keyed by (manager, operation, subresource)."""

    def __init__(self, entries):
        self.entries = []
        for entry in entries or []:
            self.entries.append({
                "manager": entry.get("manager", ""),
                "operation": entry.get("operation", "Update"),
                "subresource": entry.get("subresource"),
                "apiVersion": entry.get("apiVersion"),
                "time": entry.get("time"),
                "fields": from_fields_v1(entry.get("fieldsV1") or {}),
            })

    def _entry(self, manager, operation, subresource, api_version, now):
        for entry in self.entries:
            if (entry["manager"], entry["operation"], entry["subresource"]) == (manager, operation, subresource):
                entry["apiVersion"] = api_version
                entry["time"] = now
                return entry
        entry = {"manager": manager, "operation": operation, "subresource": subresource,
                 "apiVersion": api_version, "time": now, "fields": set()}
        self.entries.append(entry)
        return entry

    def _same_scope(self, subresource):
        return [e for e in self.entries if e["subresource"] == subresource]

    def record_update(self, manager, subresource, old_obj, new_obj, api_version, now):
        old_view = tracked(old_obj or {}, subresource)
        new_view = tracked(new_obj, subresource)
        changed = {p for p in leaves(new_view) if lookup(old_view, p) != lookup(new_view, p)}
        created_maps = {p + (".",) for p in maps(new_view)
                        if p != ("metadata",) and not isinstance(lookup(old_view, p), dict)}
        removed = {p for p in leaves(old_view) if lookup(new_view, p) is _MISSING}
        taken = changed | removed
        for entry in self._same_scope(subresource):
            entry["fields"] = {p for p in entry["fields"] if p not in taken}
        if changed or created_maps:
            entry = self._entry(manager, "Update", subresource, api_version, now)
            entry["fields"] |= changed | created_maps
        self._drop_missing(new_view, subresource)

    def conflicts(self, manager, applied_view, live_view, subresource=None):
        """Fields the apply would change that another manager owns: [(manager label, path)]."""
        found = []
        for path in sorted(leaves(applied_view)):
            live_value = lookup(live_view, path)
            if live_value is _MISSING or live_value == lookup(applied_view, path):
                continue
            for entry in self._same_scope(subresource):
                if entry["manager"] == manager and entry["operation"] == "Apply":
                    continue
                if path in entry["fields"]:
                    label = '"%s"' % entry["manager"]
                    if entry["operation"] == "Update":
                        label += " using %s" % entry["apiVersion"]
                    found.append((label, path))
        return found

    def previous_apply_set(self, manager, subresource=None):
        for entry in self.entries:
            if (entry["manager"], entry["operation"], entry["subresource"]) == (manager, "Apply", subresource):
                return set(entry["fields"])
        return set()

    def owned_by_others(self, manager, subresource=None):
        owned = set()
        for entry in self._same_scope(subresource):
            if not (entry["manager"] == manager and entry["operation"] == "Apply"):
                owned |= entry["fields"]
        return owned

    def record_apply(self, manager, applied_view, live_view, api_version, now, new_view, subresource=None):
        applied = leaves(applied_view)
        # Fields whose value the apply changed move to the applier (only possible with force when owned).
        changed = {p for p in applied if lookup(live_view, p) != lookup(applied_view, p)}
        for entry in self._same_scope(subresource):
            if not (entry["manager"] == manager and entry["operation"] == "Apply"):
                entry["fields"] = {p for p in entry["fields"] if p not in changed}
        entry = self._entry(manager, "Apply", subresource, api_version, now)
        entry["fields"] = applied
        self._drop_missing(new_view, subresource)

    def _drop_missing(self, view, subresource):
        for entry in self._same_scope(subresource):
            entry["fields"] = {p for p in entry["fields"] if exists(view, p)}
        self.entries = [e for e in self.entries if e["fields"]]

    def render(self):
        rendered = []
        for entry in self.entries:
            item = {"apiVersion": entry["apiVersion"], "fieldsType": "FieldsV1",
                    "fieldsV1": to_fields_v1(entry["fields"]), "manager": entry["manager"],
                    "operation": entry["operation"]}
            if entry["subresource"]:
                item["subresource"] = entry["subresource"]
            item["time"] = entry["time"]
            rendered.append(item)
        return rendered


def format_path(path):
    return "." + ".".join(path)
