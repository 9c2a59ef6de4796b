#!/usr/bin/env python3
"""Holds COUNT requests open at Chaperone for bench/held.sh, as agents waiting for approval.

Each connection sends one POST to PATH with the bearer token from $BENCH_AGENT_TOKEN and
then waits. Prints "OPEN n" once every request is written, then keeps the connections until
stdin closes; prints "ANSWERED n" for requests Chaperone answered meanwhile (none should be).

Usage: held_agents.py PORT PATH COUNT
"""
import asyncio
import os
import sys

PORT, PATH, COUNT = int(sys.argv[1]), sys.argv[2], int(sys.argv[3])
TOKEN = os.environ["BENCH_AGENT_TOKEN"]
answered = 0


async def hold(index, opened):
    global answered
    body = f'{{"n":{index}}}'.encode()
    request = (f"POST {PATH} HTTP/1.1\r\nHost: bench\r\nAuthorization: Bearer {TOKEN}\r\n"
               f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n")
    reader, writer = await asyncio.open_connection("127.0.0.1", PORT)
    writer.write(request.encode() + body)
    await writer.drain()
    opened.append(writer)
    data = await reader.read(1)
    if data:
        answered += 1


async def main():
    opened = []
    tasks = []
    for index in range(COUNT):
        tasks.append(asyncio.create_task(hold(index, opened)))
        if index % 500 == 499:
            await asyncio.sleep(0.05)
    while len(opened) < COUNT:
        await asyncio.sleep(0.1)
    print("OPEN", len(opened), flush=True)
    await asyncio.get_running_loop().run_in_executor(None, sys.stdin.read)
    print("ANSWERED", answered, flush=True)
    for writer in opened:
        writer.close()


asyncio.run(main())
