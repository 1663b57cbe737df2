"""In-memory object store with one global resourceVersion counter and a bounded event history for watches."""
import collections
import copy
import datetime
import threading
import uuid

NAMESPACES = "v1/namespaces"


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


class Event:
    __slots__ = ("rv", "type_key", "kind", "old", "new")

    def __init__(self, rv, type_key, kind, old, new):
        self.rv = rv
        self.type_key = type_key
        self.kind = kind        # ADDED, MODIFIED, DELETED
        self.old = old          # object before the change (None for ADDED)
        self.new = new          # object after the change (for DELETED: the object as deleted, with a new rv)


class Store:
    def __init__(self, event_window=1000, first_rv=100):
        self.condition = threading.Condition()
        self.event_window = event_window
        self.first_rv = first_rv
        self.listeners = []   # callables(event), run under the lock; they must only enqueue work
        self.reset()

    def reset(self):
        with self.condition:
            # resourceVersions never go back, also across resets: a client's old RV then gets 410 Expired.
            self.rv = getattr(self, "rv", self.first_rv)
            self.objects = {}
            self.events = collections.deque()
            self.compacted_rv = self.rv
            self.snapshots = collections.OrderedDict()
            self.closed_watch_epoch = getattr(self, "closed_watch_epoch", 0) + 1
            for name in ("default", "flux-system", "apps"):
                self._create_namespace(name)
            self.condition.notify_all()

    # -- namespaces
    def _create_namespace(self, name, labels=None):
        self.rv += 1
        namespace = {
            "kind": "Namespace", "apiVersion": "v1",
            "metadata": {"name": name, "uid": str(uuid.uuid4()), "resourceVersion": str(self.rv),
                         "creationTimestamp": now_rfc3339(),
                         "labels": dict(labels or {}, **{"kubernetes.io/metadata.name": name})},
            "spec": {"finalizers": ["kubernetes"]},
            "status": {"phase": "Active"},
        }
        self._record(NAMESPACES, "", name, "ADDED", None, namespace)
        return namespace

    def namespace_exists(self, name):
        return (NAMESPACES, "", name) in self.objects

    # -- reads
    def get(self, type_key, namespace, name):
        return self.objects.get((type_key, namespace or "", name))

    def list(self, type_key, namespace=None):
        items = [obj for (key, ns, _), obj in self.objects.items()
                 if key == type_key and (namespace is None or ns == namespace)]
        items.sort(key=lambda o: (o["metadata"].get("namespace", ""), o["metadata"]["name"]))
        return items

    # -- writes (callers hold self.condition)
    def next_rv(self):
        self.rv += 1
        return self.rv

    def put(self, type_key, obj, old):
        """Stores obj (already carrying its new resourceVersion) and records ADDED or MODIFIED."""
        metadata = obj["metadata"]
        self._record(type_key, metadata.get("namespace", ""), metadata["name"],
                     "MODIFIED" if old is not None else "ADDED", old, obj)

    def remove(self, type_key, obj):
        deleted = copy.deepcopy(obj)
        deleted["metadata"]["resourceVersion"] = str(self.next_rv())
        metadata = obj["metadata"]
        self.objects.pop((type_key, metadata.get("namespace", ""), metadata["name"]), None)
        self._append_event(Event(self.rv, type_key, "DELETED", obj, deleted))
        return deleted

    def _record(self, type_key, namespace, name, kind, old, new):
        self.objects[(type_key, namespace, name)] = new
        self._append_event(Event(int(new["metadata"]["resourceVersion"]), type_key, kind, old, new))

    def _append_event(self, event):
        self.events.append(event)
        while len(self.events) > self.event_window:
            self.compacted_rv = self.events.popleft().rv
        for listener in self.listeners:
            listener(event)
        self.condition.notify_all()

    def compact(self):
        """Forgets all history: watches and continue tokens from before now get 410 Expired."""
        with self.condition:
            self.events.clear()
            self.compacted_rv = self.rv
            self.snapshots.clear()

    # -- list snapshots so that continue pages are one consistent view
    def save_snapshot(self, key, items):
        self.snapshots[key] = items
        while len(self.snapshots) > 64:
            self.snapshots.popitem(last=False)

    def snapshot(self, key):
        return self.snapshots.get(key)
