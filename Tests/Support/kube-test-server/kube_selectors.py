"""Label and field selectors with kube-apiserver's syntax and error wording."""
import re

from statuses import bad_request

_SET_TERM = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")
_EQ_TERM = re.compile(r"^\s*([A-Za-z0-9_./-]+)\s*(==|!=|=)\s*([A-Za-z0-9_.-]*)\s*$")
_EXISTS_TERM = re.compile(r"^\s*(!?)\s*([A-Za-z0-9_./-]+)\s*$")


def _split_terms(text):
    terms, depth, current = [], 0, ""
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            terms.append(current)
            current = ""
        else:
            current += char
    if current.strip():
        terms.append(current)
    return terms


def parse_label_selector(text):
    """Returns a predicate over a labels dict."""
    requirements = []
    for term in _split_terms(text or ""):
        match = _SET_TERM.match(term)
        if match:
            values = {v.strip() for v in match.group(3).split(",") if v.strip()}
            requirements.append((match.group(1), match.group(2), values))
            continue
        match = _EQ_TERM.match(term)
        if match:
            requirements.append((match.group(1), "!=" if match.group(2) == "!=" else "=", {match.group(3)}))
            continue
        match = _EXISTS_TERM.match(term)
        if match:
            requirements.append((match.group(2), "!" if match.group(1) else "exists", None))
            continue
        raise bad_request("unable to parse requirement: found '%s', expected: identifier" % term.strip())

    def matches(labels):
        labels = labels or {}
        for key, operator, values in requirements:
            present = key in labels
            if operator == "=" and not (present and labels[key] in values):
                return False
            if operator == "!=" and present and labels[key] in values:
                return False
            if operator == "in" and not (present and labels[key] in values):
                return False
            if operator == "notin" and present and labels[key] in values:
                return False
            if operator == "exists" and not present:
                return False
            if operator == "!" and present:
                return False
        return True

    return matches


SUPPORTED_FIELDS = ("metadata.name", "metadata.namespace")


def parse_field_selector(text):
    requirements = []
    for term in _split_terms(text or ""):
        match = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|!=|=)\s*(.*?)\s*$", term)
        if not match:
            raise bad_request("invalid selector: '%s'; can't understand '%s'" % (text, term))
        field, operator, value = match.groups()
        if field not in SUPPORTED_FIELDS:
            raise bad_request('"%s" is not a known field selector: only "metadata.name", "metadata.namespace"'
                              % field)
        requirements.append((field.split(".")[1], operator != "!=", value))

    def matches(obj):
        metadata = obj.get("metadata", {})
        return all((metadata.get(key, "") == value) == wanted for key, wanted, value in requirements)

    return matches


def object_matcher(label_selector, field_selector):
    label_match = parse_label_selector(label_selector)
    field_match = parse_field_selector(field_selector)
    return lambda obj: label_match(obj.get("metadata", {}).get("labels")) and field_match(obj)
