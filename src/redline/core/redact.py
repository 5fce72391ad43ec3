"""Credentials out of URLs before anything is printed or stored: one rule for package sources, database
URLs and store addresses alike."""

from __future__ import annotations

import re

#: scheme:// then the userinfo up to the last "@" before the host's first "/" (a password may hold "@")
_USERINFO = re.compile(r"(?P<scheme>[A-Za-z][A-Za-z0-9+.\-]*://)(?P<userinfo>[^/\s?#]+)@")
#: a bare userinfo that is a token, not a user name (``https://ghp_…@github.com``)
_TOKEN = re.compile(r"^(?:gh[pousr]_|github_pat_|glpat-|xox[abpr]-)|^[A-Za-z0-9_\-]{20,}$")
#: query parameters that carry a secret (libpq's password, sslpassword, passfile, sslkey; API tokens)
_SECRET_PARAM = re.compile(
    r"(?P<key>[?&](?:password|sslpassword|passfile|sslkey|token|access_token|api_key|apikey|secret)=)[^&#\s]*",
    re.IGNORECASE,
)


def redact_url(text: str) -> str:
    """Every URL in ``text`` with its password shown as ``***`` (``user:***@host``), a token used as the
    user (``token@host``) as ``***@host``, and secret query parameters as ``***``. A plain user name
    (``git@``, ``app@db``) stays: it is not a secret and it says who connects."""
    if "://" not in text:
        return text

    def userinfo(m: re.Match[str]) -> str:
        user, sep, _ = m["userinfo"].partition(":")
        if sep:
            return f"{m['scheme']}{user}:***@"
        return f"{m['scheme']}***@" if _TOKEN.search(user) else m.group(0)

    return _SECRET_PARAM.sub(lambda m: m["key"] + "***", _USERINFO.sub(userinfo, text))
