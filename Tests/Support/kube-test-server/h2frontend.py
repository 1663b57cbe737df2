"""HTTP/2 (TLS ALPN h2) for the kube test server, served by the same request handler as HTTP/1.1.

server.py hands every TLS connection that negotiated h2 to serve(). One thread per connection owns the TLS socket
and the h2 state machine. Each stream becomes one HTTP/1.1 exchange with the server's own handler over a
socketpair, on a thread of its own: the request goes in as HTTP/1.1 (`Connection: close`; a body without
content-length is chunked), the answer comes back as HTTP/1.1 and leaves as HEADERS + DATA (de-chunked, under the
peer's flow-control windows, END_STREAM at its end). Routing, authentication, faults, the request log and watches
therefore have one implementation:
- the handler's end of the socketpair is a StreamSocket: `getpeercert()` answers the TLS client certificate of the
  connection, and `http_protocol` / `added_headers` tell the request log what the client really sent;
- an answer that stops before it is complete (a cut watch, `cutWatchAfterEvents`) resets its stream with
  RST_STREAM INTERNAL_ERROR once the bytes before the cut are sent (curl: exit 92, "stream was not closed cleanly");
- a stream the client resets (or a connection that goes away) closes the socketpair, which the handler notices
  as a client that went away, so a cancelled watch ends its handler thread.
"""
import collections
import select
import socket
import ssl
import sys
import threading

try:
    import h2.config
    import h2.connection
    import h2.errors
    import h2.events
    import h2.exceptions
except ImportError:  # pragma: no cover - deps are installed by `make deps`
    raise SystemExit("kube-test-server: the Python module h2 is missing; run `make deps` "
                     "(or python3 -m pip install h2)")

PROTOCOL = "HTTP/2"
# Connection-specific fields never cross between HTTP/2 and HTTP/1.1 (RFC 9113 8.2.2); each side is framed here.
REQUEST_DROPPED = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade", b"te",
                   b"host", b"expect", b"http2-settings"}
RESPONSE_DROPPED = {b"connection", b"keep-alive", b"proxy-connection", b"transfer-encoding", b"upgrade"}
# Answer bytes buffered per stream before its socketpair is no longer read (the client's window is full).
MAX_PENDING = 1 << 20
READ_SIZE = 65536


class StreamSocket(socket.socket):
    """The handler's end of one stream's socketpair; it answers like the TLS connection the stream came on."""

    http_protocol = PROTOCOL

    def getpeercert(self, binary_form=False):
        return self.peer_certificate_der if binary_form else self.peer_certificate


def _stream_socket(plain, peer_certificate, peer_certificate_der, added_headers):
    sock = StreamSocket(plain.family, plain.type, plain.proto, fileno=plain.detach())
    sock.peer_certificate = peer_certificate
    sock.peer_certificate_der = peer_certificate_der
    # Request fields the frontend added for HTTP/1.1 framing; the request log leaves them out.
    sock.added_headers = added_headers
    return sock


class ResponseParser:
    """Incremental HTTP/1.1 response parser: the head, then the body by chunks, Content-Length or until EOF."""

    def __init__(self, head_request):
        self.head_request = head_request
        self.buffer = bytearray()
        self.state = "head"
        self.remaining = 0

    def feed(self, data):
        """Returns (head or None, body bytes, whether the answer is complete); head is (status, [(name, value)])."""
        self.buffer += data
        head = None
        body = bytearray()
        while True:
            if self.state == "head":
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    break
                block = bytes(self.buffer[:end])
                del self.buffer[:end + 4]
                lines = block.split(b"\r\n")
                status = int(lines[0].split(b" ", 2)[1])
                if 100 <= status < 200:
                    continue  # 100 Continue: HTTP/2 needs none of it
                headers = []
                for line in lines[1:]:
                    name, _, value = line.partition(b":")
                    headers.append((name.strip().lower(), value.strip()))
                head = (status, headers)
                fields = dict(headers)
                if self.head_request or status in (204, 304):
                    self.state = "done"
                elif b"chunked" in fields.get(b"transfer-encoding", b"").lower():
                    self.state = "size"
                elif b"content-length" in fields:
                    self.remaining = int(fields[b"content-length"])
                    self.state = "length" if self.remaining else "done"
                else:
                    self.state = "eof"
            elif self.state == "size":
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                line = bytes(self.buffer[:end])
                del self.buffer[:end + 2]
                self.remaining = int(line.split(b";")[0].strip() or b"0", 16)
                self.state = "chunk" if self.remaining else "trailer"
            elif self.state in ("chunk", "length"):
                if not self.buffer:
                    break
                take = min(self.remaining, len(self.buffer))
                body += self.buffer[:take]
                del self.buffer[:take]
                self.remaining -= take
                if self.remaining == 0:
                    self.state = "chunk-end" if self.state == "chunk" else "done"
            elif self.state == "chunk-end":
                if len(self.buffer) < 2:
                    break
                del self.buffer[:2]
                self.state = "size"
            elif self.state == "trailer":
                end = self.buffer.find(b"\r\n")
                if end < 0:
                    break
                del self.buffer[:end + 2]
                if end == 0:
                    self.state = "done"
            elif self.state == "eof":
                body += self.buffer
                self.buffer.clear()
                break
            else:  # done: nothing may follow on a `Connection: close` exchange
                self.buffer.clear()
                break
        return head, bytes(body), self.state == "done"

    def finish(self):
        """At EOF from the handler: whether its answer was complete (a close-delimited body ends here)."""
        if self.state == "eof":
            self.state = "done"
        return self.state == "done"


class Stream:
    def __init__(self, stream_id, sock, head_request, chunked):
        self.id = stream_id
        self.sock = sock                       # the frontend's end of the socketpair (non-blocking); None once read
        self.chunked = chunked                 # the request body goes to the handler chunked
        self.inbound = collections.deque()     # [bytearray to write to the handler, flow-controlled bytes to ack]
        self.parser = ResponseParser(head_request)
        self.head = None
        self.headers_sent = False
        self.outbound = bytearray()            # answer body waiting for flow-control window
        self.complete = False                  # the handler's answer ended properly: END_STREAM after outbound
        self.broken = False                    # it ended early: RST_STREAM after outbound


class Connection:
    def __init__(self, tls, client_address, server):
        self.tls = tls
        self.client_address = client_address
        self.server = server
        self.h2 = h2.connection.H2Connection(h2.config.H2Configuration(client_side=False, header_encoding=None))
        self.streams = {}
        self.peer_certificate = tls.getpeercert()
        self.peer_certificate_der = tls.getpeercert(True)
        self.open = True

    def run(self):
        try:
            self.h2.initiate_connection()
            self.flush()
            while self.open:
                self.step()
            self.log("connection closed by the client")
        except (OSError, h2.exceptions.ProtocolError):
            pass  # the client went away or broke the protocol (h2 queued the GOAWAY; flushed below if possible)
        finally:
            for stream in list(self.streams.values()):
                self.drop(stream)
            try:
                self.flush()
            except OSError:
                pass

    # ------------------------------------------------------------------------------------------- loop
    def step(self):
        readers = [self.tls]
        writers = []
        for stream in self.streams.values():
            if stream.sock is None:
                continue
            if len(stream.outbound) < MAX_PENDING:
                readers.append(stream.sock)
            if stream.inbound:
                writers.append(stream.sock)
        if self.tls.pending():
            readable, writable = [self.tls], []
        else:
            readable, writable, _ = select.select(readers, writers, [])
        if self.tls in readable:
            self.read_tls()
        for stream in list(self.streams.values()):
            if stream.sock is not None and stream.sock in writable:
                self.write_request(stream)
            if stream.sock is not None and stream.sock in readable:
                self.read_answer(stream)
        for stream in list(self.streams.values()):
            self.pump(stream)
        self.flush()

    def read_tls(self):
        try:
            data = self.tls.recv(READ_SIZE)
        except (ssl.SSLWantReadError, ssl.SSLWantWriteError):
            return
        if not data:
            self.open = False
            return
        try:
            events = self.h2.receive_data(data)
        except h2.exceptions.ProtocolError:
            self.flush()
            self.open = False
            return
        for event in events:
            self.handle(event)

    def flush(self):
        data = self.h2.data_to_send()
        if data:
            self.tls.sendall(data)

    def log(self, message):
        if getattr(self.server.RequestHandlerClass.app.options, "verbose", False):
            sys.stderr.write("kube-test-server: h2 %s:%d: %s\n" % (self.client_address[0], self.client_address[1],
                                                                   message))

    # ------------------------------------------------------------------------------------------ events
    def handle(self, event):
        if isinstance(event, h2.events.RequestReceived):
            self.start(event)
        elif isinstance(event, h2.events.DataReceived):
            stream = self.streams.get(event.stream_id)
            if stream is not None and stream.sock is not None:
                data = b"%x\r\n%s\r\n" % (len(event.data), event.data) if stream.chunked and event.data \
                    else event.data
                stream.inbound.append([bytearray(data), event.flow_controlled_length])
            elif event.flow_controlled_length:
                self.h2.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
        elif isinstance(event, h2.events.StreamEnded):
            stream = self.streams.get(event.stream_id)
            if stream is not None and stream.sock is not None and stream.chunked:
                stream.inbound.append([bytearray(b"0\r\n\r\n"), 0])
        elif isinstance(event, h2.events.StreamReset):
            self.log("stream %d reset by the client (%s)" % (event.stream_id, event.error_code))
            stream = self.streams.pop(event.stream_id, None)
            if stream is not None:
                self.drop(stream)
        elif isinstance(event, h2.events.ConnectionTerminated):
            self.log("GOAWAY from the client (%s)" % event.error_code)
            self.open = False

    def start(self, event):
        pseudo = {name: value for name, value in event.headers if name.startswith(b":")}
        method, path = pseudo.get(b":method"), pseudo.get(b":path")
        if not method or not path or method == b"CONNECT":
            self.h2.reset_stream(event.stream_id, h2.errors.ErrorCodes.PROTOCOL_ERROR)
            return
        authority = pseudo.get(b":authority") or dict(event.headers).get(b"host", b"")
        lines = [b"%s %s HTTP/1.1" % (method, path), b"Host: " + authority]
        has_length = False
        for name, value in event.headers:
            if name.startswith(b":") or name in REQUEST_DROPPED:
                continue
            has_length = has_length or name == b"content-length"
            lines.append(name + b": " + value)
        lines.append(b"Connection: close")
        chunked = event.stream_ended is None and not has_length
        if chunked:
            lines.append(b"Transfer-Encoding: chunked")
        frontend, backend = socket.socketpair()
        frontend.setblocking(False)
        handler_socket = _stream_socket(backend, self.peer_certificate, self.peer_certificate_der,
                                        ("Transfer-Encoding",) if chunked else ())
        stream = Stream(event.stream_id, frontend, method == b"HEAD", chunked)
        stream.inbound.append([bytearray(b"\r\n".join(lines) + b"\r\n\r\n"), 0])
        self.streams[event.stream_id] = stream
        threading.Thread(target=self.serve_stream, args=(handler_socket,), daemon=True,
                         name="h2-stream-%d" % event.stream_id).start()

    def serve_stream(self, sock):
        """One stream's exchange with the server's handler (its own thread, like an HTTP/1.1 connection's)."""
        try:
            self.server.RequestHandlerClass(sock, self.client_address, self.server)
        except Exception:  # noqa: BLE001 - reported like any handler error
            self.server.handle_error(sock, self.client_address)
        finally:
            try:
                sock.shutdown(socket.SHUT_WR)
            except OSError:
                pass
            sock.close()

    # ------------------------------------------------------------------------------------ both directions
    def write_request(self, stream):
        try:
            while stream.inbound:
                piece, acknowledged = stream.inbound[0]
                sent = stream.sock.send(piece)
                del piece[:sent]
                if piece:
                    return
                stream.inbound.popleft()
                if acknowledged:
                    self.h2.acknowledge_received_data(acknowledged, stream.id)
        except BlockingIOError:
            return
        except OSError:
            # The handler stopped reading (it answered without the body); give the window back.
            for _, acknowledged in stream.inbound:
                if acknowledged:
                    self.h2.acknowledge_received_data(acknowledged, stream.id)
            stream.inbound.clear()

    def read_answer(self, stream):
        try:
            data = stream.sock.recv(READ_SIZE)
        except BlockingIOError:
            return
        except OSError:
            data = b""
        if data:
            head, body, done = stream.parser.feed(data)
            if head is not None:
                stream.head = head
            stream.outbound += body
            if done:
                stream.complete = True
                self.close_socket(stream)
            return
        if stream.parser.finish():
            stream.complete = True
        else:
            stream.broken = True
        self.close_socket(stream)

    def pump(self, stream):
        """Sends what the handler answered as far as the client's windows allow; ends or resets the stream."""
        try:
            if stream.head is not None and not stream.headers_sent:
                status, fields = stream.head
                headers = [(b":status", str(status).encode())]
                headers += [(name, value) for name, value in fields if name not in RESPONSE_DROPPED]
                ends = stream.complete and not stream.outbound
                self.h2.send_headers(stream.id, headers, end_stream=ends)
                stream.headers_sent = True
                if ends:
                    self.streams.pop(stream.id, None)
                    return
            while stream.outbound and stream.headers_sent:
                window = min(self.h2.local_flow_control_window(stream.id), self.h2.max_outbound_frame_size)
                if window <= 0:
                    break
                chunk = bytes(stream.outbound[:window])
                del stream.outbound[:window]
                self.h2.send_data(stream.id, chunk)
            if stream.outbound:
                return
            if stream.complete and stream.headers_sent:
                self.h2.end_stream(stream.id)
                self.streams.pop(stream.id, None)
            elif stream.broken or (stream.complete and not stream.headers_sent):
                self.h2.reset_stream(stream.id, h2.errors.ErrorCodes.INTERNAL_ERROR)
                self.streams.pop(stream.id, None)
        except h2.exceptions.StreamClosedError:
            self.streams.pop(stream.id, None)
            self.drop(stream)

    def close_socket(self, stream):
        if stream.sock is None:
            return
        try:
            stream.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        stream.sock.close()
        stream.sock = None

    def drop(self, stream):
        """The client reset the stream or the connection ended: the handler sees its client go away."""
        stream.inbound.clear()
        stream.outbound.clear()
        self.close_socket(stream)


def serve(tls, client_address, server):
    """Serves one TLS connection that negotiated h2 until the client closes it."""
    Connection(tls, client_address, server).run()
