"""GitHub tokens: ``GET {base}/user`` answers 200 for a working token and 401 for a dead one."""

from __future__ import annotations

import json
import urllib.error
import urllib.parse
import urllib.request

from redline.checks.secrets.verify.interface import Status, Verdict, Verifier
from redline.core.hosts import is_loopback

_PREFIXES = ("ghp_", "gho_", "ghu_", "ghs_", "ghr_", "github_pat_")


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    """A redirect could carry the token elsewhere: treat it as an answer, do not follow it."""

    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


class GitHubVerifier(Verifier):
    provider = "GitHub"
    key = "github"

    def default_base_url(self) -> str:
        return "https://api.github.com"

    def applies(self, rule_id: str, secret: str) -> bool:
        return secret.startswith(_PREFIXES)

    def verify(self, secret: str) -> Verdict:
        req = urllib.request.Request(
            f"{self.base_url}/user",
            headers={
                "Authorization": f"Bearer {secret}",
                "Accept": "application/vnd.github+json",
                "User-Agent": "redline-secret-verify",
                "X-GitHub-Api-Version": "2022-11-28",
            },
        )
        host = urllib.parse.urlsplit(self.base_url).hostname or ""
        handlers: list[urllib.request.BaseHandler] = [_NoRedirect()]
        if is_loopback(host):
            handlers.append(urllib.request.ProxyHandler({}))  # a local endpoint is never reached through a proxy
        opener = urllib.request.build_opener(*handlers)
        try:
            with opener.open(req, timeout=self.timeout) as resp:
                body = resp.read(65536)
                login = ""
                try:
                    doc = json.loads(body)
                    login = str(doc.get("login", "")) if isinstance(doc, dict) else ""
                except ValueError:
                    pass
                return Verdict(Status.LIVE, f"account {login}" if login else f"HTTP {resp.status}")
        except urllib.error.HTTPError as exc:
            if exc.code == 401:
                return Verdict(Status.INVALID, "HTTP 401")
            return Verdict(Status.UNKNOWN, f"HTTP {exc.code}")
        except (urllib.error.URLError, TimeoutError, OSError) as exc:
            return Verdict(Status.UNKNOWN, type(exc).__name__)
