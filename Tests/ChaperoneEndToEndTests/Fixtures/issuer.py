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
  POST /token          RFC 8693 token exchange for client CLIENT_ID / CLIENT_SECRET
                       (client_secret_basic or client_secret_post): verifies the subject
                       token (and the actor token, if any) with PyJWT against these keys
                       and issues an access token for the requested audience whose act
                       claim names the actor token's subject
  POST /exchange-mode  {"mode": "ok" | "fail" | "slow"}: fail answers 500, slow waits 1 s
  GET  /__exchanges    {"count": n, "last": {"auth": "basic"|"post", "fields": [...]}}
Keys at start: rsa-1 (RSA 2048), ec-1 (P-256), ed-1 (Ed25519), all published.

Glewlwyd, the authority the other tests run against, has no RFC 8693 endpoint, so the
exchange is played here, with the same independent library doing the signing.
"""
import base64
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, unquote_plus

import jwt
from jwt.algorithms import ECAlgorithm, OKPAlgorithm, RSAAlgorithm
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

ISSUER = "https://issuer.test/"
AUDIENCE = "https://chaperone.test"

LOCK = threading.Lock()
KEYS = {}        # kid -> (private key, kty)
PUBLISHED = []   # kids, in order
STATE = {"outage": False, "fetches": 0, "mode": "ok", "exchanges": 0, "last": None}
CLIENT_ID = "chaperone"
CLIENT_SECRET = "s3cret+/&=:x"
EXCHANGE = "urn:ietf:params:oauth:grant-type:token-exchange"
ACCESS_TOKEN = "urn:ietf:params:oauth:token-type:access_token"


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


def verify(token):
    """The claims of a token signed by one of this issuer's keys, or None."""
    try:
        kid = jwt.get_unverified_header(token).get("kid")
        with LOCK:
            key, _ = KEYS[kid]
        return jwt.decode(token, key.public_key(), algorithms=["RS256", "ES256", "EdDSA"],
                          options={"verify_aud": False}, issuer=ISSUER)
    except Exception:
        return None


def exchange(handler, form):
    """(status, JSON body) for a token exchange request."""
    auth = handler.headers.get("Authorization", "")
    if auth.startswith("Basic "):
        client, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
        client, secret, how = unquote_plus(client), unquote_plus(secret), "basic"
    else:
        client, secret, how = form.get("client_id"), form.get("client_secret"), "post"
    with LOCK:
        STATE["exchanges"] += 1
        STATE["last"] = {"auth": how, "fields": sorted(form), "audience": form.get("audience"),
                         "scope": form.get("scope")}
        mode = STATE["mode"]
    if mode == "slow":
        time.sleep(1)
    if mode == "fail":
        return 500, {"error": "server_error"}
    if client != CLIENT_ID or secret != CLIENT_SECRET:
        return 401, {"error": "invalid_client"}
    if form.get("grant_type") != EXCHANGE or form.get("subject_token_type") != ACCESS_TOKEN:
        return 400, {"error": "unsupported_grant_type"}
    subject = verify(form.get("subject_token", ""))
    if subject is None:
        return 400, {"error": "invalid_grant", "error_description": "bad subject token"}
    now = int(time.time())
    claims = {"iss": ISSUER, "sub": subject["sub"], "aud": form.get("audience"), "iat": now,
              "exp": min(subject["exp"], now + 300),
              "scope": form.get("scope", subject.get("scope", ""))}
    if "actor_token" in form:
        actor = verify(form["actor_token"])
        if actor is None:
            return 400, {"error": "invalid_request", "error_description": "bad actor token"}
        claims["act"] = {"sub": actor["sub"],
                         "sub_profile": actor.get("sub_profile", "ai_agent")}
        if "act" in subject:
            claims["act"]["act"] = subject["act"]
    with LOCK:
        key, _ = KEYS["rsa-1"]
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "rsa-1"})
    return 200, {"access_token": token, "issued_token_type": ACCESS_TOKEN,
                 "token_type": "Bearer", "expires_in": claims["exp"] - now}


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
        if self.path == "/__exchanges":
            with LOCK:
                return self.answer(200, json.dumps({"count": STATE["exchanges"],
                                                    "last": STATE["last"]}))
        self.answer(404, '{"error":"not found"}')

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        body = self.rfile.read(length)
        if self.path == "/token":
            form = {name: values[0] for name, values in parse_qs(body.decode()).items()}
            status, answer = exchange(self, form)
            return self.answer(status, json.dumps(answer))
        request = json.loads(body or b"{}")
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
        if self.path == "/exchange-mode":
            with LOCK:
                STATE["mode"] = request.get("mode", "ok")
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
