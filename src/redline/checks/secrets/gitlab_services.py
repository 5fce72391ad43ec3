"""The data stores a GitLab CI job runs as service containers: ``services: [postgres:12.11-alpine]`` starts a
PostgreSQL the job reaches as ``postgres`` and throws away with it, configured by the job's ``variables``
(``POSTGRES_PASSWORD``), which GitLab hands to the service too. Mayan EDMS's jobs set the password of the database
they test against there; it is the job's own, as in a GitHub Actions job's ``services:`` block."""

from __future__ import annotations

from redline.core.lazy_regex import lazy

_JOB = lazy(rb"^([A-Za-z0-9_.-][^:#\s]*|\"[^\"]+\"|'[^']+'):")
_SERVICES = lazy(rb"^([ \t]*)services:[ \t]*(?:#.*)?$")
#: a service item: ``- postgres:12``, ``- name: registry.example.com/mysql:8``, ``- "redis@sha256:…"``
_ITEM = lazy(rb"""^[ \t]*-[ \t]*(?:name:[ \t]*)?["']?(?:[\w.:-]+/)*([A-Za-z][\w.-]*)(?::[\w.-]+)?(?:@\S+)?["']?""")


def service_images(data: bytes) -> dict[str, list[str]]:
    """Job name -> the image names its ``services`` start (``""``: a top-level ``services`` every job inherits)."""
    found: dict[str, list[str]] = {}
    lines = data.splitlines()
    job = ""
    for number, line in enumerate(lines):
        if (top := _JOB.match(line)) is not None:
            job = top.group(1).strip(b"\"'").decode("utf-8", "replace")
        block = _SERVICES.match(line)
        if block is None:
            continue
        owner = "" if not block.group(1) else job
        found.setdefault(owner, []).extend(_images(lines[number + 1 :], len(block.group(1))))
    return found


def _images(lines: list[bytes], indent: int) -> list[str]:
    """The image names of the list items below a ``services:`` key indented by ``indent``."""
    images: list[str] = []
    for line in lines:
        stripped = line.lstrip()
        if not stripped or stripped.startswith(b"#"):
            continue
        depth = len(line) - len(stripped)
        if depth < indent or (depth == indent and not stripped.startswith(b"-")):
            break
        if stripped.startswith(b"-") and (item := _ITEM.match(line)) is not None:
            images.append(item.group(1).decode("ascii", "replace"))
    return images
