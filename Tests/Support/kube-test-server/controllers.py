"""Hook for simulated Flux controllers (--controllers).

The loop runs in a background thread, wakes after every write (and at least once a second), and calls
reconcile() under the store lock. reconcile() is deliberately empty for now: the simulated source- and
kustomize-controller behaviour is to be added here (react to creates, spec changes and the
reconcile.fluxcd.io/requestedAt annotation, then write status through app.resources.write_status()).
"""
import threading
import time


class Controllers:
    def __init__(self, app, reaction_delay_ms):
        self.app = app
        self.reaction_delay = reaction_delay_ms / 1000.0
        self.wakeup = threading.Event()

    def start(self):
        threading.Thread(target=self._loop, name="controllers", daemon=True).start()

    def wake(self):
        self.wakeup.set()

    def _loop(self):
        while True:
            self.wakeup.wait(1.0)
            self.wakeup.clear()
            if self.reaction_delay:
                time.sleep(self.reaction_delay)
            with self.app.store.condition:
                self.reconcile()

    def reconcile(self):
        """Override point: look at self.app.store objects and write statuses. Currently a no-op."""
