#!/usr/bin/env python3
"""Fault-injecting loopback TCP proxy for the kubectl-gitops tests (stdlib only; see README.md).

    proxy.py --upstream-port PORT --state-dir DIR [--parent-pid PID] [--port 0] [--control-port 0] [--verbose]

Listens on 127.0.0.1 (port 0: the OS picks one) and forwards every connection, byte for byte, to 127.0.0.1:PORT, so
TLS passes through untouched. A plain-HTTP control API on a second loopback port switches what the proxy does
(pass, throttle, hold, holdAfterBytes, cutAfterBytes, answer) and reports counters. Writes DIR/ready.json
{"port", "controlPort", "pid"} once both listen; exits on SIGTERM/SIGINT or when --parent-pid is gone.
"""
import argparse
import errno
import fcntl
import http
import http.server
import json
import os
import select
import signal
import socket
import struct
import sys
import termios
import threading
import time

PIECE = 64 * 1024          # the most bytes read, buffered per direction or sent at once
TICK = 0.2                 # the longest any loop waits before it looks at the mode (and the stop flag) again
MAX_HEAD = 64 * 1024       # an HTTP request head longer than this is forwarded instead of answered
DRAIN_SECONDS = 2.0        # how long a closing answered connection reads what the client still sends
CUT_FLUSH_SECONDS = 1.0    # how long a cut waits for the bytes it let through to leave the send queue

MODES = ("pass", "throttle", "hold", "holdAfterBytes", "cutAfterBytes", "answer")
POLL_RDHUP = getattr(select, "POLLRDHUP", 0x2000)

STOP = threading.Event()
VERBOSE = False


def log(message):
    if VERBOSE:
        print(f"fault-proxy: {message}", file=sys.stderr, flush=True)


class ModeError(ValueError):
    pass


def validate_mode(body):
    """The normalized mode for a POST /mode body; raises ModeError."""
    if not isinstance(body, dict):
        raise ModeError("the body must be a JSON object")
    name = body.get("mode")
    if name not in MODES:
        raise ModeError(f"mode must be one of {', '.join(MODES)}")

    def integer(key, minimum, default=None):
        value = body.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
            raise ModeError(f"{name}: {key} must be an integer >= {minimum}")
        return value

    def direction():
        value = body.get("direction", "down")
        if value not in ("up", "down"):
            raise ModeError(f'{name}: direction must be "up" (client to upstream) or "down" (upstream to client)')
        return value

    if name == "throttle":
        return {"mode": name, "bytesPerSecond": integer("bytesPerSecond", 1)}
    if name in ("holdAfterBytes", "cutAfterBytes"):
        return {"mode": name, "bytes": integer("bytes", 0), "direction": direction()}
    if name == "answer":
        status = integer("status", 200)
        if status > 599:
            raise ModeError("answer: status must be 200...599")
        headers = body.get("headers", {})
        if not isinstance(headers, dict):
            raise ModeError("answer: headers must be an object of name to value")
        clean = {}
        for key, value in headers.items():
            text = str(value)
            if not key or any(c in key for c in "\r\n:") or any(c in text for c in "\r\n"):
                raise ModeError(f"answer: header {key!r} is not a valid header")
            clean[str(key)] = text
        text = body.get("body", "{}")
        if not isinstance(text, str):
            raise ModeError("answer: body must be a string")
        return {"mode": name, "status": status, "headers": clean, "count": integer("count", 1, 1), "body": text}
    return {"mode": name}


class State:
    """The current mode and the counters, shared by all threads under one lock."""

    COUNTERS = ("connections", "bytesUp", "bytesDown", "closedByClient", "answered", "cut", "upstreamFailures")

    def __init__(self):
        self.lock = threading.Lock()
        self.mode = {"mode": "pass"}
        # Bumped by every mode change: byte budgets (holdAfterBytes, cutAfterBytes) count from the change.
        self.epoch = 0
        self.counters = dict.fromkeys(self.COUNTERS, 0)
        self.open = 0

    def set_mode(self, mode):
        with self.lock:
            self.mode = mode
            self.epoch += 1
            return dict(self.mode)

    def snapshot(self):
        with self.lock:
            return self.epoch, self.mode

    def mode_json(self):
        with self.lock:
            return dict(self.mode)

    def add(self, counter, amount=1):
        with self.lock:
            self.counters[counter] += amount

    def opened(self):
        with self.lock:
            self.counters["connections"] += 1
            self.open += 1

    def closed(self):
        with self.lock:
            self.open -= 1

    def stats(self):
        with self.lock:
            return dict(self.counters, open=self.open)

    def reset_stats(self):
        with self.lock:
            self.counters = dict.fromkeys(self.COUNTERS, 0)
            return dict(self.counters, open=self.open)

    def answering(self):
        with self.lock:
            return self.mode["mode"] == "answer"

    def take_answer(self):
        """Claims one synthetic answer: the answer mode (with `last`) or None when none is left."""
        with self.lock:
            if self.mode["mode"] != "answer":
                return None
            mode = dict(self.mode)
            remaining = mode["count"] - 1
            self.counters["answered"] += 1
            if remaining <= 0:
                self.mode = {"mode": "pass"}
                self.epoch += 1
            else:
                self.mode = dict(self.mode, count=remaining)
            mode["last"] = remaining <= 0
            return mode


STATE = State()


# MARK: - Socket helpers

def abort(sock):
    """Closes with RST (SO_LINGER 0) instead of FIN."""
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    except OSError:
        pass
    sock.close()


def unsent_bytes(sock):
    try:
        return struct.unpack("i", fcntl.ioctl(sock.fileno(), termios.TIOCOUTQ, b"\0\0\0\0"))[0]
    except OSError:
        return 0


def flush_then_abort(*socks):
    """RSTs the sockets once what was sent has left their send queues (bounded), so the peer receives the bytes
    a cut lets through before it sees the reset."""
    deadline = time.monotonic() + CUT_FLUSH_SECONDS
    while time.monotonic() < deadline and any(unsent_bytes(s) for s in socks):
        time.sleep(0.005)
    for sock in socks:
        abort(sock)


def lingering_close(sock):
    """FIN, then reads (and drops) what the client still sends for a while, so closing with unread data does not
    turn into a RST that destroys the answer before the client has read it."""
    try:
        sock.shutdown(socket.SHUT_WR)
        deadline = time.monotonic() + DRAIN_SECONDS
        while not STOP.is_set():
            left = deadline - time.monotonic()
            if left <= 0:
                break
            readable, _, _ = select.select([sock], [], [], min(TICK, left))
            if readable and not sock.recv(PIECE):
                break
    except OSError:
        pass
    sock.close()


# MARK: - Forwarding

class Direction:
    """One direction of a connection: bytes read from src, buffered (at most PIECE) and written to dst."""

    def __init__(self, name, src, dst):
        self.name = name                  # "up" (client to upstream) or "down"
        self.src, self.dst = src, dst
        self.buf = bytearray()
        self.eof = False                  # src has sent FIN
        self.shut = False                 # the FIN was passed on (dst write side shut down)
        self.epoch = -1
        self.forwarded = 0                # bytes forwarded since the mode changed
        self.tokens = 0.0
        self.refilled = time.monotonic()

    def sync(self, epoch, now):
        if epoch != self.epoch:
            self.epoch = epoch
            self.forwarded = 0
            self.tokens = 0.0
            self.refilled = now

    def budget(self, mode):
        """Bytes this direction may forward now under the mode (None: no limit)."""
        kind = mode["mode"]
        if kind == "hold":
            return 0
        if kind in ("holdAfterBytes", "cutAfterBytes") and mode["direction"] == self.name:
            return max(0, mode["bytes"] - self.forwarded)
        if kind == "throttle":
            rate = mode["bytesPerSecond"]
            now = time.monotonic()
            capacity = max(1.0, rate * TICK)
            self.tokens = min(capacity, self.tokens + (now - self.refilled) * rate)
            self.refilled = now
            return int(self.tokens)
        return None

    def stalled(self, mode):
        kind = mode["mode"]
        if kind == "hold":
            return True
        return (kind == "holdAfterBytes" and mode["direction"] == self.name
                and self.forwarded >= mode["bytes"])


class Connection:
    def __init__(self, client, upstream, initial_up=b""):
        self.client, self.upstream = client, upstream
        self.up = Direction("up", client, upstream)
        self.down = Direction("down", upstream, client)
        self.up.buf += initial_up
        self.client_counted = False
        self.was_cut = False
        # Peer shut-downs seen while not reading that socket: not watched again until the mode changes, else poll
        # would report them over and over.
        self.hangups_seen = set()

    def client_ended(self):
        """Counts a client EOF or reset once, unless the proxy had already ended the stream towards the client."""
        if not self.client_counted and not self.down.shut and not self.was_cut:
            self.client_counted = True
            STATE.add("closedByClient")

    def close(self, reset=False):
        for sock in (self.client, self.upstream):
            if reset:
                abort(sock)
            else:
                sock.close()

    def failed(self, sock, reason):
        """An error or reset on one side: the other side is reset too."""
        log(f"{'client' if sock is self.client else 'upstream'}: {reason}")
        if sock is self.client:
            self.client_ended()
        self.close(reset=True)

    def run(self):
        try:
            self.pump()
        finally:
            self.close()

    def pump(self):
        for sock in (self.client, self.upstream):
            sock.setblocking(False)
        directions = (self.up, self.down)
        last_epoch = None
        while not STOP.is_set():
            epoch, mode = STATE.snapshot()
            now = time.monotonic()
            if epoch != last_epoch:
                last_epoch = epoch
                self.hangups_seen.clear()
            for d in directions:
                d.sync(epoch, now)

            if mode["mode"] == "cutAfterBytes":
                d = self.up if mode["direction"] == "up" else self.down
                if d.forwarded >= mode["bytes"]:
                    STATE.add("cut")
                    self.was_cut = True
                    log(f"cut after {d.forwarded} bytes {d.name}")
                    flush_then_abort(self.client, self.upstream)
                    return

            # Pass a FIN on once everything before it went out.
            for d in directions:
                if d.eof and not d.buf and not d.shut:
                    try:
                        d.dst.shutdown(socket.SHUT_WR)
                    except OSError:
                        pass
                    d.shut = True
            if self.up.shut and self.down.shut:
                return

            stalled = any(d.stalled(mode) for d in directions)
            interest = {self.client: 0, self.upstream: 0}
            budgets = {}
            timeout = TICK
            for d in directions:
                if not d.eof:
                    if len(d.buf) < PIECE:
                        interest[d.src] |= select.POLLIN
                    if d.src not in self.hangups_seen:
                        interest[d.src] |= POLL_RDHUP
                if d.buf:
                    budget = budgets[d] = d.budget(mode)
                    if budget is None or budget > 0:
                        interest[d.dst] |= select.POLLOUT
                    elif mode["mode"] == "throttle":
                        rate = mode["bytesPerSecond"]
                        wanted = min(len(d.buf), max(1, int(rate * 0.02)))
                        timeout = min(timeout, max(0.005, (wanted - d.tokens) / rate))
            poller = select.poll()
            for sock, mask in interest.items():
                if mask:
                    poller.register(sock, mask)
            events = dict(poller.poll(timeout * 1000))
            for sock in (self.client, self.upstream):
                mask = events.get(sock.fileno(), 0)
                if not mask:
                    continue
                source = self.up if sock is self.client else self.down   # the direction that reads sock
                sink = self.down if sock is self.client else self.up     # the direction that writes to sock
                if mask & select.POLLERR:
                    code = sock.getsockopt(socket.SOL_SOCKET, socket.SO_ERROR)
                    self.failed(sock, os.strerror(code) if code else "POLLERR")
                    return
                if interest[sock] & select.POLLIN and mask & (select.POLLIN | select.POLLHUP):
                    try:
                        data = sock.recv(PIECE - len(source.buf))
                    except (BlockingIOError, InterruptedError):
                        data = None
                    except OSError as error:
                        self.failed(sock, f"reset while reading: {error}")
                        return
                    if data:
                        source.buf += data
                    elif data is not None:
                        source.eof = True
                        if sock is self.client:
                            self.client_ended()
                            if stalled:
                                return      # a client giving up on a stalled server: the connection is over
                elif mask & (POLL_RDHUP | select.POLLHUP):
                    # The peer shut down while we are not reading from it (its buffer is full, or it is done).
                    if sock is self.client and stalled:
                        self.client_ended()
                        return
                    self.hangups_seen.add(sock)
                if mask & select.POLLOUT and interest[sock] & select.POLLOUT:
                    budget = budgets.get(sink)
                    size = min(len(sink.buf), PIECE if budget is None else min(PIECE, budget))
                    try:
                        sent = sock.send(sink.buf[:size])
                    except (BlockingIOError, InterruptedError):
                        sent = 0
                    except OSError as error:
                        self.failed(sock, f"reset while writing: {error}")
                        return
                    del sink.buf[:sent]
                    sink.forwarded += sent
                    if mode["mode"] == "throttle":
                        sink.tokens -= sent
                    STATE.add("bytesUp" if sink is self.up else "bytesDown", sent)


# MARK: - Synthetic answers (plain HTTP only)

class ClientGone(Exception):
    pass


class RequestReader:
    """Reads HTTP/1.x requests from a blocking-free client socket, with a buffer that keeps what follows."""

    def __init__(self, sock):
        self.sock = sock
        self.buf = bytearray()

    def more(self):
        while not STOP.is_set():
            readable, _, _ = select.select([self.sock], [], [], TICK)
            if not readable:
                continue
            try:
                data = self.sock.recv(PIECE)
            except (BlockingIOError, InterruptedError):
                continue
            except OSError as error:
                raise ClientGone(str(error))
            if not data:
                raise ClientGone("EOF")
            self.buf += data
            return
        raise ClientGone("stopping")

    def head(self):
        """The request head (without the blank line), or None when the bytes are not an HTTP request."""
        while True:
            if self.buf and not self.buf[:1].isalpha():
                return None
            end = self.buf.find(b"\r\n\r\n")
            if end >= 0:
                head = bytes(self.buf[:end])
                del self.buf[:end + 4]
                return head
            if len(self.buf) > MAX_HEAD:
                return None
            self.more()

    def line(self):
        while True:
            end = self.buf.find(b"\r\n")
            if end >= 0:
                line = bytes(self.buf[:end])
                del self.buf[:end + 2]
                return line
            if len(self.buf) > MAX_HEAD:
                raise ClientGone("chunk line too long")
            self.more()

    def skip(self, count):
        while count > 0:
            if not self.buf:
                self.more()
            piece = min(count, len(self.buf))
            del self.buf[:piece]
            count -= piece

    def skip_chunked(self):
        while True:
            size = int(self.line().split(b";")[0].strip() or b"0", 16)
            if size == 0:
                while self.line():
                    pass
                return
            self.skip(size)
            self.line()


def parse_head(head):
    lines = head.split(b"\r\n")
    parts = lines[0].split(b" ")
    method = parts[0].decode("latin-1")
    version = parts[2].decode("latin-1") if len(parts) > 2 else "HTTP/1.0"
    headers = {}
    for line in lines[1:]:
        name, _, value = line.partition(b":")
        headers[name.strip().lower().decode("latin-1")] = value.strip().decode("latin-1")
    return method, version, headers


def answer_bytes(mode, method, keep_alive):
    status = mode["status"]
    try:
        reason = http.HTTPStatus(status).phrase
    except ValueError:
        reason = "Status"
    body = mode["body"].encode()
    no_body = method == "HEAD" or status in (204, 304)
    lines = [f"HTTP/1.1 {status} {reason}"]
    names = {name.lower() for name in mode["headers"]}
    if "content-type" not in names:
        lines.append("Content-Type: application/json")
    if status != 204:
        lines.append(f"Content-Length: {len(body)}")
    lines += [f"{name}: {value}" for name, value in mode["headers"].items()]
    lines.append("Connection: " + ("keep-alive" if keep_alive else "close"))
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + (b"" if no_body else body)


def answer_requests(client):
    """Answers requests while the answer mode has some left. Returns the bytes to forward upstream (a request
    the proxy did not answer, or non-HTTP bytes), or None when the connection is finished."""
    reader = RequestReader(client)
    try:
        while True:
            head = reader.head()
            if head is None:
                return bytes(reader.buf)
            mode = STATE.take_answer()
            if mode is None:
                return head + b"\r\n\r\n" + bytes(reader.buf)
            method, version, headers = parse_head(head)
            log(f"answering {method} with {mode['status']}")
            expect_continue = headers.get("expect", "").lower() == "100-continue"
            if not expect_continue:
                if "chunked" in headers.get("transfer-encoding", "").lower():
                    reader.skip_chunked()
                else:
                    reader.skip(int(headers.get("content-length") or 0))
            connection = headers.get("connection", "").lower()
            keep_alive = (not mode["last"] and not expect_continue and "close" not in connection
                          and (version == "HTTP/1.1" or "keep-alive" in connection))
            client.settimeout(10)
            client.sendall(answer_bytes(mode, method, keep_alive))
            client.setblocking(False)
            if not keep_alive:
                lingering_close(client)
                return None
    except ClientGone as reason:
        log(f"client gone while answering: {reason}")
        STATE.add("closedByClient")
        client.close()
        return None
    except OSError as error:
        log(f"client error while answering: {error}")
        STATE.add("closedByClient")
        abort(client)
        return None


# MARK: - Listeners

def serve_connection(client, upstream_port):
    STATE.opened()
    try:
        client.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        initial = b""
        if STATE.answering():
            client.setblocking(False)
            initial = answer_requests(client)
            if initial is None:
                return
        try:
            upstream = socket.create_connection(("127.0.0.1", upstream_port), timeout=5)
        except OSError as error:
            log(f"upstream 127.0.0.1:{upstream_port} failed: {error}")
            STATE.add("upstreamFailures")
            client.close()
            return
        upstream.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        Connection(client, upstream, initial).run()
    except Exception as error:  # a broken connection must never take the proxy down
        log(f"connection failed: {error!r}")
        client.close()
    finally:
        STATE.closed()


def accept_loop(listener, upstream_port):
    while not STOP.is_set():
        readable, _, _ = select.select([listener], [], [], TICK)
        if not readable:
            continue
        try:
            client, _ = listener.accept()
        except (BlockingIOError, InterruptedError):
            continue
        except OSError as error:
            if error.errno in (errno.EMFILE, errno.ENFILE, errno.ENOBUFS, errno.ENOMEM):
                time.sleep(TICK)
                continue
            raise
        threading.Thread(target=serve_connection, args=(client, upstream_port), daemon=True).start()


class ControlHandler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "fault-proxy/1"

    def log_message(self, format, *args):
        log("control: " + format % args)

    def reply(self, status, value):
        body = json.dumps(value).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def read_json(self):
        length = int(self.headers.get("Content-Length") or 0)
        data = self.rfile.read(length) if length else b""
        try:
            return json.loads(data or b"{}")
        except ValueError as error:
            raise ModeError(f"the body is not JSON: {error}")

    def do_GET(self):
        if self.path == "/stats":
            self.reply(200, STATE.stats())
        elif self.path == "/mode":
            self.reply(200, STATE.mode_json())
        else:
            self.reply(404, {"error": f"no GET {self.path}; try /stats or /mode"})

    def do_POST(self):
        try:
            body = self.read_json()
            if self.path == "/mode":
                mode = STATE.set_mode(validate_mode(body))
                log(f"mode {mode}")
                self.reply(200, mode)
            elif self.path == "/reset-stats":
                self.reply(200, STATE.reset_stats())
            else:
                self.reply(404, {"error": f"no POST {self.path}; try /mode or /reset-stats"})
        except ModeError as error:
            self.reply(400, {"error": str(error)})


class ControlServer(http.server.ThreadingHTTPServer):
    daemon_threads = True
    allow_reuse_address = True


def main(argv=None):
    global VERBOSE
    parser = argparse.ArgumentParser(description="fault-injecting loopback TCP proxy")
    parser.add_argument("--upstream-port", type=int, required=True, help="forward to 127.0.0.1:PORT")
    parser.add_argument("--state-dir", required=True, help="where ready.json is written")
    parser.add_argument("--port", type=int, default=0, help="proxy port (0: any free one)")
    parser.add_argument("--control-port", type=int, default=0, help="control API port (0: any free one)")
    parser.add_argument("--parent-pid", type=int, help="exit when this process is gone")
    parser.add_argument("--verbose", action="store_true", help="log connections and control calls to stderr")
    options = parser.parse_args(argv)
    VERBOSE = options.verbose

    os.makedirs(options.state_dir, exist_ok=True)
    ready_path = os.path.join(options.state_dir, "ready.json")
    if os.path.exists(ready_path):
        os.remove(ready_path)

    listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", options.port))
    listener.listen(128)
    listener.setblocking(False)
    control = ControlServer(("127.0.0.1", options.control_port), ControlHandler)
    threading.Thread(target=control.serve_forever, kwargs={"poll_interval": TICK}, daemon=True).start()

    # A parent may hand down a blocked signal mask (Foundation's Process does); stopping must still work.
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGTERM, signal.SIGINT})
    signal.signal(signal.SIGTERM, lambda *_: STOP.set())
    signal.signal(signal.SIGINT, lambda *_: STOP.set())
    if options.parent_pid:
        def watch_parent():
            while not STOP.is_set():
                try:
                    os.kill(options.parent_pid, 0)
                except ProcessLookupError:
                    log(f"parent {options.parent_pid} is gone")
                    STOP.set()
                    return
                except PermissionError:
                    pass
                STOP.wait(0.5)
        threading.Thread(target=watch_parent, daemon=True).start()

    ready = {"port": listener.getsockname()[1], "controlPort": control.server_address[1], "pid": os.getpid()}
    temporary = ready_path + ".tmp"
    with open(temporary, "w") as handle:
        json.dump(ready, handle)
    os.replace(temporary, ready_path)
    log(f"listening {ready}, upstream 127.0.0.1:{options.upstream_port}")
    try:
        accept_loop(listener, options.upstream_port)
    finally:
        listener.close()
        control.server_close()


if __name__ == "__main__":
    main()
