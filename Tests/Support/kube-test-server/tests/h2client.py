"""A small HTTP/2 client (the PyPI h2 package over TLS with ALPN) for the kube test server's tests."""
import json
import os
import socket
import ssl
import time

import h2.config
import h2.connection
import h2.errors
import h2.events
import h2.exceptions


class Answer:
    def __init__(self):
        self.status = None
        self.headers = []          # [(name, value)] as sent: HTTP/2 names are lower case
        self.data = bytearray()
        self.ended = False         # END_STREAM arrived: the answer is complete
        self.reset = None          # the error code of the server's RST_STREAM

    def header(self, name):
        return next((v for k, v in self.headers if k == name), None)

    @property
    def body(self):
        return json.loads(self.data) if self.data else None

    def events(self):
        """Watch events in the data so far (whole lines only)."""
        return [json.loads(line) for line in bytes(self.data).split(b"\n")[:-1] if line.strip()]


class H2Client:
    def __init__(self, server, cert=None, alpn=("h2", "http/1.1"), timeout=30):
        context = ssl.create_default_context(cafile=os.path.join(server.state_dir, "ca.crt"))
        if cert:
            context.load_cert_chain(os.path.join(server.state_dir, cert + ".crt"),
                                    os.path.join(server.state_dir, cert + ".key"))
        context.set_alpn_protocols(list(alpn))
        self.timeout = timeout
        self.sock = context.wrap_socket(socket.create_connection(("127.0.0.1", server.port), timeout=timeout),
                                        server_hostname="127.0.0.1")
        self.alpn = self.sock.selected_alpn_protocol()
        self.answers = {}
        self.terminated = False
        self.conn = h2.connection.H2Connection(h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        if self.alpn == "h2":
            self.conn.initiate_connection()
            self._flush()

    def close(self):
        try:
            self.conn.close_connection()
            self._flush()
        except (OSError, h2.exceptions.ProtocolError):
            pass
        self.sock.close()

    def _flush(self):
        data = self.conn.data_to_send()
        if data:
            self.sock.sendall(data)

    def start(self, method, path, token="admin-token", body=None, headers=None, content_length=True):
        """Sends a request; returns its stream id. Without content_length a body goes without content-length."""
        stream_id = self.conn.get_next_available_stream_id()
        fields = [(":method", method), (":path", path), (":scheme", "https"), (":authority", "127.0.0.1"),
                  ("user-agent", "h2-test/1.0")]
        if token:
            fields.append(("authorization", "Bearer " + token))
        if body is not None and not isinstance(body, bytes):
            body = json.dumps(body).encode()
        if body is not None and content_length:
            fields.append(("content-length", str(len(body))))
        fields += [(k.lower(), v) for k, v in (headers or {}).items()]
        self.conn.send_headers(stream_id, fields, end_stream=body is None)
        if body is not None:
            self.conn.send_data(stream_id, body, end_stream=True)
        self._flush()
        self.answers[stream_id] = Answer()
        return stream_id

    def reset(self, stream_id):
        self.conn.reset_stream(stream_id, h2.errors.ErrorCodes.CANCEL)
        self._flush()

    def pump(self, until, timeout=None):
        """Reads frames until `until()` holds; raises TimeoutError after `timeout` seconds."""
        deadline = time.time() + (timeout or self.timeout)
        while not until():
            if self.terminated:
                raise ConnectionError("the server ended the HTTP/2 connection")
            self.sock.settimeout(max(0.01, deadline - time.time()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                raise TimeoutError("no HTTP/2 answer in time")
            if not data:
                self.terminated = True
                continue
            for event in self.conn.receive_data(data):
                answer = self.answers.get(getattr(event, "stream_id", None))
                if isinstance(event, h2.events.ResponseReceived):
                    answer.status = int(dict(event.headers)[":status"])
                    answer.headers = [(k, v) for k, v in event.headers if not k.startswith(":")]
                elif isinstance(event, h2.events.DataReceived):
                    self.conn.acknowledge_received_data(event.flow_controlled_length, event.stream_id)
                    if answer is not None:
                        answer.data += event.data
                elif isinstance(event, h2.events.StreamEnded) and answer is not None:
                    answer.ended = True
                elif isinstance(event, h2.events.StreamReset) and answer is not None:
                    answer.reset = event.error_code
                elif isinstance(event, h2.events.ConnectionTerminated):
                    self.terminated = True
            self._flush()

    def finish(self, stream_id, timeout=None):
        """Waits until the stream ends or is reset; returns its Answer."""
        answer = self.answers[stream_id]
        self.pump(lambda: answer.ended or answer.reset is not None, timeout)
        return answer

    def request(self, method, path, **options):
        return self.finish(self.start(method, path, **options))
