"""Starts moto on 127.0.0.1 and prints the port it listens on.

Used by the local portal and by the tests (one per test binary). It stops when its standard
input closes, so it never outlives the process that started it, even one that was killed.

DynamoDB calls are served one at a time. moto answers each request on its own thread and its
DynamoDB does not isolate a transaction or a conditional write from another thread's: two
racing `TransactWriteItems` can both pass their conditions, which real DynamoDB never allows.
Serialising them makes each call atomic, as it is in AWS, so the race tests can be run from
outside (tests/it/races.rs). Everything else, S3 transfers above all, stays concurrent.

S3 checks `x-amz-checksum-sha256` on PutObject and UploadPart: moto does not (it stores the
header's value as given), so a PUT whose body does not match it is refused here with the 400
`BadDigest` S3 answers (tested by scripts/test_moto_checksums.py).

The dev mailbox reads the mail moto's SES keeps from `/atrium/sent-mail.json`, served here
from moto's SES backends directly. moto's own dump of everything (`/moto-api/data.json`) reads
every attribute of every object it tracks, S3 objects' bytes and open multipart uploads
included: slow with large files, and it fails outright on some multipart states.

moto 5.2.5 names ListParts' answer `ListPartsResponse`; S3 (and so the AWS SDK) says
`ListPartsResult`. The root element is renamed on the way out, nothing else.
"""
import base64
import binascii
import hashlib
import io
import sys
import threading
from urllib.parse import parse_qs

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


CHECKSUM_HEADER = "HTTP_X_AMZ_CHECKSUM_SHA256"
READ_CHUNK = 1024 * 1024
BAD_DIGEST = "The SHA256 you specified did not match the calculated checksum."
INVALID_CHECKSUM = "Value for x-amz-checksum-sha256 header is invalid."


def s3_checks_sha256_checksums(app):
    """WSGI middleware: a PUT to S3 (PutObject, UploadPart, presigned or not) that names the
    body's SHA-256 in `x-amz-checksum-sha256` is answered 400 `BadDigest`, as S3 answers it, when
    the body's SHA-256 differs, and never reaches moto; otherwise it goes on with its body
    intact. moto only stores the value it is given (the TODO in its `_get_checksum`), so without
    this a part or file damaged on the way would be accepted locally and refused in AWS.

    A presigned URL (shared::objects) signs the checksum as a header, so the browser's PUT
    carries it like the SDK's own. Only a plain body is checked: an `aws-chunked` one carries
    its checksum in a trailer (moto decodes that format itself) and is passed on as it is, and so
    is every request that is not a PUT with the checksum, DynamoDB's and Cognito's POSTs above
    all. The body is read once, in 1 MiB pieces (parts are at most a few tens of MiB), and handed
    on as a `BytesIO` with the same `CONTENT_LENGTH` (set to the length read when the client sent
    it chunked)."""

    def serve(environ, start_response):
        if environ.get("REQUEST_METHOD") != "PUT" or _aws_chunked(environ):
            return app(environ, start_response)
        claimed = environ.get(CHECKSUM_HEADER)
        copy = "HTTP_X_AMZ_COPY_SOURCE" in environ  # CopyObject, UploadPartCopy: no body
        if claimed is None or copy or _signing_service(environ) not in (None, "s3"):
            return app(environ, start_response)
        body, digest = _read_body(environ)
        environ["wsgi.input"] = body
        try:
            expected = base64.b64decode(claimed.strip(), validate=True)
        except (binascii.Error, ValueError):
            expected = b""
        if len(expected) != hashlib.sha256().digest_size:
            return _s3_error(environ, start_response, "InvalidRequest", INVALID_CHECKSUM)
        if expected != digest:
            return _s3_error(environ, start_response, "BadDigest", BAD_DIGEST)
        return app(environ, start_response)

    return serve


def _aws_chunked(environ) -> bool:
    """Whether the body is in S3's `aws-chunked` encoding (a streaming signature or trailer)."""
    return (
        "aws-chunked" in environ.get("HTTP_CONTENT_ENCODING", "").lower()
        or environ.get("HTTP_X_AMZ_CONTENT_SHA256", "").startswith("STREAMING-")
        or "HTTP_X_AMZ_DECODED_CONTENT_LENGTH" in environ
    )


def _signing_service(environ):
    """The service a SigV4 request is signed for (from `Authorization` or a presigned URL's
    `X-Amz-Credential`), or None when it does not say."""
    credential = None
    auth = environ.get("HTTP_AUTHORIZATION", "")
    if "Credential=" in auth:
        credential = auth.split("Credential=", 1)[1].split(",", 1)[0]
    else:
        values = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Credential")
        credential = values[0] if values else None
    if not credential:
        return None
    scope = credential.strip().split("/")
    return scope[3].lower() if len(scope) == 5 else None


def _read_body(environ):
    """The whole body, as a `BytesIO` to read from its start, and its SHA-256, read in pieces
    from `wsgi.input`."""
    stream = environ["wsgi.input"]
    try:
        remaining = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        remaining = 0
    # Without a length the server has already undone a chunked transfer: read to the end.
    until_end = not environ.get("CONTENT_LENGTH") and environ.get("wsgi.input_terminated")
    body = io.BytesIO()
    digest = hashlib.sha256()
    while until_end or remaining > 0:
        piece = stream.read(READ_CHUNK if until_end else min(READ_CHUNK, remaining))
        if not piece:
            break
        body.write(piece)
        digest.update(piece)
        remaining -= len(piece)
    if until_end:
        environ["CONTENT_LENGTH"] = str(body.tell())
    body.seek(0)
    return body, digest.digest()


def _s3_error(environ, start_response, code: str, message: str):
    """S3's XML error answer, status 400. A browser's cross-origin PUT is let read it, as S3
    does for an origin its CORS rules allow, so a refused part is seen as refused, not as a
    network failure to retry."""
    body = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f"<Error><Code>{code}</Code><Message>{message}</Message>"
        "<RequestId>moto-checksum</RequestId><HostId>moto</HostId></Error>"
    ).encode()
    headers = [
        ("Content-Type", "application/xml"),
        ("Content-Length", str(len(body))),
        ("x-amz-request-id", "moto-checksum"),
    ]
    origin = environ.get("HTTP_ORIGIN")
    if origin:
        headers += [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")]
    start_response("400 Bad Request", headers)
    return [body]


def s3_list_parts_root(app):
    """WSGI middleware: a ListParts answer (GET with `uploadId` and no `partNumber`) gets the
    root element S3 gives it."""

    def serve(environ, start_response):
        query = parse_qs(environ.get("QUERY_STRING", ""), keep_blank_values=True)
        if (
            environ.get("REQUEST_METHOD") != "GET"
            or "uploadId" not in query
            or "partNumber" in query
        ):
            return app(environ, start_response)
        captured = {}

        def capture(status, headers, exc_info=None):
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        body = b"".join(app(environ, capture))
        body = body.replace(b"<ListPartsResponse", b"<ListPartsResult", 1).replace(
            b"</ListPartsResponse>", b"</ListPartsResult>", 1
        )
        headers = [
            (name, str(len(body)) if name.lower() == "content-length" else value)
            for name, value in captured["headers"]
        ]
        start_response(captured["status"], headers)
        return [body]

    return serve


SENT_MAIL_PATH = "/atrium/sent-mail.json"


def sent_mail_endpoint(app):
    """WSGI middleware: `GET /atrium/sent-mail.json`, every message moto's SES has sent,
    oldest first, as `[{id, source, destinations, subject, body}]`."""
    import json

    def serve(environ, start_response):
        if environ.get("PATH_INFO") != SENT_MAIL_PATH:
            return app(environ, start_response)
        from moto.ses.models import Message, ses_backends

        messages = []
        for regions in list(ses_backends.values()):
            for backend in list(regions.values()):
                for message in list(backend.sent_messages):
                    if isinstance(message, Message):
                        messages.append(
                            {
                                "id": message.id,
                                "source": message.source,
                                "destinations": message.destinations,
                                "subject": message.subject,
                                "body": message.body,
                            }
                        )
        body = json.dumps(messages).encode()
        start_response(
            "200 OK",
            [("Content-Type", "application/json"), ("Content-Length", str(len(body)))],
        )
        return [body]

    return serve


def main() -> None:
    port = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    app = sent_mail_endpoint(one_dynamodb_call_at_a_time(
        s3_checks_sha256_checksums(
            s3_list_parts_root(DomainDispatcherApplication(create_backend_app))
        )
    ))
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
