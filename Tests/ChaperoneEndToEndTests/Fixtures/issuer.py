#!/usr/bin/env python3
"""A token issuer for Chaperone's end-to-end tests: signing keys, a JWKS endpoint, and
access tokens minted by PyJWT, a library that shares no code with Chaperone.

Prints "PORT <n>" on stdout once listening on 127.0.0.1 (port chosen by the kernel).

  GET  /jwks.json      the published public keys (503 during an outage)
  POST /mint           {"claims": {...}, "alg": "RS256", "kid": "rsa-1", "header": {...}}
                       -> the token. iss, aud, iat and exp (now + 300 s) are filled in
                       unless given; a claim given as null is left out.
  POST /keys           {"kid": "k", "kty": "RSA"|"EC"|"OKP", "publish": true} -> new key
  POST /publish        {"kid": "k", "published": true|false}
  POST /outage         {"on": true|false}
  GET  /__fetches      how many times /jwks.json was asked for
Keys at start: rsa-1 (RSA 2048), ec-1 (P-256), ed-1 (Ed25519), all published.
"""
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ISSUER = "https://issuer.test/"
AUDIENCE = "https://chaperone.test"

LOCK = threading.Lock()
KEYS = {}        # kid -> (private key, kty)
PUBLISHED = []   # kids, in order
STATE = {"outage": False, "fetches": 0}


def new_key(kid, kty, publish=True):
    if kty == "RSA":
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif kty == "EC":
        key = ec.generate_private_key(ec.SECP256R1())
    elif kty == "OKP":
        key = ed25519.Ed25519PrivateKey.generate()
    else:
        raise ValueError("unknown kty " + kty)
    with LOCK:
        KEYS[kid] = (key, kty)
        if publish and kid not in PUBLISHED:
            PUBLISHED.append(kid)


def public_jwk(kid):
    key, kty = KEYS[kid]
    algorithm = {"RSA": RSAAlgorithm, "EC": ECAlgorithm, "OKP": OKPAlgorithm}[kty]
    jwk = json.loads(algorithm.to_jwk(key.public_key()))
    jwk["kid"] = kid
    jwk["use"] = "sig"
    return jwk


def mint(request):
    now = int(time.time())
    claims = {"iss": ISSUER, "aud": AUDIENCE, "iat": now, "exp": now + 300}
    claims.update(request.get("claims", {}))
    claims = {name: value for name, value in claims.items() if value is not None}
    kid = request.get("kid", "rsa-1")
    header = {"kid": kid, "typ": "at+jwt"}
    header.update(request.get("header", {}))
    header = {name: value for name, value in header.items() if value is not None}
    with LOCK:
        key, _ = KEYS[kid]
    return jwt.encode(claims, key, algorithm=request.get("alg", "RS256"), headers=header)


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode() if isinstance(body, str) else body
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/jwks.json":
            with LOCK:
                STATE["fetches"] += 1
                if STATE["outage"]:
                    return self.answer(503, '{"error":"outage"}')
                keys = [public_jwk(kid) for kid in PUBLISHED]
            return self.answer(200, json.dumps({"keys": keys}))
        if self.path == "/__fetches":
            with LOCK:
                return self.answer(200, str(STATE["fetches"]), "text/plain")
        self.answer(404, '{"error":"not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        request = json.loads(self.rfile.read(length) or b"{}")
        if self.path == "/mint":
            return self.answer(200, mint(request), "text/plain")
        if self.path == "/keys":
            new_key(request["kid"], request.get("kty", "RSA"), request.get("publish", True))
            return self.answer(200, "{}")
        if self.path == "/publish":
            with LOCK:
                kid = request["kid"]
                if request.get("published", True):
                    if kid not in PUBLISHED:
                        PUBLISHED.append(kid)
                elif kid in PUBLISHED:
                    PUBLISHED.remove(kid)
            return self.answer(200, "{}")
        if self.path == "/outage":
            with LOCK:
                STATE["outage"] = bool(request.get("on"))
            return self.answer(200, "{}")
        self.answer(404, '{"error":"not found"}')


def main():
    new_key("rsa-1", "RSA")
    new_key("ec-1", "EC")
    new_key("ed-1", "OKP")
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print("PORT", server.server_address[1], flush=True)
    server.serve_forever()


if __name__ == "__main__":
    sys.exit(main())
