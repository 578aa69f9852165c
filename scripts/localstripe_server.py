"""Starts localstripe (a stateful local Stripe, pinned in requirements-dev.txt) on a free port
of 127.0.0.1 and prints that port.

Used by the local portal and by the tests (one per test binary), the way scripts/moto_server.py
starts moto. It stops when its standard input closes, so it never outlives the process that
started it. Its store lives in memory only: localstripe would otherwise write every change to
/tmp/localstripe.pickle, a file that several test binaries running at once would share.
"""
import os
import socket
import sys
import threading

import localstripe.resources
import localstripe.server


def free_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def exit_when_stdin_closes():
    sys.stdin.read()
    os._exit(0)


def main():
    localstripe.resources.store.dump_to_disk = lambda: None
    port = free_port()
    threading.Thread(target=exit_when_stdin_closes, daemon=True).start()
    print(port, flush=True)
    # The parent reads only the port: anything printed later (aiohttp's banner) would hit a
    # closed pipe.
    sys.stdout = open(os.devnull, "w")
    sys.argv = ["localstripe", "--port", str(port), "--from-scratch"]
    localstripe.server.start()


if __name__ == "__main__":
    main()
