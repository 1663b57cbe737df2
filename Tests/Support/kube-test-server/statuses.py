"""metav1.Status bodies shaped like the ones kube-apiserver v1.28 sends (see Tests/Fixtures/kube-api/)."""


class APIError(Exception):
    """A request that ends with a Status body; raised anywhere in request handling."""

    def __init__(self, code, reason, message, details=None, metadata=None, headers=None):
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details
        self.metadata = metadata
        self.headers = headers or {}

    def body(self):
        status = {"kind": "Status", "apiVersion": "v1", "metadata": self.metadata or {}, "status": "Failure"}
        if self.message is not None:
            status["message"] = self.message
        status["reason"] = self.reason
        if self.details is not None:
            status["details"] = self.details
        status["code"] = self.code
        return status


class PlainTextError(APIError):
    """An answer kube-apiserver writes with http.Error (text/plain), not as a Status."""

    def __init__(self, code, text):
        super().__init__(code, "", text)

    def body(self):
        return self.message + "\n"


def _details(name=None, group=None, kind=None, causes=None, uid=None):
    details = {}
    if name:
        details["name"] = name
    if group:
        details["group"] = group
    if kind:
        details["kind"] = kind
    if uid:
        details["uid"] = uid
    if causes:
        details["causes"] = causes
    return details


def qualified(resource, group):
    return "%s.%s" % (resource, group) if group else resource


def not_found(resource, group, name):
    return APIError(404, "NotFound", '%s "%s" not found' % (qualified(resource, group), name),
                    _details(name, group, resource))


def already_exists(resource, group, name):
    return APIError(409, "AlreadyExists", '%s "%s" already exists' % (qualified(resource, group), name),
                    _details(name, group, resource))


def conflict(resource, group, name):
    return APIError(409, "Conflict",
                    'Operation cannot be fulfilled on %s "%s": the object has been modified; please apply your '
                    'changes to the latest version and try again' % (qualified(resource, group), name),
                    _details(name, group, resource))


def bad_request(message):
    return APIError(400, "BadRequest", message)


def invalid(kind, group, name, errors):
    """errors: list of (field, cause_reason, message) in the order the validator found them."""
    rendered = ["%s: %s" % (field, message) for field, _, message in errors]
    summary = rendered[0] if len(rendered) == 1 else "[" + ", ".join(rendered) + "]"
    qualified_kind = "%s.%s" % (kind, group) if group else kind
    causes = [{"reason": reason, "message": message, "field": field} for field, reason, message in errors]
    return APIError(422, "Invalid", '%s "%s" is invalid: %s' % (qualified_kind, name, summary),
                    _details(name, group, kind, causes))


def generic_invalid():
    return APIError(422, "Invalid", "the server rejected our request due to an error in our request", {})


def unsupported_patch_type():
    return APIError(415, "UnsupportedMediaType",
                    "the body of the request was in an unknown format - accepted media types include: "
                    "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml")


def unauthorized():
    return APIError(401, "Unauthorized", "Unauthorized")


def forbidden(user, verb, resource, group, namespace, name=None, path=None):
    if path is not None:
        return APIError(403, "Forbidden", 'forbidden: User "%s" cannot %s path "%s"' % (user, verb, path), {})
    scope = 'in the namespace "%s"' % namespace if namespace else "at the cluster scope"
    # "ocirepositories/status": the message names the subresource, the qualified resource and details do not.
    base = resource.split("/", 1)[0]
    subject = qualified(base, group) + (' "%s"' % name if name else "")
    message = '%s is forbidden: User "%s" cannot %s resource "%s" in API group "%s" %s' % (
        subject, user, verb, resource, group, scope)
    return APIError(403, "Forbidden", message, _details(name, group, base))


def expired(message, metadata=None):
    return APIError(410, "Expired", message, None, metadata)


CONTINUE_EXPIRED = (
    "The provided continue parameter is too old to display a consistent list result. You can start a new list "
    "without the continue parameter, or use the continue token in this response to retrieve the remainder of the "
    "results. Continuing with the provided token results in an inconsistent list - objects that were created, "
    "modified, or deleted between the time the first chunk was returned and now may show up in the list.")


def injected(code, retry_after=None):
    """A fault injected through /_test/faults, with the reason kube-apiserver uses for that code."""
    reasons = {
        400: ("BadRequest", "bad request"),
        401: ("Unauthorized", "Unauthorized"),
        403: ("Forbidden", "forbidden"),
        404: ("NotFound", "the server could not find the requested resource"),
        409: ("Conflict", "the server reported a conflict"),
        410: ("Expired", "the resource version is too old"),
        429: ("TooManyRequests", "the server has received too many requests and has asked us to try again later"),
        500: ("InternalError", "an error on the server (\"\") has prevented the request from succeeding"),
        503: ("ServiceUnavailable", "the server is currently unable to handle the request"),
        504: ("Timeout", "the server was unable to return a response in the time allotted, but may still be "
                         "processing the request"),
    }
    reason, message = reasons.get(code, ("InternalError", "injected failure"))
    details = None
    headers = {}
    if retry_after is not None:
        details = {"retryAfterSeconds": int(retry_after)} if str(retry_after).isdigit() else None
        headers["Retry-After"] = str(retry_after)
    return APIError(code, reason, message, details, headers=headers)
