"""Starts a kube test server in a temporary directory and talks to it over HTTPS (stdlib only)."""
import http.client
import json
import os
import ssl
import subprocess
import sys
import tempfile
import time
import urllib.parse

SERVER = os.path.join(os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "server.py")
RECORDINGS = os.path.abspath(os.path.join(os.path.dirname(SERVER), "..", "..", "Fixtures", "kube-api"))


def recording(name):
    for file_name in os.listdir(RECORDINGS):
        if file_name.startswith(name):
            with open(os.path.join(RECORDINGS, file_name)) as handle:
                return json.load(handle)
    raise FileNotFoundError(name)


class Response:
    def __init__(self, status, headers, raw):
        self.status = status
        self.headers = headers
        self.raw = raw
        try:
            self.body = json.loads(raw) if raw else None
        except ValueError:
            self.body = raw.decode("utf-8", errors="replace")

    def header(self, name):
        return self.headers.get(name.lower())

    def header_values(self, name):
        return [v for k, v in self.header_list if k.lower() == name.lower()]


class TestServer:
    def __init__(self, *extra_args):
        self.state_dir = tempfile.mkdtemp(prefix="kube-test-server-")
        self.process = subprocess.Popen([sys.executable, SERVER, "--state-dir", self.state_dir] + list(extra_args),
                                        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        ready = os.path.join(self.state_dir, "ready.json")
        deadline = time.time() + 20
        while not os.path.exists(ready):
            if self.process.poll() is not None or time.time() > deadline:
                raise RuntimeError("server did not start: %s" % self.process.stderr.read().decode())
            time.sleep(0.05)
        with open(ready) as handle:
            self.port = json.load(handle)["port"]
        self.context = ssl.create_default_context(cafile=os.path.join(self.state_dir, "ca.crt"))

    def stop(self):
        self.process.terminate()
        try:
            self.process.wait(5)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.process.stderr.close()

    def connection(self, cert=None, timeout=30):
        context = self.context
        if cert:
            context = ssl.create_default_context(cafile=os.path.join(self.state_dir, "ca.crt"))
            context.load_cert_chain(os.path.join(self.state_dir, cert + ".crt"),
                                    os.path.join(self.state_dir, cert + ".key"))
        return http.client.HTTPSConnection("127.0.0.1", self.port, context=context, timeout=timeout)

    def request(self, method, path, query=None, body=None, headers=None, token="admin-token", cert=None,
                user_agent="python-requests/2.31.0"):
        target = path + ("?" + urllib.parse.urlencode(query) if query else "")
        all_headers = {"User-Agent": user_agent}
        if token:
            all_headers["Authorization"] = "Bearer " + token
        all_headers.update(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
        connection = self.connection(cert)
        try:
            connection.request(method, target, body=body, headers=all_headers)
            response = connection.getresponse()
            raw = response.read()
            result = Response(response.status, {k.lower(): v for k, v in response.getheaders()}, raw)
            result.header_list = response.getheaders()
            return result
        finally:
            connection.close()

    def control(self, method, path, body=None):
        return self.request(method, "/_test/" + path, body=body, token=None)

    def watch_lines(self, path, query, token="admin-token", timeout=30):
        """Yields parsed watch events until the server ends the stream."""
        connection = self.connection(timeout=timeout)
        connection.request("GET", path + "?" + urllib.parse.urlencode(query),
                           headers={"Authorization": "Bearer " + token})
        response = connection.getresponse()
        yield {"status": response.status, "content-type": response.getheader("Content-Type"),
               "transfer-encoding": response.getheader("Transfer-Encoding")}
        # Parse the chunked framing by hand so a stream cut without its final 0-size chunk is visible.
        raw = response.fp
        buffer = b""
        try:
            while True:
                size_line = raw.readline()
                if not size_line:
                    yield {"cut": True}
                    return
                size = int(size_line.split(b";")[0].strip(), 16)
                if size == 0:
                    return
                chunk = raw.read(size)
                raw.readline()
                if len(chunk) < size:
                    yield {"cut": True}
                    return
                buffer += chunk
                while b"\n" in buffer:
                    line, buffer = buffer.split(b"\n", 1)
                    if line.strip():
                        yield json.loads(line)
        except (ConnectionError, OSError, ValueError):
            yield {"cut": True}
        finally:
            connection.close()


VOLATILE_KEYS = ("uid", "creationTimestamp", "time", "resourceVersion", "lastTransitionTime_ignored")


def normalize(value):
    """Blanks what differs between runs: uids, timestamps, resourceVersions, continue tokens."""
    if isinstance(value, dict):
        result = {}
        for key, child in value.items():
            if key in VOLATILE_KEYS and isinstance(child, str):
                result[key] = "<%s>" % key
            elif key == "continue" and isinstance(child, str) and child:
                result[key] = "<continue start=%s>" % decode_start(child)
            else:
                result[key] = normalize(child)
        return result
    if isinstance(value, list):
        return [normalize(v) for v in value]
    return value


def decode_start(token):
    import base64
    padded = token + "=" * (-len(token) % 4)
    return json.loads(base64.urlsafe_b64decode(padded))["start"]
