"""--verify against a loopback stub of the GitHub API (never a real service)."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from redline.checks.secrets.verify import Status, make_verifiers
from redline.checks.secrets.verify.github import GitHubVerifier
from redline.checks.secrets.verify.interface import Verdict
from redline.core.model import Confidence, Severity
from redline.core.result import AuditResult

LIVE = "ghp_URbL2F5rEY05VirPm212yfAO0N3enR8GrIvU"
DEAD = "ghp_Jv1kjscOrbgEOlycUA45swaSr0eeNWCYaa9y"
SLOW = "ghp_evwEo1y4QXjiQ1b8A4alzDS28ow9rNhZ61qI"


class _Stub(BaseHTTPRequestHandler):
    calls: list[tuple[str, str]] = []

    def do_GET(self) -> None:
        auth = self.headers.get("Authorization", "")
        _Stub.calls.append((self.path, auth))
        if self.path != "/user":
            self._send(404, b"{}")
        elif auth == f"Bearer {LIVE}":
            self._send(200, b'{"login": "octo-bot"}')
        elif auth == f"Bearer {SLOW}":
            time.sleep(1.5)
            self._send(200, b'{"login": "late"}')
        elif auth.endswith("redirect"):
            self.send_response(302)
            self.send_header("Location", "http://127.0.0.1:9/steal")
            self.end_headers()
        else:
            self._send(401, b'{"message": "Bad credentials"}')

    def _send(self, code: int, body: bytes) -> None:
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture()
def stub() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Stub)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    _Stub.calls = []
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_verdicts(stub: str) -> None:
    verifier = GitHubVerifier(stub, timeout=0.5)
    assert verifier.verify(LIVE).status is Status.LIVE
    assert verifier.verify(LIVE).detail == "account octo-bot"
    assert verifier.verify(DEAD).status is Status.INVALID
    started = time.monotonic()
    slow = verifier.verify(SLOW)
    assert slow.status is Status.UNKNOWN and time.monotonic() - started < 1.4  # the strict timeout held
    assert verifier.verify("ghp_redirect").status is Status.UNKNOWN  # redirects are not followed
    assert all(path == "/user" for path, _ in _Stub.calls)
    assert GitHubVerifier(timeout=0.5).base_url == "https://api.github.com"
    assert not verifier.applies("aws-access-key-id", "AKIAJRH33BZO62VK3NRF")


def test_unreachable_endpoint_is_unknown() -> None:
    [verifier] = make_verifiers({"github": "http://127.0.0.1:9"}, timeout=0.5)
    assert verifier.verify(LIVE).status is Status.UNKNOWN


def test_check_records_verdicts(stub: str, tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "a.py").write_text(f'A = "{LIVE}"\nB = "{DEAD}"\nC = "{LIVE}"\n')
    result = run_secrets(
        tmp_path, options={"verify": True, "verify_endpoints": {"github": stub}, "verify_timeout": 1.0}
    )
    by_line = {f.location.start_line: f for f in result.findings}
    assert dict(by_line[1].evidence)["verification"] == "verified live (account octo-bot)"
    assert by_line[1].severity == Severity.CRITICAL and by_line[1].confidence == Confidence.HIGH
    assert dict(by_line[2].evidence)["verification"] == "verified invalid (HTTP 401)"
    assert by_line[2].confidence == Confidence.LOW
    assert len(_Stub.calls) == 2  # the same secret is asked once
    assert by_line[1].fingerprint != by_line[3].fingerprint or by_line[1].location != by_line[3].location


def test_no_verification_without_the_option(stub: str, tmp_path: Path, run_secrets: Callable[..., AuditResult]) -> None:
    (tmp_path / "a.py").write_text(f'A = "{LIVE}"\n')
    result = run_secrets(tmp_path, options={"verify_endpoints": {"github": stub}})
    assert "verification" not in dict(result.findings[0].evidence)
    assert _Stub.calls == []


def _proxy_at(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    for name in ("no_proxy", "NO_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    for name in ("http_proxy", "HTTP_PROXY"):
        monkeypatch.setenv(name, url)


def test_any_loopback_endpoint_is_reached_directly_not_through_the_proxy(monkeypatch: pytest.MonkeyPatch) -> None:
    server = ThreadingHTTPServer(("127.0.0.2", 0), _Stub)  # the whole 127/8 is this machine, not only .1
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        _proxy_at(monkeypatch, "http://127.0.0.1:9")  # a proxy nothing listens on
        verdict = GitHubVerifier(f"http://127.0.0.2:{server.server_address[1]}", timeout=0.5).verify(LIVE)
    finally:
        server.shutdown()
        server.server_close()
    assert verdict.status is Status.LIVE


def test_a_remote_endpoint_still_goes_through_the_configured_proxy(stub: str, monkeypatch: pytest.MonkeyPatch) -> None:
    _proxy_at(monkeypatch, stub)  # the loopback stub plays the proxy: it sees the absolute URL, answers 404
    verdict = GitHubVerifier("http://api.github.invalid", timeout=0.5).verify(LIVE)
    assert verdict == Verdict(Status.UNKNOWN, "HTTP 404")
    assert _Stub.calls == [("http://api.github.invalid/user", f"Bearer {LIVE}")]
