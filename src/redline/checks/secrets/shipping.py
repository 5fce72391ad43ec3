"""Does a file copied into a Dockerfile stage reach the image that ships, and does it hold a secret?

``COPY . /app`` in a builder stage whose output the final stage picks selectively
(``COPY --from=build /app/dist /srv``) never ships the build context's ``.env``; the same copy in the
final stage, in a stage the final one is built ``FROM``, or in a stage copied wholesale does. And a
``.env`` holding only ``PORT=3000`` leaks nothing.
"""

from __future__ import annotations

import posixpath

from redline.checks.secrets.configfiles import find_config_secrets
from redline.checks.secrets.datastore import find_datastore_credentials
from redline.core.model import Severity
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction


def stage_ships(dockerfile: Dockerfile, ins: DockerInstruction) -> bool:
    """Whether what ``ins`` copies ends up in the final image (see the module doc)."""
    final = dockerfile.final_stage
    if final is None or ins.stage < 0:
        return True
    shipped = set(dockerfile.lineage(final.index))
    if ins.stage in shipped:
        return True
    dest = _destination(ins)
    for later in dockerfile.instructions:
        if later.cmd not in ("COPY", "ADD") or later.stage not in shipped or later.line <= ins.line:
            continue
        source_stage = dockerfile.copied_from(later)
        if source_stage is None or ins.stage not in dockerfile.lineage(source_stage):
            continue
        if any(_covers(src, dest) for src in _sources(later)):
            return True
    return False


def dotenv_severity(data: bytes) -> Severity | None:
    """HIGH when a ``.env`` holds a real secret, LOW when it holds only default credentials, None when it
    holds nothing secret-looking (ports, hosts, flags, placeholders, references)."""
    stores = find_datastore_credentials(".env", "dotenv", data)
    defaults = {(c.start, c.end) for c in stores if c.default}
    secrets = [(c.start, c.end) for c in find_config_secrets(".env", "dotenv", data)]
    secrets += [(c.start, c.end) for c in stores if not c.default]
    if any(span not in defaults for span in secrets):
        return Severity.HIGH
    return Severity.LOW if defaults else None


def _destination(ins: DockerInstruction) -> str:
    words = ins.operands
    return _norm(words[-1]) if len(words) >= 2 else "/"


def _sources(ins: DockerInstruction) -> list[str]:
    words = ins.operands
    return [_norm(w) for w in words[:-1]] if len(words) >= 2 else []


def _norm(path: str) -> str:
    path = path.strip().strip("\"'")
    if not path.startswith("/"):
        return "."  # relative to a WORKDIR: take the whole working directory to be meant
    return posixpath.normpath(path)


def _covers(source: str, dest: str) -> bool:
    """A copy of ``source`` from the earlier stage takes what was copied to ``dest`` (the .env inside it)."""
    if source in ("/", "."):
        return True
    return dest == source or dest.startswith(source.rstrip("/") + "/") or dest in (".", "/")
