"""Checks that the local moto (scripts/moto_server.py) verifies `x-amz-checksum-sha256` as S3
does: a PUT (PutObject, UploadPart, presigned or not) whose body matches its checksum is
stored, one that does not is answered 400 `BadDigest` and stores nothing, and a PUT without
the header, like every other call, is untouched.

Run with the project's venv (boto3 comes with aws-sam-cli): `.venv/bin/python
scripts/test_moto_checksums.py`. It starts its own moto on a free port, the way
local/src/moto.rs does, and stops it at the end.
"""
import base64
import hashlib
import http.client
import subprocess
import sys
import unittest
from pathlib import Path
from urllib.parse import urlsplit

import boto3
from botocore.config import Config
from botocore.exceptions import ClientError

ROOT = Path(__file__).resolve().parent.parent
BUCKET = "checksums"
ORIGIN = "http://localhost:5173"
MIB = 1024 * 1024


def sha256(data: bytes) -> str:
    return base64.b64encode(hashlib.sha256(data).digest()).decode()


class MotoChecksums(unittest.TestCase):
    moto: subprocess.Popen
    port: int

    @classmethod
    def setUpClass(cls) -> None:
        cls.moto = subprocess.Popen(
            [str(ROOT / ".venv/bin/python"), str(ROOT / "scripts/moto_server.py")],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
            env={"MOTO_ALLOW_NONEXISTENT_REGION": "false", "PATH": "/usr/bin:/bin"},
        )
        assert cls.moto.stdout is not None
        cls.port = int(cls.moto.stdout.readline())
        endpoint = f"http://127.0.0.1:{cls.port}"
        session = boto3.Session(
            aws_access_key_id="test", aws_secret_access_key="test", region_name="eu-west-1"
        )
        config = Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            # Only the checksums the test names: no CRC32 the SDK adds by itself.
            request_checksum_calculation="when_required",
            response_checksum_validation="when_required",
            retries={"max_attempts": 1},
        )
        cls.s3 = session.client("s3", endpoint_url=endpoint, config=config)
        cls.dynamodb = session.client("dynamodb", endpoint_url=endpoint, config=config)
        cls.s3.create_bucket(
            Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": "eu-west-1"}
        )
        cls.s3.put_bucket_cors(
            Bucket=BUCKET,
            CORSConfiguration={
                "CORSRules": [
                    {"AllowedOrigins": [ORIGIN], "AllowedMethods": ["GET", "PUT"],
                     "AllowedHeaders": ["*"]}
                ]
            },
        )

    @classmethod
    def tearDownClass(cls) -> None:
        assert cls.moto.stdin is not None
        cls.moto.stdin.close()
        cls.moto.wait(timeout=10)

    def assert_bad_digest(self, call) -> None:
        with self.assertRaises(ClientError) as refused:
            call()
        error = refused.exception.response
        self.assertEqual(error["ResponseMetadata"]["HTTPStatusCode"], 400)
        self.assertEqual(error["Error"]["Code"], "BadDigest")
        self.assertEqual(
            error["Error"]["Message"],
            "The SHA256 you specified did not match the calculated checksum.",
        )

    def assert_absent(self, key: str) -> None:
        with self.assertRaises(ClientError) as missing:
            self.s3.head_object(Bucket=BUCKET, Key=key)
        self.assertEqual(missing.exception.response["Error"]["Code"], "404")

    def raw_put(self, url: str, body, headers: dict[str, str]) -> tuple[int, dict, bytes]:
        """A PUT as a browser sends it: the exact bytes to a presigned URL, with `headers`."""
        parts = urlsplit(url)
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            connection.request(
                "PUT", f"{parts.path}?{parts.query}", body=body, headers=headers,
                encode_chunked=not isinstance(body, bytes),
            )
            response = connection.getresponse()
            return response.status, dict(response.getheaders()), response.read()
        finally:
            connection.close()

    def test_put_object_with_the_right_checksum_is_stored_with_it(self) -> None:
        body = b"a ledger\n" * 1000
        self.s3.put_object(
            Bucket=BUCKET, Key="right", Body=body, ChecksumAlgorithm="SHA256",
            ChecksumSHA256=sha256(body),
        )
        stored = self.s3.get_object(Bucket=BUCKET, Key="right", ChecksumMode="ENABLED")
        self.assertEqual(stored["Body"].read(), body)
        self.assertEqual(stored["ChecksumSHA256"], sha256(body))

    def test_put_object_with_a_wrong_checksum_is_refused(self) -> None:
        self.assert_bad_digest(
            lambda: self.s3.put_object(
                Bucket=BUCKET, Key="wrong", Body=b"what arrived", ChecksumAlgorithm="SHA256",
                ChecksumSHA256=sha256(b"what was sent"),
            )
        )
        self.assert_absent("wrong")

    def test_a_checksum_that_is_not_a_sha256_is_invalid(self) -> None:
        with self.assertRaises(ClientError) as refused:
            self.s3.put_object(
                Bucket=BUCKET, Key="invalid", Body=b"x", ChecksumAlgorithm="SHA256",
                ChecksumSHA256="bm90IGEgZGlnZXN0",
            )
        self.assertEqual(refused.exception.response["Error"]["Code"], "InvalidRequest")
        self.assert_absent("invalid")

    def test_put_object_without_a_checksum_is_untouched(self) -> None:
        self.s3.put_object(Bucket=BUCKET, Key="plain", Body=b"no checksum named")
        stored = self.s3.get_object(Bucket=BUCKET, Key="plain")
        self.assertEqual(stored["Body"].read(), b"no checksum named")

    def test_upload_part_is_checked_and_the_right_parts_complete(self) -> None:
        key = "multipart"
        first = bytes(range(256)) * (8 * MIB // 256)  # 8 MiB, as the portal's part_size
        last = b"the rest" * 100
        upload = self.s3.create_multipart_upload(
            Bucket=BUCKET, Key=key, ChecksumAlgorithm="SHA256"
        )["UploadId"]
        sent = {}
        for number, data in ((1, first), (2, last)):
            answer = self.s3.upload_part(
                Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=number, Body=data,
                ChecksumAlgorithm="SHA256", ChecksumSHA256=sha256(data),
            )
            sent[number] = answer["ETag"]
        self.assert_bad_digest(
            lambda: self.s3.upload_part(
                Bucket=BUCKET, Key=key, UploadId=upload, PartNumber=3, Body=b"damaged",
                ChecksumAlgorithm="SHA256", ChecksumSHA256=sha256(b"intact"),
            )
        )
        held = self.s3.list_parts(Bucket=BUCKET, Key=key, UploadId=upload)["Parts"]
        self.assertEqual(
            [(p["PartNumber"], p["Size"]) for p in held], [(1, len(first)), (2, len(last))]
        )
        self.s3.complete_multipart_upload(
            Bucket=BUCKET, Key=key, UploadId=upload,
            MultipartUpload={"Parts": [
                {"PartNumber": n, "ETag": sent[n], "ChecksumSHA256": sha256(d)}
                for n, d in ((1, first), (2, last))
            ]},
        )
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read(), first + last)

    def test_presigned_puts_are_checked_with_the_header_the_browser_sends(self) -> None:
        # The portal signs the checksum as a header (shared/src/objects.rs) and the browser sends
        # it; moto does not check signatures, so botocore's presigned URL serves here.
        upload = self.s3.create_multipart_upload(
            Bucket=BUCKET, Key="presigned-part", ChecksumAlgorithm="SHA256"
        )["UploadId"]
        for method, params in (
            ("put_object", {"Bucket": BUCKET, "Key": "presigned"}),
            ("upload_part", {"Bucket": BUCKET, "Key": "presigned-part", "UploadId": upload,
                             "PartNumber": 1}),
        ):
            with self.subTest(method):
                url = self.s3.generate_presigned_url(method, Params=params, ExpiresIn=300)
                body = b"scanned page " * 5000

                def headers(checksum: str) -> dict[str, str]:
                    return {"Origin": ORIGIN, "x-amz-checksum-sha256": checksum,
                            "x-amz-sdk-checksum-algorithm": "SHA256"}

                status, answer, text = self.raw_put(url, body, headers(sha256(b"other bytes")))
                self.assertEqual(status, 400, text)
                self.assertIn(b"<Code>BadDigest</Code>", text)
                # The browser may read the refusal (it is no network failure to retry).
                self.assertEqual(answer.get("Access-Control-Allow-Origin"), ORIGIN)
                status, answer, text = self.raw_put(url, body, headers(sha256(body)))
                self.assertEqual(status, 200, text)
                self.assertEqual(answer.get("x-amz-checksum-sha256"), sha256(body))
        self.assertEqual(
            self.s3.get_object(Bucket=BUCKET, Key="presigned")["Body"].read(),
            b"scanned page " * 5000,
        )
        parts = self.s3.list_parts(Bucket=BUCKET, Key="presigned-part", UploadId=upload)["Parts"]
        self.assertEqual([p["PartNumber"] for p in parts], [1])

    def test_a_chunked_transfer_is_checked_too(self) -> None:
        url = self.s3.generate_presigned_url(
            "put_object", Params={"Bucket": BUCKET, "Key": "chunked"}, ExpiresIn=300
        )
        body = b"0123456789" * 300_000
        pieces = lambda: (body[i : i + 65536] for i in range(0, len(body), 65536))  # noqa: E731
        status, _, text = self.raw_put(url, pieces(), {"x-amz-checksum-sha256": sha256(b"")})
        self.assertEqual(status, 400, text)
        self.assert_absent("chunked")
        status, _, text = self.raw_put(url, pieces(), {"x-amz-checksum-sha256": sha256(body)})
        self.assertEqual(status, 200, text)
        self.assertEqual(self.s3.get_object(Bucket=BUCKET, Key="chunked")["Body"].read(), body)

    def test_other_services_are_untouched(self) -> None:
        self.dynamodb.create_table(
            TableName="untouched",
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            BillingMode="PAY_PER_REQUEST",
        )
        self.dynamodb.put_item(TableName="untouched", Item={"pk": {"S": "one"}})
        item = self.dynamodb.get_item(TableName="untouched", Key={"pk": {"S": "one"}})
        self.assertEqual(item["Item"], {"pk": {"S": "one"}})


if __name__ == "__main__":
    sys.exit(unittest.main())
