"""Test PKI and kubeconfig for the kube test server.

Everything is generated fresh per state directory: a CA, a server certificate for 127.0.0.1 /
localhost / kube.test, and two client certificates (admin in system:masters, and viewer).
"""
import datetime
import ipaddress
import os

import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

ADMIN_TOKEN = "admin-token"
VIEWER_TOKEN = "viewer-token"
# A service account without any RBAC binding, as in Tests/Fixtures/kube-api/38-forbidden.json.
NOBODY_TOKEN = "nobody-token"
# User dev: Flux objects in namespace apps only (read-only in flux-system); see rbac.py.
DEV_TOKEN = "dev-token"


def _key():
    # P-256 keys are fast to generate, which keeps server start-up short in tests.
    return ec.generate_private_key(ec.SECP256R1())


def _name(common_name, organization=None):
    parts = [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    if organization:
        parts.append(x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization))
    return x509.Name(parts)


def _pem_key(key):
    return key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                             serialization.NoEncryption())


def _pem_cert(cert):
    return cert.public_bytes(serialization.Encoding.PEM)


def _issue(subject, public_key, issuer_name, issuer_key, *, ca=False, server=False, sans=None):
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (x509.CertificateBuilder()
               .subject_name(subject)
               .issuer_name(issuer_name)
               .public_key(public_key)
               .serial_number(x509.random_serial_number())
               .not_valid_before(now - datetime.timedelta(minutes=5))
               .not_valid_after(now + datetime.timedelta(days=30))
               .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True))
    if ca:
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=False,
                          data_encipherment=False, key_agreement=False, key_cert_sign=True,
                          crl_sign=True, encipher_only=False, decipher_only=False), critical=True)
        builder = builder.add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
    else:
        usage = ExtendedKeyUsageOID.SERVER_AUTH if server else ExtendedKeyUsageOID.CLIENT_AUTH
        builder = builder.add_extension(x509.ExtendedKeyUsage([usage]), critical=False)
        builder = builder.add_extension(
            x509.KeyUsage(digital_signature=True, content_commitment=False, key_encipherment=True,
                          data_encipherment=False, key_agreement=False, key_cert_sign=False,
                          crl_sign=False, encipher_only=False, decipher_only=False), critical=True)
    if sans:
        builder = builder.add_extension(x509.SubjectAlternativeName(sans), critical=False)
    return builder.sign(issuer_key, hashes.SHA256())


def _write(path, data, private=False):
    with open(path, "wb") as handle:
        handle.write(data)
    if private:
        os.chmod(path, 0o600)


def generate(state_dir):
    """Writes ca.crt, server.crt/key, admin.crt/key, viewer.crt/key into state_dir; returns the paths."""
    ca_key = _key()
    ca_name = _name("kube-test-ca")
    ca_cert = _issue(ca_name, ca_key.public_key(), ca_name, ca_key, ca=True)

    server_key = _key()
    sans = [x509.IPAddress(ipaddress.ip_address("127.0.0.1")), x509.DNSName("localhost"), x509.DNSName("kube.test")]
    server_cert = _issue(_name("kube-apiserver"), server_key.public_key(), ca_name, ca_key, server=True, sans=sans)

    paths = {"ca": os.path.join(state_dir, "ca.crt")}
    _write(paths["ca"], _pem_cert(ca_cert))
    _write(os.path.join(state_dir, "ca.key"), _pem_key(ca_key), private=True)
    for label, key, cert in [("server", server_key, server_cert)] + [
            (who, k, _issue(_name(who, org), k.public_key(), ca_name, ca_key))
            for who, org, k in [("admin", "system:masters", _key()), ("viewer", None, _key())]]:
        paths[label + "_cert"] = os.path.join(state_dir, label + ".crt")
        paths[label + "_key"] = os.path.join(state_dir, label + ".key")
        _write(paths[label + "_cert"], _pem_cert(cert))
        _write(paths[label + "_key"], _pem_key(key), private=True)
    return paths


def write_kubeconfig(state_dir, port, paths):
    server = "https://127.0.0.1:%d" % port
    config = {
        "apiVersion": "v1",
        "kind": "Config",
        "clusters": [{"name": "test", "cluster": {"server": server, "certificate-authority": paths["ca"]}}],
        "users": [
            {"name": "admin", "user": {"token": ADMIN_TOKEN}},
            {"name": "admin-cert", "user": {"client-certificate": paths["admin_cert"],
                                            "client-key": paths["admin_key"]}},
            {"name": "viewer", "user": {"token": VIEWER_TOKEN}},
            {"name": "nobody", "user": {"token": NOBODY_TOKEN}},
            {"name": "dev", "user": {"token": DEV_TOKEN}},
        ],
        "contexts": [
            {"name": "test-admin", "context": {"cluster": "test", "user": "admin", "namespace": "flux-system"}},
            {"name": "test-cert", "context": {"cluster": "test", "user": "admin-cert", "namespace": "flux-system"}},
            {"name": "test-viewer", "context": {"cluster": "test", "user": "viewer",
                                                "namespace": "flux-system"}},
            {"name": "test-nobody", "context": {"cluster": "test", "user": "nobody",
                                                "namespace": "flux-system"}},
            {"name": "test-dev", "context": {"cluster": "test", "user": "dev", "namespace": "apps"}},
        ],
        "current-context": "test-admin",
        "preferences": {},
    }
    path = os.path.join(state_dir, "kubeconfig")
    _write(path, yaml.safe_dump(config, sort_keys=False).encode(), private=True)
    return path
