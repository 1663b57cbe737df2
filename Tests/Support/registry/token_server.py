#!/usr/bin/env python3
"""Token server for docker-registry's `auth.token` mode, used by the registry integration tests only.

Usage: token_server.py CONFIG.json
CONFIG: {"issuer", "service", "key" (PEM RSA private key), "cert" (PEM cert, also in the registry's
rootcertbundle), "port_file" (where the chosen port is written), "log" (request log, never secrets),
"users": {"name": {"password": "...", "grants": {"repo-or-*": ["pull", "push"]}}},
"anonymous": {"repo-or-*": ["pull"]}, "refresh_tokens": {"token": "user"}, "expires_in": 300}

GET /token?service=&scope=… with optional Basic auth, or POST /token (grant_type=password|refresh_token).
The grant is the intersection of the requested and allowed actions, as the distribution spec asks.
"""
import base64
import json
import os
import secrets
import sys
import threading
import time
import urllib.parse
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


class TokenIssuer:
    def __init__(self, config):
        self.config = config
        with open(config["key"], "rb") as f:
            self.key = serialization.load_pem_private_key(f.read(), password=None)
        with open(config["cert"], "rb") as f:
            cert = x509.load_pem_x509_certificate(f.read())
        self.cert_der_b64 = base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode()

    def allowed(self, user, repository):
        if user is None:
            grants = self.config.get("anonymous", {})
        else:
            grants = self.config["users"][user].get("grants", {})
        actions = set(grants.get("*", [])) | set(grants.get(repository, []))
        return actions

    def grant(self, user, scopes):
        access = []
        for scope in scopes:
            # type:name:actions, where name may contain ':' (host:port/…).
            first, last = scope.find(":"), scope.rfind(":")
            if first < 0 or first == last:
                continue
            kind, name, wanted = scope[:first], scope[first + 1:last], scope[last + 1:].split(",")
            if kind != "repository":
                continue
            granted = sorted(set(wanted) & self.allowed(user, name))
            access.append({"type": kind, "name": name, "actions": granted})
        return access

    def token(self, user, access):
        now = int(time.time())
        header = {"typ": "JWT", "alg": "RS256", "x5c": [self.cert_der_b64]}
        claims = {
            "iss": self.config["issuer"],
            "sub": user or "",
            "aud": self.config["service"],
            "exp": now + int(self.config.get("expires_in", 300)),
            "nbf": now - 10,
            "iat": now,
            "jti": secrets.token_hex(8),
            "access": access,
        }
        signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
        signature = self.key.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
        return signing_input + "." + b64url(signature)


class Handler(BaseHTTPRequestHandler):
    issuer: TokenIssuer = None
    log_path: str = None

    def log_message(self, format, *args):  # the default would print query strings with scopes only, but keep stderr quiet
        pass

    def record(self, line):
        with open(self.log_path, "a") as f:
            f.write(line + "\n")

    def reply(self, status, body):
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def basic_user(self):
        header = self.headers.get("Authorization", "")
        if not header.lower().startswith("basic "):
            return None, False
        try:
            user, _, password = base64.b64decode(header[6:]).decode().partition(":")
        except Exception:
            return None, True
        entry = self.issuer.config["users"].get(user)
        if entry is None or entry["password"] != password:
            return None, True
        return user, False

    def issue(self, user, scopes, how):
        access = self.issuer.grant(user, scopes)
        token = self.issuer.token(user, access)
        self.record(f"{self.command} token user={user or '-'} via={how} scopes={' '.join(scopes)} granted={json.dumps(access)}")
        expires = int(self.issuer.config.get("expires_in", 300))
        body = {"expires_in": expires, "issued_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
        # Alternate the field name so clients are tested on both.
        if self.issuer.config.get("field") == "access_token":
            body["access_token"] = token
        else:
            body["token"] = token
        self.reply(200, body)

    def do_GET(self):
        url = urllib.parse.urlparse(self.path)
        if url.path != "/token":
            return self.reply(404, {"details": "not found"})
        query = urllib.parse.parse_qs(url.query)
        user, failed = self.basic_user()
        if failed:
            self.record("GET token refused: bad credentials")
            return self.reply(401, {"details": "invalid username or password"})
        self.issue(user, query.get("scope", []), "basic" if user else "anonymous")

    def do_POST(self):
        if urllib.parse.urlparse(self.path).path != "/token":
            return self.reply(404, {"details": "not found"})
        length = int(self.headers.get("Content-Length", "0"))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        grant_type = form.get("grant_type", [""])[0]
        scopes = form.get("scope", [""])[0].split()
        if grant_type == "refresh_token":
            user = self.issuer.config.get("refresh_tokens", {}).get(form.get("refresh_token", [""])[0])
        elif grant_type == "password":
            user = form.get("username", [""])[0]
            entry = self.issuer.config["users"].get(user)
            if entry is None or entry["password"] != form.get("password", [""])[0]:
                user = None
        else:
            user = None
        if user is None:
            self.record(f"POST token refused: grant_type={grant_type}")
            return self.reply(401, {"details": "invalid grant"})
        self.issue(user, scopes, grant_type)


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    Handler.issuer = TokenIssuer(config)
    Handler.log_path = config["log"]
    # Exit when the test process closes our stdin (or dies), so no server outlives its test.
    def watch_stdin():
        sys.stdin.read()
        os._exit(0)
    threading.Thread(target=watch_stdin, daemon=True).start()
    server = ThreadingHTTPServer(("127.0.0.1", int(config.get("port", 0))), Handler)
    port_file = config["port_file"]
    with open(port_file + ".tmp", "w") as f:
        f.write(str(server.server_address[1]))
    os.replace(port_file + ".tmp", port_file)
    server.serve_forever()


if __name__ == "__main__":
    main()
