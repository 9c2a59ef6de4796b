#!/usr/bin/env python3
"""A real HTTP/1.1 upstream for Chaperone's end-to-end tests that records what it receives.

Prints "PORT <n>" on stdout once listening on 127.0.0.1 (port chosen by the kernel).
Every request (except the /__ endpoints) is recorded: method, raw request target, headers
in order, body length and SHA-256. The test reads them back with GET /__records.

Behaviour by the last path segment, so any prefix works (/base/sse is /sse):
  /sse?events=N&interval_ms=M    text/event-stream, chunked, one event every M ms
  /slow?ms=N                      answers after N ms
  /big?bytes=N                    N deterministic bytes (Content-Length), written in chunks
  /status?code=N                  an empty answer with that status
  /hop                            a response carrying hop-by-hop headers to be dropped
  /first-401                      401 to the first request made to it, 200 to later ones
  anything else                   200, JSON {"path": ..., "method": ...}
With --tls CERT KEY it serves HTTPS instead.
"""
import hashlib
import json
import ssl
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

RECORDS = []
LOCK = threading.Lock()
REFUSED_ONCE = []


def pattern(n):
    block = bytes(range(256)) * 256  # 64 KiB
    full, rest = divmod(n, len(block))
    for _ in range(full):
        yield block
    if rest:
        yield block[:rest]


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, *args):
        pass

    def read_body(self):
        if self.headers.get("Transfer-Encoding", "").lower() == "chunked":
            body = b""
            while True:
                size = int(self.rfile.readline().split(b";")[0], 16)
                if size == 0:
                    self.rfile.readline()
                    return body
                body += self.rfile.read(size)
                self.rfile.readline()
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length else b""

    def answer(self, status, body=b"", content_type="application/json", extra=()):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        for name, value in extra:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def handle_any(self):
        target = urlsplit(self.path)
        name = target.path.rstrip("/").rsplit("/", 1)[-1]
        query = {k: v[-1] for k, v in parse_qs(target.query).items()}
        if name == "__records":
            with LOCK:
                body = json.dumps(RECORDS).encode()
            return self.answer(200, body)
        if name == "__reset":
            with LOCK:
                RECORDS.clear()
            return self.answer(204)
        body = self.read_body()
        with LOCK:
            RECORDS.append({
                "method": self.command,
                "target": self.path,
                "headers": [[k, v] for k, v in self.headers.items()],
                "body_length": len(body),
                "body_sha256": hashlib.sha256(body).hexdigest(),
            })
        if name == "sse":
            return self.sse(int(query.get("events", 3)), int(query.get("interval_ms", 200)))
        if name == "slow":
            time.sleep(int(query.get("ms", 1000)) / 1000)
            return self.answer(200, b'{"slow":true}')
        if name == "big":
            return self.big(int(query.get("bytes", 1 << 20)))
        if name == "status":
            return self.answer(int(query.get("code", 200)))
        if name == "first-401":
            with LOCK:
                first = not REFUSED_ONCE
                REFUSED_ONCE.append(True)
            if first:
                return self.answer(401, b'{"error":"invalid_token"}',
                                   extra=[("WWW-Authenticate", 'Bearer error="invalid_token"')])
            return self.answer(200, b'{"second":true}')
        if name == "hop":
            return self.answer(200, b"{}", extra=[
                ("Connection", "X-Private-Hop"), ("X-Private-Hop", "secret-ish"),
                ("Keep-Alive", "timeout=5"), ("X-End-To-End", "kept")])
        reply = {"path": self.path, "method": self.command, "body_length": len(body)}
        self.answer(200, json.dumps(reply).encode())

    def sse(self, events, interval_ms):
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-cache")
        self.send_header("Transfer-Encoding", "chunked")
        self.end_headers()
        for i in range(events):
            chunk = f"id: {i}\ndata: event {i} at {time.time():.3f}\n\n".encode()
            self.wfile.write(b"%x\r\n%s\r\n" % (len(chunk), chunk))
            self.wfile.flush()
            if i + 1 < events:
                time.sleep(interval_ms / 1000)
        self.wfile.write(b"0\r\n\r\n")
        self.wfile.flush()

    def big(self, n):
        self.send_response(200)
        self.send_header("Content-Type", "application/octet-stream")
        self.send_header("Content-Length", str(n))
        self.end_headers()
        if self.command == "HEAD":
            return
        try:
            for block in pattern(n):
                self.wfile.write(block)
        except (BrokenPipeError, ConnectionResetError):
            pass

    do_GET = do_POST = do_PUT = do_PATCH = do_DELETE = do_HEAD = do_OPTIONS = handle_any


def main():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    if len(sys.argv) == 4 and sys.argv[1] == "--tls":
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(sys.argv[2], sys.argv[3])
        server.socket = context.wrap_socket(server.socket, server_side=True)
    print(f"PORT {server.server_address[1]}", flush=True)
    server.serve_forever()


if __name__ == "__main__":
    main()
