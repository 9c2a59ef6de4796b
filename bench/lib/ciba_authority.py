#!/usr/bin/env python3
"""A CIBA authority for bench/held.sh that never decides: a test fake, not a real peer.

It answers every backchannel request with a new auth_req_id (expires_in and interval from
the command line) and every poll of the token endpoint with authorization_pending, and
counts both. Glewlwyd, the real authority of the test suite, cannot be asked to keep ten
thousand requests pending at once, which is what the benchmark needs.

Usage: ciba_authority.py EXPIRES_IN INTERVAL. Prints "PORT n" once listening on 127.0.0.1;
GET /stats answers {"backchannel": n, "polls": n}.
"""
import asyncio
import itertools
import json
import sys

EXPIRES_IN, INTERVAL = int(sys.argv[1]), int(sys.argv[2])
counts = {"backchannel": 0, "polls": 0}
ids = itertools.count(1)


def answer(status, body):
    data = json.dumps(body).encode()
    head = (f"HTTP/1.1 {status} {'OK' if status == 200 else 'Bad Request'}\r\n"
            f"Content-Type: application/json\r\nContent-Length: {len(data)}\r\n\r\n")
    return head.encode() + data


def respond(method, path):
    if path == "/bc-authorize" and method == "POST":
        counts["backchannel"] += 1
        return answer(200, {"auth_req_id": f"req-{next(ids)}", "expires_in": EXPIRES_IN,
                            "interval": INTERVAL})
    if path == "/token" and method == "POST":
        counts["polls"] += 1
        return answer(400, {"error": "authorization_pending"})
    if path == "/stats":
        return answer(200, counts)
    return answer(404, {"error": "not_found"})


async def serve(reader, writer):
    try:
        while True:
            head = await reader.readuntil(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, path, _ = lines[0].split(" ", 2)
            length = 0
            for line in lines[1:]:
                name, _, value = line.partition(":")
                if name.strip().lower() == "content-length":
                    length = int(value.strip())
            if length:
                await reader.readexactly(length)
            writer.write(respond(method, path))
            await writer.drain()
    except (asyncio.IncompleteReadError, ConnectionError, ValueError):
        pass
    finally:
        writer.close()


async def main():
    server = await asyncio.start_server(serve, "127.0.0.1", 0, backlog=4096)
    print("PORT", server.sockets[0].getsockname()[1], flush=True)
    async with server:
        await server.serve_forever()


asyncio.run(main())
