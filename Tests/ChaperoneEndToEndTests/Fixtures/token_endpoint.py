#!/usr/bin/env python3
"""A scripted OAuth token endpoint: a TEST FAKE, for answers the real authority in these
tests (Glewlwyd) cannot be made to give on demand (`invalid_grant`, a 500), and for Auth0's
Token Vault exchange, which does not run here.

Prints "PORT <n>" on stdout once listening on 127.0.0.1. POST /token answers by the value
of the presented token (`refresh_token`, or `subject_token` for a token exchange):
  dead          400 {"error": "invalid_grant"}
  unlinked      401 {"error": "federated_connection_refresh_token_not_found"}
  no-client     401 {"error": "invalid_client"}
  broken        500 with an HTML body
  rotating...   200 with a new refresh token, "<value>+" (so each refresh rotates it)
  short...      200, expires_in 31 (one second past Chaperone's 30 s skew)
  anything else 200 {"access_token": "at-<count>", "expires_in": 3600}
GET /__requests returns every request received: its form fields and how the client
authenticated ("basic" with the decoded id, or "post").
"""
import base64
import json
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl, unquote_plus

REQUESTS = []
LOCK = threading.Lock()


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def answer(self, status, body, content_type="application/json"):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        if self.path == "/__requests":
            with LOCK:
                return self.answer(200, json.dumps(REQUESTS))
        self.answer(404, "{}")

    def do_POST(self):
        length = int(self.headers.get("Content-Length") or 0)
        form = dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))
        auth = {"method": "post"}
        header = self.headers.get("Authorization", "")
        if header.startswith("Basic "):
            client_id, _, _ = base64.b64decode(header[6:]).decode().partition(":")
            auth = {"method": "basic", "client_id": unquote_plus(client_id)}
        with LOCK:
            REQUESTS.append({"form": form, "auth": auth})
            count = len(REQUESTS)
        token = form.get("refresh_token") or form.get("subject_token") or ""
        if token == "dead":
            return self.answer(400, '{"error":"invalid_grant"}')
        if token == "unlinked":
            return self.answer(401, '{"error":"federated_connection_refresh_token_not_found",'
                                    '"error_description":"Federated connection Refresh Token '
                                    'not found."}')
        if token == "no-client":
            return self.answer(401, '{"error":"invalid_client"}')
        if token == "broken":
            return self.answer(500, "<html>down</html>", "text/html")
        issued = {"access_token": f"at-{count}", "token_type": "Bearer", "expires_in": 3600}
        if token.startswith("rotating"):
            issued["refresh_token"] = token + "+"
        if token.startswith("short"):
            issued["expires_in"] = 31
        self.answer(200, json.dumps(issued))


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
