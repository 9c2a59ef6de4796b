#!/usr/bin/python3
"""The demo's upstream: a small API an agent would call, behind Chaperone.

    api.py --port N

    GET  /messages     the user's messages
    POST /messages     send one: {"to": "bob", "text": "..."}
    POST /purchases    buy something: {"item": "headphones", "price": "79 EUR"}

Every answer says which credential reached it, under "credential": the scheme of the
Authorization header it received, the first characters of the token, and, when the token
is a JWT, its claims decoded without checking the signature (iss, sub, scope, aud, exp and
act when present). Behind Chaperone that is a token Glewlwyd issued for the user, never
the agent's own. The token itself is not echoed: whoever called the API (the agent) must
not get a credential back from it.

Python's standard library only. It listens on 127.0.0.1; one line per request goes to
standard error, without tokens.
"""
import argparse
import base64
import hashlib
import json
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

SHOWN_CLAIMS = ["iss", "sub", "scope", "aud", "exp", "act"]
# Enough to tell tokens apart by eye, too little to use.
SHOWN_TOKEN_CHARACTERS = 12


def decoded_claims(token):
    """The claims of a compact JWS, or None when the token is not one."""
    parts = token.split(".")
    if len(parts) != 3:
        return None
    try:
        payload = base64.urlsafe_b64decode(parts[1] + "=" * (-len(parts[1]) % 4))
        claims = json.loads(payload)
    except ValueError:
        return None
    return claims if isinstance(claims, dict) else None


def credential(header):
    """What the API tells its caller about the Authorization header it received."""
    if not header:
        return {"authorization": None}
    scheme, _, token = header.partition(" ")
    shown = {
        "authorization": "%s %s... (%d characters)" % (scheme, token[:SHOWN_TOKEN_CHARACTERS],
                                                       len(token)),
        # The same fingerprint `chaperone audit query` shows for the credential it injected.
        "fingerprint": hashlib.sha256(b"chaperone audit credential v1\0"
                                      + token.encode()).hexdigest()[:32],
    }
    claims = decoded_claims(token)
    if claims is not None:
        shown["jwt"] = {name: claims[name] for name in SHOWN_CLAIMS if name in claims}
        if isinstance(claims.get("exp"), int):
            shown["jwt"]["expires_in"] = claims["exp"] - int(time.time())
    return shown


class Store:
    """Messages and purchases, in memory for as long as the demo runs."""

    def __init__(self):
        self.lock = threading.Lock()
        self.messages = [
            {"id": 1, "from": "bob", "to": "alice", "text": "Lunch on Friday?"},
            {"id": 2, "from": "carol", "to": "alice", "text": "The report is ready."},
        ]
        self.purchases = []

    def send(self, to, text):
        with self.lock:
            message = {"id": len(self.messages) + 1, "from": "alice", "to": to, "text": text}
            self.messages.append(message)
            return message

    def buy(self, item, price):
        with self.lock:
            purchase = {"id": "order-%d" % (len(self.purchases) + 1), "item": item,
                        "price": price, "status": "confirmed"}
            self.purchases.append(purchase)
            return purchase


class Handler(BaseHTTPRequestHandler):
    server_version = "chaperone-demo-api/1"
    store = Store()

    def do_GET(self):
        if self.path.split("?")[0] == "/messages":
            with self.store.lock:
                messages = list(self.store.messages)
            self.answer(200, {"messages": messages})
        else:
            self.answer(404, {"error": "no such resource", "path": self.path})

    def do_POST(self):
        path = self.path.split("?")[0]
        if path not in ("/messages", "/purchases"):
            self.answer(404, {"error": "no such resource", "path": self.path})
            return
        body = self.json_body()
        if body is None:
            self.answer(400, {"error": "expected a JSON object"})
        elif path == "/messages":
            if not isinstance(body.get("to"), str) or not isinstance(body.get("text"), str):
                self.answer(400, {"error": "expected {\"to\": NAME, \"text\": TEXT}"})
            else:
                self.answer(201, {"sent": self.store.send(body["to"], body["text"])})
        elif not isinstance(body.get("item"), str) or "price" not in body:
            self.answer(400, {"error": "expected {\"item\": NAME, \"price\": PRICE}"})
        else:
            self.answer(201, {"purchase": self.store.buy(body["item"], str(body["price"]))})

    def json_body(self):
        try:
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
        except ValueError:
            return None
        return body if isinstance(body, dict) else None

    def answer(self, status, document):
        document["credential"] = credential(self.headers.get("Authorization"))
        data = (json.dumps(document, indent=2) + "\n").encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def log_message(self, format, *arguments):
        # The request line and status only: never a header.
        sys.stderr.write("api: %s %s\n" % (self.log_date_time_string(), format % arguments))


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, required=True)
    args = parser.parse_args()
    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    print("api: listening on http://127.0.0.1:%d" % args.port, file=sys.stderr, flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
