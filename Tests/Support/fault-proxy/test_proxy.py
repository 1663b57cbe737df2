"""Tests for proxy.py: `cd Tests/Support/fault-proxy && python3 -m unittest -v`.

Every test starts its own proxy (a subprocess, as the Swift launcher runs it) in front of an upstream served by this
process, on 127.0.0.1 only. Nothing here measures time: tests wait for counters with a generous deadline and use
short client-side socket timeouts only to show that nothing arrives.
"""
import http.client
import http.server
import json
import os
import socket
import socketserver
import subprocess
import sys
import tempfile
import threading
import time
import unittest
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
PROXY = os.path.join(HERE, "proxy.py")
WAIT = 15.0     # the deadline of every wait for a condition; never an expectation about speed


def pattern(count):
    return bytes(i % 251 for i in range(count))


class Upstream(http.server.BaseHTTPRequestHandler):
    """GET /hello → {"hello":"world"}; GET /bytes?n=N → N pattern bytes; POST /upload → {"received": n}."""
    protocol_version = "HTTP/1.1"
    requests = []
    lock = threading.Lock()

    def log_message(self, *args):
        pass

    def reply(self, body, content_type="application/json"):
        self.send_response(200)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        url = urllib.parse.urlsplit(self.path)
        with self.lock:
            self.requests.append((self.command, url.path))
        received = 0
        if "chunked" in (self.headers.get("Transfer-Encoding") or ""):
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                received += len(self.rfile.read(size)) if size else 0
                self.rfile.readline()
                if not size:
                    break
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                piece = self.rfile.read(min(remaining, 65536))
                if not piece:
                    return
                received += len(piece)
                remaining -= len(piece)
        if url.path == "/bytes":
            self.reply(pattern(int(urllib.parse.parse_qs(url.query)["n"][0])), "application/octet-stream")
        elif url.path == "/upload":
            self.reply(json.dumps({"received": received}).encode())
        else:
            self.reply(b'{"hello": "world"}')

    do_GET = do_POST = do_HEAD = handle_any


class HTTPUpstream(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        pass    # resets are what these tests cause


class RawUpstream(socketserver.ThreadingTCPServer):
    """echo-at-eof: reads until EOF, answers b"got N" and closes. sink: counts bytes until EOF or reset."""
    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, behaviour):
        self.behaviour = behaviour
        self.sunk = []          # (bytes received, ended by reset) per connection of a sink
        self.done = threading.Event()
        super().__init__(("127.0.0.1", 0), RawHandler)

    def handle_error(self, request, client_address):
        pass


class RawHandler(socketserver.BaseRequestHandler):
    def handle(self):
        total, reset = 0, False
        while True:
            try:
                piece = self.request.recv(65536)
            except ConnectionResetError:
                reset = True
                break
            if not piece:
                break
            total += len(piece)
        if self.server.behaviour == "echo-at-eof":
            self.request.sendall(b"got %d" % total)
        else:
            self.server.sunk.append((total, reset))
            self.server.done.set()


def serve(server):
    threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1}, daemon=True).start()
    return server


class ProxyTestCase(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        cls.http_upstream = serve(HTTPUpstream(("127.0.0.1", 0), Upstream))

    @classmethod
    def tearDownClass(cls):
        cls.http_upstream.shutdown()
        cls.http_upstream.server_close()

    def setUp(self):
        with Upstream.lock:
            Upstream.requests.clear()
        self.port, self.control_port, self.process = self.start_proxy(self.http_upstream.server_address[1])

    def start_proxy(self, upstream_port, parent_pid=None):
        state_dir = tempfile.mkdtemp(prefix="fault-proxy-test-")
        log = open(os.path.join(state_dir, "proxy.log"), "w")
        process = subprocess.Popen(
            [sys.executable, PROXY, "--upstream-port", str(upstream_port), "--state-dir", state_dir,
             "--parent-pid", str(parent_pid or os.getpid()), "--verbose"],
            stdout=log, stderr=log, stdin=subprocess.DEVNULL)
        log.close()

        def cleanup():
            if process.poll() is None:
                process.terminate()
                try:
                    process.wait(5)
                except subprocess.TimeoutExpired:
                    process.kill()
                    process.wait()
            for name in ("ready.json", "proxy.log"):
                try:
                    os.remove(os.path.join(state_dir, name))
                except FileNotFoundError:
                    pass
            os.rmdir(state_dir)

        self.addCleanup(cleanup)
        ready_path = os.path.join(state_dir, "ready.json")
        deadline = time.monotonic() + WAIT
        while not os.path.exists(ready_path):
            if process.poll() is not None or time.monotonic() > deadline:
                self.fail("the proxy did not write ready.json: " + open(os.path.join(state_dir, "proxy.log")).read())
            time.sleep(0.01)
        with open(ready_path) as handle:
            ready = json.load(handle)
        self.assertEqual(ready["pid"], process.pid)
        return ready["port"], ready["controlPort"], process

    # MARK: helpers

    def control(self, method, path, body=None, port=None):
        connection = http.client.HTTPConnection("127.0.0.1", port or self.control_port, timeout=10)
        try:
            payload = None if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            connection.request(method, path, body=payload, headers={"Content-Type": "application/json"})
            response = connection.getresponse()
            return response.status, json.loads(response.read())
        finally:
            connection.close()

    def set_mode(self, **mode):
        status, answer = self.control("POST", "/mode", mode)
        self.assertEqual(status, 200, answer)
        return answer

    def stats(self, port=None):
        status, answer = self.control("GET", "/stats", port=port)
        self.assertEqual(status, 200)
        return answer

    def wait_for(self, condition, what, port=None):
        deadline = time.monotonic() + WAIT
        while True:
            stats = self.stats(port)
            if condition(stats):
                return stats
            if time.monotonic() > deadline:
                self.fail(f"the proxy never reached {what}; stats: {stats}")
            time.sleep(0.02)

    def raw(self, port=None):
        sock = socket.create_connection(("127.0.0.1", port or self.port), timeout=10)
        self.addCleanup(sock.close)
        return sock

    def read_until_silent(self, sock, quiet=0.5):
        """Everything that arrives until nothing more comes for `quiet` seconds (or the stream ends)."""
        sock.settimeout(quiet)
        data = bytearray()
        while True:
            try:
                piece = sock.recv(65536)
            except socket.timeout:
                return bytes(data), "silent"
            if not piece:
                return bytes(data), "eof"
            data += piece

    def http(self, port=None, timeout=10):
        connection = http.client.HTTPConnection("127.0.0.1", port or self.port, timeout=timeout)
        self.addCleanup(connection.close)
        return connection

    def background(self, target):
        result = {}

        def run():
            try:
                result["value"] = target()
            except Exception as error:  # reported by the test that joins
                result["error"] = error

        thread = threading.Thread(target=run, daemon=True)
        thread.start()
        return thread, result


class PassTests(ProxyTestCase):
    def test_pass_forwards_http_and_counts_bytes(self):
        connection = self.http()
        connection.request("GET", "/bytes?n=100000")
        response = connection.getresponse()
        self.assertEqual(response.status, 200)
        self.assertEqual(response.read(), pattern(100000))
        stats = self.stats()
        self.assertEqual(stats["connections"], 1)
        self.assertEqual(stats["open"], 1)
        self.assertGreater(stats["bytesUp"], 0)
        self.assertGreater(stats["bytesDown"], 100000)
        self.assertEqual(stats["closedByClient"], 0)
        connection.close()
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual(stats["closedByClient"], 1)

    def test_a_connection_the_upstream_closes_is_cleaned_up_and_not_counted_as_closed_by_the_client(self):
        connection = self.http()
        connection.request("GET", "/hello", headers={"Connection": "close"})
        response = connection.getresponse()
        self.assertEqual(json.loads(response.read()), {"hello": "world"})
        connection.close()
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual(stats["closedByClient"], 0)

    def test_a_half_close_is_passed_on(self):
        echo = serve(RawUpstream("echo-at-eof"))
        self.addCleanup(echo.server_close)
        self.addCleanup(echo.shutdown)
        port, control_port, _ = self.start_proxy(echo.server_address[1])
        sock = self.raw(port)
        sock.sendall(b"x" * 100000)
        sock.shutdown(socket.SHUT_WR)
        self.assertEqual(self.read_until_silent(sock, quiet=10), (b"got 100000", "eof"))
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection", port=control_port)
        self.assertEqual(stats["bytesUp"], 100000)
        self.assertEqual(stats["bytesDown"], len(b"got 100000"))

    def test_an_upstream_that_refuses_closes_the_client_connection(self):
        closed = socket.socket()
        closed.bind(("127.0.0.1", 0))
        free_port = closed.getsockname()[1]
        closed.close()
        port, control_port, _ = self.start_proxy(free_port)
        sock = self.raw(port)
        try:
            data = sock.recv(100)
        except ConnectionResetError:
            data = b""
        self.assertEqual(data, b"")
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection", port=control_port)
        self.assertEqual(stats["upstreamFailures"], 1)

    def test_reset_stats_zeroes_the_counters(self):
        connection = self.http()
        connection.request("GET", "/hello")
        connection.getresponse().read()
        status, stats = self.control("POST", "/reset-stats")
        self.assertEqual(status, 200)
        self.assertEqual(stats, {"connections": 0, "open": 1, "bytesUp": 0, "bytesDown": 0, "closedByClient": 0,
                                 "answered": 0, "cut": 0, "upstreamFailures": 0})

    def test_invalid_control_calls_are_rejected(self):
        for body in ({"mode": "nope"}, {"mode": "throttle"}, {"mode": "throttle", "bytesPerSecond": 0},
                     {"mode": "cutAfterBytes", "bytes": 10, "direction": "sideways"},
                     {"mode": "answer", "status": 503, "count": 0}, {"mode": "answer"},
                     {"mode": "answer", "status": 503, "headers": {"Bad\r\nHeader": "1"}}, [1], b"{not json"):
            status, answer = self.control("POST", "/mode", body)
            self.assertEqual(status, 400, body)
            self.assertIn("error", answer)
        self.assertEqual(self.control("GET", "/nothing")[0], 404)
        self.assertEqual(self.control("GET", "/mode"), (200, {"mode": "pass"}))


class ThrottleTests(ProxyTestCase):
    def test_throttle_limits_a_download_until_pass_releases_it(self):
        self.set_mode(mode="throttle", bytesPerSecond=2000)
        connection = self.http(timeout=60)

        def download():
            connection.request("GET", "/bytes?n=200000")
            return connection.getresponse().read()

        thread, result = self.background(download)
        stats = self.wait_for(lambda s: s["bytesDown"] >= 1000, "1000 bytes down")
        self.assertLess(stats["bytesDown"], 200000)
        self.assertTrue(thread.is_alive())
        self.set_mode(mode="pass")
        thread.join(WAIT)
        self.assertEqual(result.get("value"), pattern(200000), result.get("error"))

    def test_throttle_limits_an_upload_until_pass_releases_it(self):
        self.set_mode(mode="throttle", bytesPerSecond=2000)
        connection = self.http(timeout=60)

        def upload():
            connection.request("POST", "/upload", body=pattern(200000))
            return json.loads(connection.getresponse().read())

        thread, result = self.background(upload)
        stats = self.wait_for(lambda s: s["bytesUp"] >= 1000, "1000 bytes up")
        self.assertLess(stats["bytesUp"], 200000)
        self.assertTrue(thread.is_alive())
        self.set_mode(mode="pass")
        thread.join(WAIT)
        self.assertEqual(result.get("value"), {"received": 200000}, result.get("error"))


class HoldTests(ProxyTestCase):
    def test_hold_accepts_and_reads_but_never_answers(self):
        self.set_mode(mode="hold")
        sock = self.raw()
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: test\r\n\r\n")
        sock.settimeout(0.5)
        with self.assertRaises(socket.timeout):
            sock.recv(100)
        stats = self.stats()
        self.assertEqual((stats["connections"], stats["open"], stats["bytesUp"], stats["bytesDown"]), (1, 1, 0, 0))
        self.assertEqual(Upstream.requests, [])
        sock.close()
        stats = self.wait_for(lambda s: s["closedByClient"] == 1, "the client's close")
        self.wait_for(lambda s: s["open"] == 0, "no open connection")

    def test_pass_after_hold_delivers_what_was_held(self):
        self.set_mode(mode="hold")
        sock = self.raw()
        sock.sendall(b"GET /hello HTTP/1.1\r\nHost: test\r\nConnection: close\r\n\r\n")
        self.wait_for(lambda s: s["connections"] == 1, "a connection")
        self.set_mode(mode="pass")
        data, end = self.read_until_silent(sock, quiet=10)
        self.assertTrue(data.startswith(b"HTTP/1.1 200 "), data)
        self.assertTrue(data.endswith(b'{"hello": "world"}'), data)
        self.assertEqual(end, "eof")

    def test_hold_after_bytes_down_stalls_the_response(self):
        self.set_mode(mode="holdAfterBytes", bytes=1000, direction="down")
        sock = self.raw()
        sock.sendall(b"GET /bytes?n=100000 HTTP/1.1\r\nHost: test\r\n\r\n")
        data, end = self.read_until_silent(sock)
        self.assertEqual((len(data), end), (1000, "silent"))
        self.assertTrue(data.startswith(b"HTTP/1.1 200 "))
        self.assertEqual(self.stats()["bytesDown"], 1000)
        sock.close()
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual(stats["closedByClient"], 1)
        self.assertEqual(stats["bytesDown"], 1000)

    def test_hold_after_bytes_up_stalls_the_upload(self):
        self.set_mode(mode="holdAfterBytes", bytes=500, direction="up")
        sock = self.raw()
        sock.sendall(b"POST /upload HTTP/1.1\r\nHost: test\r\nContent-Length: 20000\r\n\r\n" + pattern(20000))
        self.wait_for(lambda s: s["bytesUp"] >= 500, "500 bytes up")
        data, end = self.read_until_silent(sock)
        self.assertEqual((data, end), (b"", "silent"))
        self.assertEqual(self.stats()["bytesUp"], 500)
        sock.close()
        self.wait_for(lambda s: s["closedByClient"] == 1 and s["open"] == 0, "the client's close")


class CutTests(ProxyTestCase):
    def test_cut_after_bytes_down_resets_after_exactly_those_bytes(self):
        self.set_mode(mode="cutAfterBytes", bytes=1000, direction="down")
        sock = self.raw()
        sock.sendall(b"GET /bytes?n=100000 HTTP/1.1\r\nHost: test\r\n\r\n")
        data = bytearray()
        with self.assertRaises(ConnectionResetError):
            while True:
                piece = sock.recv(65536)
                if not piece:
                    break
                data += piece
        self.assertEqual(len(data), 1000)
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual((stats["cut"], stats["closedByClient"], stats["bytesDown"]), (1, 0, 1000))

    def test_cut_after_bytes_up_resets_both_sides(self):
        sink = serve(RawUpstream("sink"))
        self.addCleanup(sink.server_close)
        self.addCleanup(sink.shutdown)
        port, control_port, _ = self.start_proxy(sink.server_address[1])
        status, _ = self.control("POST", "/mode", {"mode": "cutAfterBytes", "bytes": 300, "direction": "up"},
                                 port=control_port)
        self.assertEqual(status, 200)
        sock = self.raw(port)
        sock.sendall(b"y" * 10000)
        with self.assertRaises(ConnectionResetError):
            sock.recv(100)
        self.assertTrue(sink.done.wait(WAIT))
        self.assertEqual(sink.sunk, [(300, True)])
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection", port=control_port)
        self.assertEqual((stats["cut"], stats["bytesUp"]), (1, 300))

    def test_cut_after_zero_bytes_resets_at_once(self):
        self.set_mode(mode="cutAfterBytes", bytes=0, direction="up")
        for _ in range(2):
            connection = self.http()
            with self.assertRaises((ConnectionResetError, http.client.RemoteDisconnected, BrokenPipeError)):
                connection.request("GET", "/hello")
                connection.getresponse()
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual((stats["connections"], stats["cut"], stats["bytesUp"]), (2, 2, 0))
        self.assertEqual(Upstream.requests, [])


class AnswerTests(ProxyTestCase):
    def test_answer_serves_count_responses_then_passes(self):
        self.set_mode(mode="answer", status=503, headers={"Retry-After": "1"}, count=2)
        statuses = []
        for _ in range(3):
            connection = self.http()
            connection.request("GET", "/hello")
            response = connection.getresponse()
            body = response.read()
            statuses.append(response.status)
            if response.status == 503:
                self.assertEqual(body, b"{}")
                self.assertEqual(response.getheader("Retry-After"), "1")
                self.assertEqual(response.getheader("Content-Type"), "application/json")
            else:
                self.assertEqual(json.loads(body), {"hello": "world"})
            connection.close()
        self.assertEqual(statuses, [503, 503, 200])
        stats = self.stats()
        self.assertEqual((stats["answered"], stats["connections"]), (2, 3))
        self.assertEqual(Upstream.requests, [("GET", "/hello")])
        self.assertEqual(self.control("GET", "/mode"), (200, {"mode": "pass"}))

    def test_answers_keep_the_connection_alive_while_some_are_left_and_consume_request_bodies(self):
        self.set_mode(mode="answer", status=429, count=3, body='{"kind":"Status"}')
        connection = self.http()
        connection.request("POST", "/upload", body=pattern(5000))
        first = connection.getresponse()
        self.assertEqual((first.status, first.read()), (429, b'{"kind":"Status"}'))
        self.assertEqual(first.getheader("Connection"), "keep-alive")
        connection.request("POST", "/upload", body=iter([pattern(3000), pattern(100)]), encode_chunked=True)
        second = connection.getresponse()
        self.assertEqual((second.status, second.read()), (429, b'{"kind":"Status"}'))
        connection.request("HEAD", "/hello")
        third = connection.getresponse()
        self.assertEqual((third.status, third.read(), third.getheader("Connection")), (429, b"", "close"))
        self.assertEqual(self.stats()["connections"], 1)
        connection.request("GET", "/hello")     # http.client reconnects: the proxy closed after the last answer
        fourth = connection.getresponse()
        self.assertEqual((fourth.status, json.loads(fourth.read())), (200, {"hello": "world"}))
        stats = self.stats()
        self.assertEqual((stats["answered"], stats["connections"]), (3, 2))
        self.assertEqual(Upstream.requests, [("GET", "/hello")])

    def test_answer_forwards_bytes_that_are_not_http(self):
        echo = serve(RawUpstream("echo-at-eof"))
        self.addCleanup(echo.server_close)
        self.addCleanup(echo.shutdown)
        port, control_port, _ = self.start_proxy(echo.server_address[1])
        status, _ = self.control("POST", "/mode", {"mode": "answer", "status": 503}, port=control_port)
        self.assertEqual(status, 200)
        sock = self.raw(port)
        sock.sendall(b"\x16\x03\x01 not http")
        sock.shutdown(socket.SHUT_WR)
        self.assertEqual(self.read_until_silent(sock, quiet=10), (b"got 12", "eof"))
        self.assertEqual(self.stats(control_port)["answered"], 0)

    def test_a_client_that_leaves_before_its_request_is_answered_counts_as_closed_by_the_client(self):
        self.set_mode(mode="answer", status=503)
        sock = self.raw()
        sock.sendall(b"GET /hello HTTP/1.1\r\n")
        self.wait_for(lambda s: s["connections"] == 1, "a connection")
        sock.close()
        stats = self.wait_for(lambda s: s["open"] == 0, "no open connection")
        self.assertEqual((stats["closedByClient"], stats["answered"]), (1, 0))


class LifecycleTests(ProxyTestCase):
    def test_the_proxy_exits_when_its_parent_is_gone(self):
        parent = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(60)"])
        self.addCleanup(parent.kill)
        _, _, process = self.start_proxy(self.http_upstream.server_address[1], parent_pid=parent.pid)
        parent.kill()
        parent.wait()
        self.assertEqual(process.wait(WAIT), 0)

    def test_sigterm_stops_the_proxy(self):
        self.process.terminate()
        self.assertEqual(self.process.wait(WAIT), 0)


if __name__ == "__main__":
    unittest.main()
