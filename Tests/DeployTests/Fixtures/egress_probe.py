#!/usr/bin/env python3
"""Who may connect where, under the pod's egress rules: run as root inside a network namespace
of its own (`unshare --net`), after the rules are installed there.

    egress_probe.py UID:HOST:PORT...

Listens on 127.0.0.1:8080 (Chaperone's proxy port), 127.0.0.1:9090 (its admin port) and
[::1]:8080, then connects to each HOST:PORT as UID from a child process of its own and prints
one JSON object mapping each argument to "connected", "refused" or "timeout".
"""
import json
import os
import socket
import sys
import threading

LISTENERS = [(socket.AF_INET, "127.0.0.1", 8080), (socket.AF_INET, "127.0.0.1", 9090),
             (socket.AF_INET6, "::1", 8080)]


def listen(family, host, port):
    server = socket.socket(family, socket.SOCK_STREAM)
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind((host, port))
    server.listen()

    def accept():
        while True:
            server.accept()[0].close()

    threading.Thread(target=accept, daemon=True).start()


def attempt(uid, host, port):
    """Connects as `uid` in a child, which reports through its exit status."""
    child = os.fork()
    if child == 0:
        status = 3
        try:
            os.setgroups([])
            os.setgid(uid)
            os.setuid(uid)
            family = socket.AF_INET6 if ":" in host else socket.AF_INET
            with socket.socket(family, socket.SOCK_STREAM) as client:
                client.settimeout(2)
                client.connect((host, port))
            status = 0
        except ConnectionRefusedError:
            status = 1
        except socket.timeout:
            status = 2
        finally:
            os._exit(status)
    _, status = os.waitpid(child, 0)
    return {0: "connected", 1: "refused", 2: "timeout"}.get(os.waitstatus_to_exitcode(status),
                                                            "error")


def main():
    for listener in LISTENERS:
        listen(*listener)
    results = {}
    for target in sys.argv[1:]:
        uid, rest = target.split(":", 1)
        host, port = rest.rsplit(":", 1)
        results[target] = attempt(int(uid), host.strip("[]"), int(port))
    print(json.dumps(results))


if __name__ == "__main__":
    main()
