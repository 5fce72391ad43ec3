"""HTTP downloads for the data updaters (advisory feeds, end-of-life data): one place that opens a URL
with redline's user agent and timeout and turns urllib's many failures into one sentence.

The updaters decide what a failure means for them (a missing feed is skipped, a missing mirror
folder is stated); they only need to know whether the source said "not here" (``missing``).
"""

from __future__ import annotations

import re
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import http.client

USER_AGENT = "redline-db-update"
TIMEOUT = 60.0
MAX_LISTING = 4 << 20
_MISSING_STATUS = (403, 404, 410)
_HREF = re.compile(r'href="([^"?#/]+)"')


class DownloadError(Exception):
    """The URL could not be read; ``missing`` when the server said it has no such file."""

    def __init__(self, message: str, *, missing: bool = False) -> None:
        super().__init__(message)
        self.missing = missing


@contextmanager
def http_get(url: str) -> Iterator[http.client.HTTPResponse]:
    """The open response; any failure while it is read inside the block is a ``DownloadError`` too."""
    # urllib.request pulls http.client, ssl and email (~15 ms): only a run that downloads pays for them,
    # not every audit (which imports this module through the updaters)
    import http.client  # noqa: PLC0415
    import urllib.error  # noqa: PLC0415
    import urllib.request  # noqa: PLC0415

    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT})
    try:
        with urllib.request.urlopen(request, timeout=TIMEOUT) as resp:
            yield resp
    except urllib.error.HTTPError as exc:
        raise DownloadError(f"{url} answered HTTP {exc.code}", missing=exc.code in _MISSING_STATUS) from None
    except http.client.IncompleteRead as exc:
        missing = f"{exc.expected:,} bytes" if exc.expected else "more"
        raise DownloadError(f"truncated download ({len(exc.partial):,} bytes, {missing} missing)") from None
    except (urllib.error.URLError, OSError, TimeoutError, http.client.HTTPException) as exc:
        raise DownloadError(f"cannot download {url}: {getattr(exc, 'reason', exc)}") from None


def get_bytes(url: str, limit: int) -> bytes:
    """The whole body, refused when it is larger than ``limit`` bytes."""
    with http_get(url) as resp:
        data = bytes(resp.read(limit + 1))
    if len(data) > limit:
        raise DownloadError(f"{url} is larger than {limit >> 20} MB")
    return data


def listed_names(listing: str, pattern: re.Pattern[str]) -> list[str]:
    """The file names a directory listing page (``python -m http.server``, nginx autoindex) links to
    that match ``pattern``, sorted."""
    names = {urllib.parse.unquote(n) for n in _HREF.findall(listing)}
    return sorted(n for n in names if pattern.fullmatch(n))
