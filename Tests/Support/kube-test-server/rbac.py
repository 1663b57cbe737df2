"""The test cluster's RBAC, as plain data, and an evaluator that decides like kube-apiserver v1.28.

kube-apiserver first allows every member of system:masters (the privileged-group authorizer, no reason), then asks
RBAC: ClusterRoleBindings apply everywhere (cluster scope and every namespace), RoleBindings only to requests in
their namespace; the first rule that allows gives the reason ("RBAC: allowed by ..."), and a request no rule allows
gets no opinion with an empty reason (so SelfSubjectAccessReview answers just `allowed: false`, never `denied`).
Rules match as in k8s.io/kubernetes/plugin/pkg/auth/authorizer/rbac: "*" for verbs/apiGroups/resources,
"resource/subresource" and "*/subresource", resourceNames (never matching a request without a name), and
nonResourceURLs with a trailing "*" for prefixes.

Change the tables below to give the test identities other rights; README.md lists them.
"""

READ = ["get", "list", "watch"]
FLUX_GROUPS = ["source.toolkit.fluxcd.io", "kustomize.toolkit.fluxcd.io"]
FLUX_RESOURCES = ["ocirepositories", "kustomizations"]

# Allowed everything before RBAC is asked (kube-apiserver's --authorization-mode=RBAC always adds this).
PRIVILEGED_GROUPS = ["system:masters"]

CLUSTER_ROLES = {
    # Bootstrap roles every kube-apiserver has (trimmed to what this server serves).
    "system:basic-user": [
        {"apiGroups": ["authorization.k8s.io"], "resources": ["selfsubjectaccessreviews", "selfsubjectrulesreviews"],
         "verbs": ["create"]},
    ],
    "system:discovery": [
        {"nonResourceURLs": ["/api", "/api/*", "/apis", "/apis/*", "/healthz", "/livez", "/openapi", "/openapi/*",
                             "/readyz", "/version", "/version/"], "verbs": ["get"]},
    ],
    "system:public-info-viewer": [
        {"nonResourceURLs": ["/healthz", "/livez", "/readyz", "/version", "/version/"], "verbs": ["get"]},
    ],
    # The viewer reads everything, writes nothing.
    "view": [
        {"apiGroups": ["*"], "resources": ["*"], "verbs": READ},
    ],
    # Flux objects only, bound per namespace below.
    "flux-edit": [
        {"apiGroups": FLUX_GROUPS, "resources": FLUX_RESOURCES, "verbs": ["*"]},
    ],
    "flux-view": [
        {"apiGroups": FLUX_GROUPS, "resources": FLUX_RESOURCES, "verbs": READ},
    ],
}

# Namespaced Roles: {(namespace, name): rules}. None yet; RoleBindings below refer to ClusterRoles.
ROLES = {}

CLUSTER_ROLE_BINDINGS = [
    {"name": "system:basic-user", "roleRef": {"kind": "ClusterRole", "name": "system:basic-user"},
     "subjects": [{"kind": "Group", "name": "system:authenticated"}]},
    {"name": "system:discovery", "roleRef": {"kind": "ClusterRole", "name": "system:discovery"},
     "subjects": [{"kind": "Group", "name": "system:authenticated"}]},
    {"name": "system:public-info-viewer", "roleRef": {"kind": "ClusterRole", "name": "system:public-info-viewer"},
     "subjects": [{"kind": "Group", "name": "system:authenticated"},
                  {"kind": "Group", "name": "system:unauthenticated"}]},
    {"name": "kube-test-viewer", "roleRef": {"kind": "ClusterRole", "name": "view"},
     "subjects": [{"kind": "User", "name": "viewer"}]},
]

ROLE_BINDINGS = [
    # dev: everything on OCIRepositories and Kustomizations in apps, read-only in flux-system, nothing elsewhere
    # (so neither at the cluster scope: no list or watch across all namespaces).
    {"namespace": "apps", "name": "dev-flux-edit", "roleRef": {"kind": "ClusterRole", "name": "flux-edit"},
     "subjects": [{"kind": "User", "name": "dev"}]},
    {"namespace": "flux-system", "name": "dev-flux-view", "roleRef": {"kind": "ClusterRole", "name": "flux-view"},
     "subjects": [{"kind": "User", "name": "dev"}]},
]


# ------------------------------------------------------------------------------------------------- evaluation

def authorize(user, groups, verb, group="", resource="", subresource="", namespace="", name="", path=None):
    """Returns (allowed, reason) for one request; `path` makes it a non-resource request."""
    if any(g in PRIVILEGED_GROUPS for g in groups):
        return True, ""
    for binding in CLUSTER_ROLE_BINDINGS:
        subject = _subject(binding, user, groups, "")
        if subject is None:
            continue
        for rule in _rules(binding["roleRef"], ""):
            if _allows(rule, verb, group, resource, subresource, name, path):
                return True, "RBAC: allowed by ClusterRoleBinding %s of %s %s to %s" % (
                    _quote(binding["name"]), binding["roleRef"]["kind"], _quote(binding["roleRef"]["name"]),
                    _describe(subject, ""))
    if namespace and path is None:
        for binding in ROLE_BINDINGS:
            if binding["namespace"] != namespace:
                continue
            subject = _subject(binding, user, groups, namespace)
            if subject is None:
                continue
            for rule in _rules(binding["roleRef"], namespace):
                if _allows(rule, verb, group, resource, subresource, name, path):
                    return True, "RBAC: allowed by RoleBinding %s of %s %s to %s" % (
                        _quote(binding["name"] + "/" + namespace), binding["roleRef"]["kind"],
                        _quote(binding["roleRef"]["name"]), _describe(subject, namespace))
    return False, ""


def _quote(text):
    return '"%s"' % text.replace("\\", "\\\\").replace('"', '\\"')


def _rules(role_ref, namespace):
    if role_ref["kind"] == "ClusterRole":
        return CLUSTER_ROLES.get(role_ref["name"], [])
    return ROLES.get((namespace, role_ref["name"]), [])


def _subject(binding, user, groups, namespace):
    for subject in binding["subjects"]:
        kind = subject["kind"]
        if kind == "User" and subject["name"] == user:
            return subject
        if kind == "Group" and subject["name"] in groups:
            return subject
        if kind == "ServiceAccount":
            sa_namespace = subject.get("namespace") or namespace
            if user == "system:serviceaccount:%s:%s" % (sa_namespace, subject["name"]):
                return subject
    return None


def _describe(subject, binding_namespace):
    if subject["kind"] == "ServiceAccount":
        return "ServiceAccount %s" % _quote(subject["name"] + "/" + (subject.get("namespace") or binding_namespace))
    return "%s %s" % (subject["kind"], _quote(subject["name"]))


def _allows(rule, verb, group, resource, subresource, name, path):
    verbs = rule.get("verbs", [])
    if "*" not in verbs and verb not in verbs:
        return False
    if path is not None:
        for url in rule.get("nonResourceURLs", []):
            if url == "*" or url == path or (url.endswith("*") and path.startswith(url[:-1])):
                return True
        return False
    if "nonResourceURLs" in rule and "resources" not in rule:
        return False
    groups = rule.get("apiGroups", [])
    if "*" not in groups and group not in groups:
        return False
    combined = resource + ("/" + subresource if subresource else "")
    matched = False
    for candidate in rule.get("resources", []):
        if candidate in ("*", combined) or (subresource and candidate == "*/" + subresource):
            matched = True
            break
    if not matched:
        return False
    names = rule.get("resourceNames") or []
    return not names or name in names
