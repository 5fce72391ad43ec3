"""An AWS access key ID in a pre-signed URL's query is public by design (context.PUBLIC_BY_DESIGN): the URL names
the key that signed it (SigV2 ``AWSAccessKeyId=``, SigV4 ``X-Amz-Credential=``); the credential is the signature,
which expires. karrio's australiapost connector keeps such a sample response. The same ID anywhere else is read."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.checks.secrets.context import public_by_design
from redline.checks.secrets.scan import scan_blob
from redline.checks.secrets.settings import build_settings
from redline.checks.secrets.tree import SecretsFileCheck
from redline.core.config import Config

# fake key IDs, assembled from parts so that no scanner reading this file sees one
_KEY = "AKIA" + "Q7ZT4MWX2LJPRB5N"
_TEMP = "ASIA" + "W3MZ6QKT2XRLJ4PV"
_V2_SIG = "ATq0MzBdb89gf98%2FE%2FGWOiPZ%2BTw%3D"
_V4_SIG = "3f1c" * 16
_V4 = (
    "https://shop-labels.s3.eu-west-1.amazonaws.com/label.pdf?X-Amz-Algorithm=AWS4-HMAC-SHA256"
    "&X-Amz-Credential={key}{sep}20190101{sep}eu-west-1{sep}s3{sep}aws4_request&X-Amz-Date=20190101T000000Z"
    "&X-Amz-Expires=3600&X-Amz-SignedHeaders=host&X-Amz-Signature=" + _V4_SIG
)

_CHECK = SecretsFileCheck()


def scan(path: str, text: str) -> list[tuple[str, int]]:
    """(rule code, line) of every secret the built-in rules report in ``text`` at ``path``."""
    settings = build_settings(Config(jobs=1), Path("."))
    return [(f.rule.code, f.line) for f in scan_blob(settings, _CHECK.core_rules, path, text.encode())]


@pytest.mark.parametrize(
    ("path", "text", "found"),
    [
        # karrio's modules/connectors/australiapost/schemas/label_response.json: a SigV2 pre-signed label URL
        (
            "connectors/post/schemas/label_response.json",
            '{\n  "labels": [\n    {\n      "request_id": "c2991876",\n      "url": "https://ptest.npe.auspost.com.au'
            f'/lodgement4/labels/c2991876.pdf?AWSAccessKeyId={_KEY}&Expires=1568274226&Signature={_V2_SIG}"\n'
            "    }\n  ]\n}\n",
            [],
        ),
        ("app/labels.py", f'LABEL_URL = "{_V4.format(key=_KEY, sep="%2F")}"\n', []),  # SigV4, `/` encoded
        ("app/labels.ts", f"const url = '{_V4.format(key=_TEMP, sep='/')}';\n", []),  # SigV4, temporary key, `/`
        ("web/label.html", f'<a href="{_V4.format(key=_KEY, sep="%2F").replace("&", "&amp;")}">label</a>\n', []),
        (
            "testdata/go.json",
            f'{{"url": "https://b.s3.amazonaws.com/x?Expires=1568274226\\u0026AWSAccessKeyId={_KEY}'
            f'\\u0026Signature={_V2_SIG}"}}\n',
            [],
        ),
        # the same IDs anywhere else: a config file, a URL's userinfo or path, another query parameter, a
        # parameter merely ending in the name, X-Amz-Credential without its credential scope
        ("deploy/aws.ini", f"[default]\nregion = eu-west-1\naws_access_key_id = {_KEY}\n", [("SEC100", 3)]),
        ("app/store.py", f'BUCKET = "https://{_KEY}@labels.example.com/x.pdf"\n', [("SEC100", 1)]),
        ("app/store.py", f'URL = "https://labels.example.com/keys/{_KEY}/x.pdf?Expires=1"\n', [("SEC100", 1)]),
        ("app/store.py", f'URL = "https://labels.example.com/x.pdf?key={_KEY}&Signature=x"\n', [("SEC100", 1)]),
        ("app/store.py", f'URL = "https://labels.example.com/x.pdf?MyAWSAccessKeyId={_KEY}"\n', [("SEC100", 1)]),
        ("app/store.py", f'URL = "https://labels.example.com/x.pdf?X-Amz-Credential={_TEMP}&a=b"\n', [("SEC100", 1)]),
    ],
)
def test_a_presigned_urls_key_id_is_not_a_leak(path: str, text: str, found: list[tuple[str, int]]) -> None:
    assert scan(path, text) == found


def test_the_kind_is_named() -> None:
    line = f"https://b.s3.amazonaws.com/x?AWSAccessKeyId={_KEY}&Expires=1&Signature={_V2_SIG}".encode()
    assert public_by_design(_KEY, line, line) == "aws-presigned-url-key-id"
    assert public_by_design(_KEY, f"aws_access_key_id = {_KEY}".encode(), b"") == ""
