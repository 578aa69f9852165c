"""Starts moto on 127.0.0.1 and prints the port it listens on.

Used by the local portal and by the tests (one per test binary). It stops when its standard
input closes, so it never outlives the process that started it, even one that was killed.

DynamoDB calls are served one at a time. moto answers each request on its own thread and its
DynamoDB does not isolate a transaction or a conditional write from another thread's: two
racing `TransactWriteItems` can both pass their conditions, which real DynamoDB never allows.
Serialising them makes each call atomic, as it is in AWS, so the race tests can be run from
outside (tests/it/races.rs). Everything else, S3 transfers above all, stays concurrent.
"""
import sys
import threading

from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

DYNAMODB_TARGET_PREFIX = "DynamoDB_"


def one_dynamodb_call_at_a_time(app):
    """WSGI middleware: a DynamoDB request (JSON protocol, named by `X-Amz-Target`) runs
    under one lock; any other request runs at once."""
    lock = threading.Lock()

    def serve(environ, start_response):
        target = environ.get("HTTP_X_AMZ_TARGET", "")
        if not target.startswith(DYNAMODB_TARGET_PREFIX):
            return app(environ, start_response)
        with lock:
            # The body is produced inside the lock: moto's response is complete by then.
            return list(app(environ, start_response))

    return serve


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    app = one_dynamodb_call_at_a_time(DomainDispatcherApplication(create_backend_app))
    server = make_server(
        "127.0.0.1", port, app, threaded=True, request_handler=MotoRequestHandler
    )
    print(server.server_address[1], flush=True)
    serving = threading.Thread(target=server.serve_forever, daemon=True)
    serving.start()
    sys.stdin.read()
    server.shutdown()


if __name__ == "__main__":
    main()
