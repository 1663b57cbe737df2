#!/usr/bin/env python3
"""HTTP/1.1 fixture server for the HTTPTransport tests.

Listens on 127.0.0.1 only, once in plain HTTP and once in TLS, on ports the OS picks, and prints one JSON line
{"http": port, "https": port} once both listen. With --cert-dir it first writes a throwaway PKI there:
ca.pem, server.pem, server-key.pem (names 127.0.0.1, localhost, kube.test), client.pem, client-key.pem
(signed by the same CA), other-ca.pem (a CA that signed nothing we serve).

Endpoints (any method; a request body is always read and counted first):
  /echo                 JSON: method, path, query, headers, bodyBytes, sha256, chunked, connection,
                        requestOnConnection, clientPort, tls, sni, clientCertificate, proxiedHost
                        (the fixture also answers absolute-form requests, so it can stand in for an HTTP proxy)
  /flaky?key=K&failures=N[&retryAfter=V][&status=S]
                        the first N requests for K answer S (503) with Retry-After V if given, then 200
  /count?key=K          {"attempts": n} for a /flaky key
  /status?code=N        answers N
  /gzip                 a known text, gzip-encoded when the client accepts gzip
  /lines?count=N&interval=MS[&gate=G]
                        chunked, one JSON line per chunk, flushed, MS apart; with a gate: line 0, then
                        {"released": true} once /open?gate=G was requested (false after 20 s), then the end
                        with key=K, a client hanging up is counted under /count?key=aborted-K
  /open?gate=G          opens a /lines gate
  /bytes?n=N            N bytes of 0,1,…,255 repeated
  /slow?ms=N            answers after N ms
  /redirect?to=URL[&code=302]
  /client-cert          200 with the client certificate's CN, 401 without one
  /drop                 closes the connection without answering
"""
import argparse
import datetime
import gzip
import hashlib
import http.server
import json
import os
import socket
import ssl
import sys
import threading
import time
import urllib.parse

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID
import ipaddress

GZIP_TEXT = ("the quick brown fox jumps over the lazy dog\n" * 2000).encode()

state_lock = threading.Lock()
flaky_counts = {}
gates = {}


def gate(key):
    with state_lock:
        return gates.setdefault(key, threading.Event())
connection_counter = [0]


def write_pem(path, data):
    with open(path, "wb") as f:
        f.write(data)


def make_key():
    return ec.generate_private_key(ec.SECP256R1())


def key_pem(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def make_ca(name):
    key = make_key()
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=1))
            .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
            .add_extension(x509.KeyUsage(digital_signature=True, key_cert_sign=True, crl_sign=True,
                                         content_commitment=False, key_encipherment=False, data_encipherment=False,
                                         key_agreement=False, encipher_only=False, decipher_only=False), critical=True)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
            .sign(key, hashes.SHA256()))
    return key, cert


def make_leaf(ca_key, ca_cert, name, sans, usage):
    key = make_key()
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder().subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)]))
               .issuer_name(ca_cert.subject).public_key(key.public_key()).serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5)).not_valid_after(now + datetime.timedelta(days=1))
               .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
               .add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
               .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False))
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return key, builder.sign(ca_key, hashes.SHA256())


def write_pki(directory):
    ca_key, ca_cert = make_ca("http-fixture test CA")
    _, other_ca_cert = make_ca("http-fixture unrelated CA")
    sans = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost"), x509.DNSName("kube.test")]
    server_key, server_cert = make_leaf(ca_key, ca_cert, "http-fixture server", sans,
                                        x509.oid.ExtendedKeyUsageOID.SERVER_AUTH)
    client_key, client_cert = make_leaf(ca_key, ca_cert, "gitops-test-client", [],
                                        x509.oid.ExtendedKeyUsageOID.CLIENT_AUTH)
    pem = serialization.Encoding.PEM
    write_pem(os.path.join(directory, "ca.pem"), ca_cert.public_bytes(pem))
    write_pem(os.path.join(directory, "other-ca.pem"), other_ca_cert.public_bytes(pem))
    write_pem(os.path.join(directory, "server.pem"), server_cert.public_bytes(pem))
    write_pem(os.path.join(directory, "server-key.pem"), key_pem(server_key))
    write_pem(os.path.join(directory, "client.pem"), client_cert.public_bytes(pem))
    write_pem(os.path.join(directory, "client-key.pem"), key_pem(client_key))


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "http-fixture/1"

    def log_message(self, format, *args):
        pass

    def setup(self):
        super().setup()
        # Headers and body go out in separate writes; without this Nagle + delayed ACK add 40 ms per request.
        self.connection.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        with state_lock:
            connection_counter[0] += 1
            self.connection_id = connection_counter[0]
        self.requests_on_connection = 0

    # Every method is handled alike.
    def __getattr__(self, name):
        if name.startswith("do_"):
            return self.dispatch
        raise AttributeError(name)

    def read_body(self):
        digest = hashlib.sha256()
        total = 0
        chunked = "chunked" in (self.headers.get("Transfer-Encoding") or "").lower()
        if chunked:
            while True:
                size_line = self.rfile.readline()
                size = int(size_line.split(b";")[0].strip() or b"0", 16)
                if size == 0:
                    while self.rfile.readline() not in (b"\r\n", b"\n", b""):
                        pass
                    break
                remaining = size
                while remaining:
                    piece = self.rfile.read(min(remaining, 1 << 20))
                    if not piece:
                        raise ConnectionError("body ended early")
                    digest.update(piece)
                    total += len(piece)
                    remaining -= len(piece)
                self.rfile.readline()
        else:
            remaining = int(self.headers.get("Content-Length") or 0)
            while remaining:
                piece = self.rfile.read(min(remaining, 1 << 20))
                if not piece:
                    raise ConnectionError("body ended early")
                digest.update(piece)
                total += len(piece)
                remaining -= len(piece)
        return total, digest.hexdigest(), chunked

    def answer(self, status, body=b"", content_type="application/json", headers=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        for name, value in headers:
            self.send_header(name, value)
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def answer_json(self, status, value, headers=()):
        self.answer(status, json.dumps(value).encode(), headers=headers)

    def client_common_name(self):
        if not isinstance(self.connection, ssl.SSLSocket):
            return None
        cert = self.connection.getpeercert()
        if not cert:
            return None
        for rdn in cert.get("subject", ()):
            for key, value in rdn:
                if key == "commonName":
                    return value
        return None

    def dispatch(self):
        self.requests_on_connection += 1
        body_bytes, body_sha, chunked = self.read_body()
        url = urllib.parse.urlsplit(self.path)
        query = dict(urllib.parse.parse_qsl(url.query, keep_blank_values=True))
        route = url.path

        if route == "/echo":
            self.answer_json(200, {
                "method": self.command, "path": url.path, "query": url.query,
                "headers": [[k, v] for k, v in self.headers.items()],
                "bodyBytes": body_bytes, "sha256": body_sha, "chunked": chunked,
                "connection": self.connection_id, "requestOnConnection": self.requests_on_connection,
                "clientPort": self.client_address[1], "tls": isinstance(self.connection, ssl.SSLSocket),
                "sni": getattr(self.connection, "sni_name", None), "clientCertificate": self.client_common_name(),
                # Set when the request line held an absolute URL, i.e. we were used as an HTTP proxy.
                "proxiedHost": url.netloc or None,
            })
        elif route == "/flaky":
            key = query.get("key", "default")
            with state_lock:
                flaky_counts[key] = flaky_counts.get(key, 0) + 1
                attempts = flaky_counts[key]
            if attempts <= int(query.get("failures", "0")):
                headers = [("Retry-After", query["retryAfter"])] if "retryAfter" in query else []
                self.answer_json(int(query.get("status", "503")), {"attempts": attempts}, headers)
            else:
                self.answer_json(200, {"attempts": attempts})
        elif route == "/count":
            with state_lock:
                attempts = flaky_counts.get(query.get("key", "default"), 0)
            self.answer_json(200, {"attempts": attempts})
        elif route == "/status":
            self.answer_json(int(query.get("code", "200")), {"status": int(query.get("code", "200"))})
        elif route == "/gzip":
            if "gzip" in (self.headers.get("Accept-Encoding") or ""):
                self.answer(200, gzip.compress(GZIP_TEXT), "text/plain", [("Content-Encoding", "gzip")])
            else:
                self.answer(200, GZIP_TEXT, "text/plain")
        elif route == "/lines":
            self.send_lines(int(query.get("count", "5")), int(query.get("interval", "100")) / 1000, query.get("gate"), query.get("key"))
        elif route == "/open":
            gate(query.get("gate", "")).set()
            self.answer_json(200, {"opened": True})
        elif route == "/bytes":
            self.send_bytes(int(query.get("n", "0")))
        elif route == "/slow":
            time.sleep(int(query.get("ms", "1000")) / 1000)
            self.answer_json(200, {"slept": True})
        elif route == "/redirect":
            self.answer(int(query.get("code", "302")), b"", "text/plain", [("Location", query["to"])])
        elif route == "/client-cert":
            name = self.client_common_name()
            if name:
                self.answer_json(200, {"commonName": name})
            else:
                self.answer_json(401, {"error": "no client certificate"})
        elif route == "/drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
        else:
            self.answer_json(404, {"error": "no route " + route})

    def send_bytes(self, total):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(total))
        self.end_headers()
        block = bytes(range(256)) * 4096
        remaining = total
        try:
            while remaining:
                piece = block[:min(remaining, len(block))]
                self.wfile.write(piece)
                remaining -= len(piece)
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True

    def send_lines(self, count, interval, gate_key, key):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        self.wfile.flush()
        try:
            for number in range(count):
                line = (json.dumps({"n": number, "sentAt": time.time()}) + "\n").encode()
                self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                self.wfile.flush()
                if number == 0 and gate_key is not None:
                    # The rest waits until the client, having read line 0, opens the gate (or 20 s pass).
                    released = gate(gate_key).wait(20)
                    line = (json.dumps({"released": released}) + "\n").encode()
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(line), line))
                    self.wfile.flush()
                    break
                if number + 1 < count:
                    time.sleep(interval)
            self.wfile.write(b"0\r\n\r\n")
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError):
            self.close_connection = True
            if key is not None:
                with state_lock:
                    flaky_counts["aborted-" + key] = flaky_counts.get("aborted-" + key, 0) + 1


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True
    # The default backlog of 5 overflows when tests connect in parallel, and clients then see resets.
    request_queue_size = 128
    tls_context = None

    def get_request(self):
        sock, address = super().get_request()
        if self.tls_context is not None:
            # The handshake happens on the handler's thread, so a stuck client cannot block accept().
            sock = self.tls_context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False)
        return sock, address

    def finish_request(self, request, client_address):
        if isinstance(request, ssl.SSLSocket):
            try:
                request.settimeout(10)
                request.do_handshake()
                request.settimeout(None)
            except (ssl.SSLError, OSError):
                return
        super().finish_request(request, client_address)

    def handle_error(self, request, client_address):
        pass


def remember_sni(sock, server_name, context):
    sock.sni_name = server_name


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--cert-dir", required=True)
    args = parser.parse_args()
    write_pki(args.cert_dir)

    plain = Server(("127.0.0.1", 0), Handler)
    secure = Server(("127.0.0.1", 0), Handler)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(os.path.join(args.cert_dir, "server.pem"), os.path.join(args.cert_dir, "server-key.pem"))
    context.load_verify_locations(os.path.join(args.cert_dir, "ca.pem"))
    context.verify_mode = ssl.CERT_OPTIONAL
    context.sni_callback = remember_sni
    secure.tls_context = context

    for server in (plain, secure):
        threading.Thread(target=server.serve_forever, daemon=True).start()
    print(json.dumps({"http": plain.server_address[1], "https": secure.server_address[1]}), flush=True)
    # Ends when the test process closes our stdin (or dies), so no server outlives its tests.
    sys.stdin.read()


if __name__ == "__main__":
    main()
