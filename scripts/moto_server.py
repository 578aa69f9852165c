"""Starts moto on 127.0.0.1 and prints the port it listens on.

Used by the local portal and by the tests (one per test binary). It stops when its standard
input closes, so it never outlives the process that started it, even one that was killed.
"""
import sys

from moto.server import ThreadedMotoServer


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    _, bound_port = server.get_host_and_port()
    print(bound_port, flush=True)
    sys.stdin.read()
    server.stop()


if __name__ == "__main__":
    main()
