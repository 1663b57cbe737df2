#!/usr/bin/env bash
# Test-only keys: a CA and a 127.0.0.1/localhost server certificate for the TLS registry, and an RSA token-signing
# key with a self-signed certificate for the token-auth registry's rootcertbundle. Usage: make-certs.sh DIR
set -euo pipefail
dir=$1
mkdir -p "$dir"
cd "$dir"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kubectl-gitops test CA" \
  -keyout ca.key -out ca.crt -addext "basicConstraints=critical,CA:TRUE" -addext "keyUsage=critical,keyCertSign,cRLSign" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" -keyout server.key -out server.csr 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1,DNS:localhost\nbasicConstraints=CA:FALSE\nkeyUsage=digitalSignature,keyEncipherment\nextendedKeyUsage=serverAuth\n' > server.ext
openssl x509 -req -in server.csr -CA ca.crt -CAkey ca.key -CAcreateserial -days 2 -extfile server.ext -out server.crt 2>/dev/null
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=kubectl-gitops test token signer" \
  -keyout token.key -out token.crt 2>/dev/null
# skopeo's --cert-dir wants the CA as *.crt and nothing it would mistake for a client pair.
mkdir -p skopeo-certs
cp ca.crt skopeo-certs/ca.crt
