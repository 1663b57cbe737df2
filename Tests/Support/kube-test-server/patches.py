"""JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on plain JSON values."""
import copy


def merge_patch(target, patch):
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


class JSONPatchError(Exception):
    pass


def _tokens(pointer):
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise JSONPatchError("invalid JSON pointer %r" % pointer)
    return [t.replace("~1", "/").replace("~0", "~") for t in pointer[1:].split("/")]


def _parent(document, pointer):
    tokens = _tokens(pointer)
    if not tokens:
        raise JSONPatchError("operation on the document root is not supported")
    node = document
    for token in tokens[:-1]:
        if isinstance(node, dict) and token in node:
            node = node[token]
        elif isinstance(node, list) and token.isdigit() and int(token) < len(node):
            node = node[int(token)]
        else:
            raise JSONPatchError("doc is missing path: %s" % pointer)
    return node, tokens[-1]


def _get(document, pointer):
    node, key = _parent(document, pointer)
    if isinstance(node, dict) and key in node:
        return node[key]
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node[int(key)]
    raise JSONPatchError("doc is missing key: %s" % pointer)


def _add(document, pointer, value):
    node, key = _parent(document, pointer)
    if isinstance(node, dict):
        node[key] = value
    elif isinstance(node, list):
        if key == "-":
            node.append(value)
        elif key.isdigit() and int(key) <= len(node):
            node.insert(int(key), value)
        else:
            raise JSONPatchError("index out of range: %s" % pointer)
    else:
        raise JSONPatchError("doc is missing path: %s" % pointer)


def _remove(document, pointer):
    node, key = _parent(document, pointer)
    if isinstance(node, dict) and key in node:
        return node.pop(key)
    if isinstance(node, list) and key.isdigit() and int(key) < len(node):
        return node.pop(int(key))
    raise JSONPatchError("doc is missing key: %s" % pointer)


def json_patch(document, operations):
    if not isinstance(operations, list):
        raise JSONPatchError("a JSON patch is a list of operations")
    result = copy.deepcopy(document)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise JSONPatchError("an operation needs op and path")
        op, path = operation["op"], operation["path"]
        if op == "add":
            _add(result, path, copy.deepcopy(operation.get("value")))
        elif op == "remove":
            _remove(result, path)
        elif op == "replace":
            _get(result, path)
            node, key = _parent(result, path)
            if isinstance(node, list):
                node[int(key)] = copy.deepcopy(operation.get("value"))
            else:
                node[key] = copy.deepcopy(operation.get("value"))
        elif op == "move":
            _add(result, path, _remove(result, operation.get("from", "")))
        elif op == "copy":
            _add(result, path, copy.deepcopy(_get(result, operation.get("from", ""))))
        elif op == "test":
            try:
                current = _get(result, path)
            except JSONPatchError:
                raise JSONPatchError("testing value %s failed" % path)
            if current != operation.get("value"):
                raise JSONPatchError("testing value %s failed" % path)
        else:
            raise JSONPatchError("unexpected kind of operation %r" % op)
    return result
