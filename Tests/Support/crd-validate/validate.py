#!/usr/bin/env python3
"""Validate Kubernetes objects against the openAPIV3Schema of real CRDs.

Usage: validate.py CRD.yaml [CRD.yaml ...] < objects.json

stdin holds one JSON object or a JSON array of objects. Each object is matched to a CRD version by
apiVersion and kind and checked with a JSON-Schema validator (Draft 2020-12) built from the CRD schema:
  - unknown fields are errors (as with the API server's fieldValidation=Strict), except under
    x-kubernetes-preserve-unknown-fields;
  - x-kubernetes-int-or-string allows an integer or a string; nullable allows null;
  - x-kubernetes-validations: the CEL forms `has(self.a) || has(self.b)` and `!has(self.a) || !has(self.b)` are
    translated; any other rule is reported on stderr and not checked;
  - formats: int32/int64 ranges and RFC 3339 date-time are checked, others are annotations;
  - metadata.name must be an RFC 1123 subdomain and metadata.namespace an RFC 1123 label, as the API server requires.
stdout: a JSON array, one {"index", "valid", "errors"} per object. Exit 0 when all are valid, 1 when any is
invalid, 2 on bad input.
"""
import json
import re
import sys

import jsonschema
import yaml

SUBDOMAIN = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"
LABEL = r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"
DATE_TIME = re.compile(
    r"^\d{4}-\d{2}-\d{2}[Tt]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$")
HAS_EITHER = re.compile(r"^has\(self\.(\w+)\)\s*\|\|\s*has\(self\.(\w+)\)$")
NOT_BOTH = re.compile(r"^!has\(self\.(\w+)\)\s*\|\|\s*!has\(self\.(\w+)\)$")

INTEGER_RANGES = {"int32": (-2**31, 2**31 - 1), "int64": (-2**63, 2**63 - 1)}


def convert(node, path="$"):
    """Turns one OpenAPI v3 (structural) schema node into JSON Schema."""
    if not isinstance(node, dict):
        return node
    out = {}
    for key, value in node.items():
        if key in ("description", "default", "example", "externalDocs"):
            continue
        if key == "properties":
            out[key] = {name: convert(child, f"{path}.{name}") for name, child in value.items()}
        elif key == "items":
            out[key] = convert(value, f"{path}[]")
        elif key == "additionalProperties":
            out[key] = convert(value, f"{path}.*") if isinstance(value, dict) else value
        elif key in ("allOf", "anyOf", "oneOf"):
            out[key] = [convert(child, path) for child in value]
        elif key == "not":
            out[key] = convert(value, path)
        elif key == "format":
            if value in INTEGER_RANGES:
                low, high = INTEGER_RANGES[value]
                out["minimum"], out["maximum"] = low, high
            elif value == "date-time":
                out["pattern"] = DATE_TIME.pattern
            # other formats (byte, uri, …) are annotations in Kubernetes validation too
        elif key == "nullable":
            continue
        elif key.startswith("x-kubernetes-"):
            continue
        else:
            out[key] = value
    if node.get("nullable") and "type" in out:
        out["type"] = [out["type"], "null"]
    if node.get("x-kubernetes-int-or-string"):
        out.pop("type", None)
        out["anyOf"] = [{"type": "integer"}, {"type": "string"}]
    if out.get("type") == "object" and "properties" in out and "additionalProperties" not in out \
            and not node.get("x-kubernetes-preserve-unknown-fields"):
        out["additionalProperties"] = False
    rules = []
    for validation in node.get("x-kubernetes-validations", []):
        rule = validation.get("rule", "").strip()
        if match := HAS_EITHER.match(rule):
            rules.append({"anyOf": [{"required": [match.group(1)]}, {"required": [match.group(2)]}]})
        elif match := NOT_BOTH.match(rule):
            rules.append({"not": {"required": [match.group(1), match.group(2)]}})
        else:
            print(f"validate.py: CEL rule at {path} not checked: {rule}", file=sys.stderr)
    if rules:
        out["allOf"] = out.get("allOf", []) + rules
    return out


def load_schemas(paths):
    schemas = {}
    for path in paths:
        with open(path, encoding="utf-8") as handle:
            for document in yaml.safe_load_all(handle):
                if not document or document.get("kind") != "CustomResourceDefinition":
                    continue
                spec = document["spec"]
                for version in spec["versions"]:
                    if not version.get("served", False):
                        continue
                    api_version = f"{spec['group']}/{version['name']}"
                    schema = convert(version["schema"]["openAPIV3Schema"])
                    schema.setdefault("properties", {})
                    schema["properties"]["apiVersion"] = {"const": api_version}
                    schema["properties"]["kind"] = {"const": spec["names"]["kind"]}
                    schema["properties"]["metadata"] = {
                        "type": "object",
                        "required": ["name"],
                        "properties": {
                            "name": {"type": "string", "maxLength": 253, "pattern": SUBDOMAIN},
                            "namespace": {"type": "string", "maxLength": 63, "pattern": LABEL},
                        },
                    }
                    schema["required"] = sorted(set(schema.get("required", [])) | {"apiVersion", "kind", "metadata"})
                    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
                    jsonschema.Draft202012Validator.check_schema(schema)
                    schemas[(api_version, spec["names"]["kind"])] = schema
    return schemas


def main(argv):
    if len(argv) < 2:
        print(__doc__, file=sys.stderr)
        return 2
    schemas = load_schemas(argv[1:])
    try:
        payload = json.load(sys.stdin)
    except json.JSONDecodeError as error:
        print(f"validate.py: stdin is not JSON: {error}", file=sys.stderr)
        return 2
    objects = payload if isinstance(payload, list) else [payload]
    results = []
    for index, obj in enumerate(objects):
        key = (obj.get("apiVersion"), obj.get("kind")) if isinstance(obj, dict) else (None, None)
        schema = schemas.get(key)
        if schema is None:
            results.append({"index": index, "valid": False,
                            "errors": [f"no CRD schema for apiVersion={key[0]!r} kind={key[1]!r}"]})
            continue
        validator = jsonschema.Draft202012Validator(schema)
        errors = sorted(
            f"{error.json_path}: {error.message}" for error in validator.iter_errors(obj))
        results.append({"index": index, "valid": not errors, "errors": errors})
    json.dump(results, sys.stdout, indent=2)
    sys.stdout.write("\n")
    return 0 if all(result["valid"] for result in results) else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
