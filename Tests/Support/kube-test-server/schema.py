"""Resource types built from the real Flux CRDs: defaulting, pruning, validation, printer columns.

Validation follows what kube-apiserver v1.28 does for structural schemas: null pruning, unknown-field pruning
(reported as warnings or a strict error), defaulting, then OpenAPI checks with the apiserver's message wording.
x-kubernetes-validations (CEL) rules are evaluated only when they are simple has()/!has() combinations,
which covers every rule in the Flux CRDs here; any other rule is skipped.
"""
import copy
import json
import os
import re

import yaml

# storageVersionHash values as recorded (Tests/Fixtures/kube-api/02, 03); other versions get a stable made-up hash.
STORAGE_VERSION_HASHES = {
    ("source.toolkit.fluxcd.io", "ocirepositories"): "GGgn4oy0Eik=",
    ("kustomize.toolkit.fluxcd.io", "kustomizations"): "GozwzC4McTQ=",
}


class ResourceType:
    def __init__(self, group, version, names, schema, printer_columns, namespaced=True):
        self.group = group
        self.version = version
        self.plural = names["plural"]
        self.singular = names.get("singular", "")
        self.kind = names["kind"]
        self.list_kind = names.get("listKind", self.kind + "List")
        self.short_names = names.get("shortNames", [])
        self.categories = names.get("categories", [])
        self.schema = schema
        self.printer_columns = printer_columns or []
        self.namespaced = namespaced
        self.has_cel_rules = "x-kubernetes-validations" in json.dumps(schema)

    @property
    def api_version(self):
        return "%s/%s" % (self.group, self.version)

    @property
    def key(self):
        return "%s/%s" % (self.group, self.plural)

    def discovery(self):
        main = {"name": self.plural, "singularName": self.singular, "namespaced": self.namespaced,
                "kind": self.kind,
                "verbs": ["delete", "deletecollection", "get", "list", "patch", "create", "update", "watch"]}
        if self.short_names:
            main["shortNames"] = list(self.short_names)
        if self.categories:
            main["categories"] = list(self.categories)
        main["storageVersionHash"] = STORAGE_VERSION_HASHES.get((self.group, self.plural), "dGVzdC1oYXNoMQ=")
        status = {"name": self.plural + "/status", "singularName": "", "namespaced": self.namespaced,
                  "kind": self.kind, "verbs": ["get", "patch", "update"]}
        return [main, status]


def load_crds(crd_dir, served_version):
    """Loads every CRD in crd_dir; "v1beta2" serves OCIRepository as v1beta2 (storage schema), like Flux < 2.6."""
    types = []
    for file_name in sorted(os.listdir(crd_dir)):
        if not file_name.endswith((".yaml", ".yml")):
            continue
        with open(os.path.join(crd_dir, file_name)) as handle:
            for document in yaml.safe_load_all(handle):
                if not document or document.get("kind") != "CustomResourceDefinition":
                    continue
                spec = document["spec"]
                versions = spec["versions"]
                version = served_version
                if served_version == "v1beta2" and spec["group"] != "source.toolkit.fluxcd.io":
                    # Flux 2.0-2.5 served OCIRepository only as v1beta2 but Kustomization already as v1.
                    version = "v1"
                chosen = next((v for v in versions if v["name"] == version), None)
                if chosen is None:
                    # Older Flux served the same shape under v1beta2; reuse the storage version's schema.
                    chosen = next(v for v in versions if v.get("storage"))
                types.append(ResourceType(spec["group"], version, spec["names"],
                                          chosen["schema"]["openAPIV3Schema"],
                                          chosen.get("additionalPrinterColumns"),
                                          spec.get("scope", "Namespaced") == "Namespaced"))
    return types


# ---------------------------------------------------------------------------------------------- pruning + defaults

def _join(path, key):
    return key if not path else "%s.%s" % (path, key)


OBJECT_META_FIELDS = {"name", "generateName", "namespace", "selfLink", "uid", "resourceVersion", "generation",
                      "creationTimestamp", "deletionTimestamp", "deletionGracePeriodSeconds", "labels", "annotations",
                      "ownerReferences", "finalizers", "managedFields"}


def prune(value, schema, path="", unknown=None, root=True):
    """Drops unknown fields and nulls of non-nullable fields in place; returns the unknown field paths."""
    if unknown is None:
        unknown = []
    if root and isinstance(value, dict) and isinstance(value.get("metadata"), dict):
        for key in sorted(value["metadata"]):
            if key not in OBJECT_META_FIELDS:
                unknown.append("metadata." + key)
                del value["metadata"][key]
    if isinstance(value, dict) and schema.get("type") == "object":
        properties = schema.get("properties")
        additional = schema.get("additionalProperties")
        preserve = schema.get("x-kubernetes-preserve-unknown-fields")
        for key in sorted(value):
            if root and key in ("apiVersion", "kind", "metadata"):
                continue
            child_schema = None
            if properties is not None and key in properties:
                child_schema = properties[key]
            elif isinstance(additional, dict):
                child_schema = additional
            elif properties is not None and not preserve and additional is not True:
                unknown.append(_join(path, key))
                del value[key]
                continue
            if child_schema is None:
                continue
            if value[key] is None and not child_schema.get("nullable"):
                del value[key]
                continue
            prune(value[key], child_schema, _join(path, key), unknown, False)
    elif isinstance(value, list) and schema.get("type") == "array" and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            prune(item, schema["items"], "%s[%d]" % (path, index), unknown, False)
    return unknown


def apply_defaults(value, schema):
    if isinstance(value, dict) and schema.get("type") == "object":
        for key, child in (schema.get("properties") or {}).items():
            if key not in value and "default" in child:
                value[key] = copy.deepcopy(child["default"])
        for key, child_value in value.items():
            child = (schema.get("properties") or {}).get(key)
            if child is None and isinstance(schema.get("additionalProperties"), dict):
                child = schema["additionalProperties"]
            if child is not None:
                apply_defaults(child_value, child)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for item in value:
            apply_defaults(item, schema["items"])
    return value


# -------------------------------------------------------------------------------------------------- validation

def go_value(value):
    """How apimachinery's field.Invalid prints a value (%#v-ish for the JSON types)."""
    if isinstance(value, str):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return "true" if value else "false"
    if value is None:
        return "null"
    if isinstance(value, (int, float)):
        return json.dumps(value)
    return '"%s"' % ("object" if isinstance(value, dict) else "array")


def _type_name(value):
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "integer"
    if isinstance(value, float):
        return "integer" if value.is_integer() else "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object"


def _type_matches(value, expected):
    actual = _type_name(value)
    if expected == "number":
        return actual in ("integer", "number")
    return actual == expected


class Validator:
    """Collects (field, reason, message) triples like apiextensions-apiserver does."""

    def __init__(self):
        self.errors = []

    def add(self, field, reason, message):
        self.errors.append((field, reason, message))

    def invalid(self, path, value, detail):
        self.add(path, "FieldValueInvalid", "Invalid value: %s: %s" % (go_value(value), detail))

    def check(self, value, schema, path):
        if schema.get("x-kubernetes-int-or-string"):
            if not isinstance(value, (int, str)) or isinstance(value, bool):
                self.add(path, "FieldValueTypeInvalid", 'Invalid value: "%s": %s in body must be of type '
                         'int-or-string: "%s"' % (_type_name(value), path, _type_name(value)))
            return
        expected = schema.get("type")
        if expected and not _type_matches(value, expected):
            self.add(path, "FieldValueTypeInvalid", 'Invalid value: "%s": %s in body must be of type %s: "%s"'
                     % (_type_name(value), path, expected, _type_name(value)))
            return
        if "enum" in schema and value not in schema["enum"]:
            supported = ", ".join(go_value(v) for v in schema["enum"])
            self.add(path, "FieldValueNotSupported",
                     "Unsupported value: %s: supported values: %s" % (go_value(value), supported))
        if isinstance(value, str):
            if "maxLength" in schema and len(value) > schema["maxLength"]:
                self.add(path, "FieldValueTooLong", "Too long: may not be longer than %d" % schema["maxLength"])
            if "minLength" in schema and len(value) < schema["minLength"]:
                self.invalid(path, value, "%s in body should be at least %d chars long" % (path, schema["minLength"]))
            if "pattern" in schema and re.search(schema["pattern"], value) is None:
                self.invalid(path, value, "%s in body should match '%s'" % (path, schema["pattern"]))
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            if "minimum" in schema and value < schema["minimum"]:
                self.invalid(path, value, "%s in body should be greater than or equal to %s"
                             % (path, go_value(schema["minimum"])))
            if "maximum" in schema and value > schema["maximum"]:
                self.invalid(path, value, "%s in body should be less than or equal to %s"
                             % (path, go_value(schema["maximum"])))
        if isinstance(value, list):
            if "maxItems" in schema and len(value) > schema["maxItems"]:
                self.add(path, "FieldValueTooMany", "Too many: %d: must have at most %d items"
                         % (len(value), schema["maxItems"]))
            if "minItems" in schema and len(value) < schema["minItems"]:
                self.invalid(path, value, "%s in body should have at least %d items" % (path, schema["minItems"]))
            if isinstance(schema.get("items"), dict):
                for index, item in enumerate(value):
                    self.check(item, schema["items"], "%s[%d]" % (path, index))
        if isinstance(value, dict):
            for required in schema.get("required", []):
                if required not in value:
                    self.add(_join(path, required), "FieldValueRequired", "Required value")
            properties = schema.get("properties") or {}
            additional = schema.get("additionalProperties")
            for key in sorted(value):
                if not path and key in ("apiVersion", "kind", "metadata"):
                    continue
                child = properties.get(key)
                if child is None and isinstance(additional, dict):
                    child = additional
                if child is not None:
                    self.check(value[key], child, _join(path, key))


_CEL_HAS = re.compile(r"^\s*(!?)has\(self\.([A-Za-z_][A-Za-z0-9_]*)\)\s*$")


def _evaluate_simple_rule(rule, value):
    """Evaluates `[!]has(self.a) (||,&&) [!]has(self.b) ...`; None when the rule is anything else."""
    if not isinstance(value, dict):
        return None
    for operator, combine in (("||", any), ("&&", all)):
        if operator in rule:
            if ("||" in rule) and ("&&" in rule):
                return None
            results = [_evaluate_simple_rule(part, value) for part in rule.split(operator)]
            return None if None in results else combine(results)
    match = _CEL_HAS.match(rule)
    if not match:
        return None
    present = match.group(2) in value
    return (not present) if match.group(1) else present


def _check_rules(value, schema, path, validator):
    for rule in schema.get("x-kubernetes-validations", []):
        outcome = _evaluate_simple_rule(rule.get("rule", ""), value)
        if outcome is False:
            message = rule.get("message") or "failed rule: %s" % rule.get("rule")
            validator.add(path, "FieldValueInvalid", 'Invalid value: "%s": %s' % (_type_name(value), message))
    if isinstance(value, dict):
        properties = schema.get("properties") or {}
        for key in sorted(value):
            if key in properties:
                _check_rules(value[key], properties[key], _join(path, key), validator)
    elif isinstance(value, list) and isinstance(schema.get("items"), dict):
        for index, item in enumerate(value):
            _check_rules(item, schema["items"], "%s[%d]" % (path, index), validator)


DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
DNS1123_SUBDOMAIN_MESSAGE = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must "
    "start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
DNS1123_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
DNS1123_LABEL_MESSAGE = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and "
    "end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")


def validate_name(name, validator, label=False):
    if not name:
        validator.add("metadata.name", "FieldValueRequired", "Required value: name or generateName is required")
        return
    pattern, message, limit = ((DNS1123_LABEL, DNS1123_LABEL_MESSAGE, 63) if label
                               else (DNS1123_SUBDOMAIN, DNS1123_SUBDOMAIN_MESSAGE, 253))
    if len(name) > limit:
        validator.invalid("metadata.name", name, "must be no more than %d characters" % limit)
    if not pattern.match(name):
        validator.invalid("metadata.name", name, message)


def validate_object(resource_type, obj):
    """Returns the list of (field, reason, message) errors, empty when obj is valid."""
    validator = Validator()
    validate_name(obj.get("metadata", {}).get("name"), validator)
    schema_start = len(validator.errors)
    validator.check(obj, resource_type.schema, "")
    if len(validator.errors) > schema_start:
        if resource_type.has_cel_rules:
            validator.add("<nil>", "FieldValueInvalid",
                          'Invalid value: "null": some validation rules were not checked because the object was '
                          'invalid; correct the existing errors to complete validation')
    else:
        _check_rules(obj, resource_type.schema, "", validator)
    return validator.errors


# ------------------------------------------------------------------------------------------------ printer columns

_FILTER = re.compile(r'^\[\?\(@\.([A-Za-z0-9_.]+)==["\']([^"\']*)["\']\)\]')


def json_path(obj, expression):
    """Evaluates the JSONPath subset CRD printer columns use; None when nothing matches."""
    current = [obj]
    rest = expression.strip()
    if rest.startswith("{") and rest.endswith("}"):
        rest = rest[1:-1]
    while rest:
        if rest.startswith("."):
            match = re.match(r"^\.([A-Za-z0-9_\-/]+)", rest)
            if not match:
                return None
            key = match.group(1)
            rest = rest[match.end():]
            current = [c[key] for c in current if isinstance(c, dict) and key in c]
        elif rest.startswith("["):
            match = _FILTER.match(rest)
            if match:
                field, wanted = match.group(1), match.group(2)
                rest = rest[match.end():]
                selected = []
                for c in current:
                    for item in c if isinstance(c, list) else []:
                        probe = item
                        for part in field.split("."):
                            probe = probe.get(part) if isinstance(probe, dict) else None
                        if probe is not None and str(probe) == wanted:
                            selected.append(item)
                current = selected
                continue
            match = re.match(r"^\[(\d+|\*)\]", rest)
            if not match:
                return None
            rest = rest[match.end():]
            if match.group(1) == "*":
                current = [item for c in current if isinstance(c, list) for item in c]
            else:
                index = int(match.group(1))
                current = [c[index] for c in current if isinstance(c, list) and index < len(c)]
        else:
            return None
        if not current:
            return None
    return current[0] if current else None
