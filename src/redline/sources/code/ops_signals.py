"""Settings that live beside the code rather than in it: a reverse proxy or CDN that compresses responses
(nginx ``gzip on``, Caddy ``encode``, Traefik ``compress``, CloudFront ``compress = true``), and a Celery
worker's prefetch multiplier given on its command line or in its environment. Code rules read them to stay
quiet when the front or the deployment already does what the code seems to miss."""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.core.model import Skipped
from redline.core.workspace import SourceFile, UnreadableFile, read_file
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

#: configuration files larger than this are not deployment settings worth scanning line by line
_MAX_BYTES = 512 * 1024
_CONFIG_SUFFIXES = (
    ".conf",
    ".conf.template",
    ".template",
    ".j2",
    ".tmpl",
    ".yml",
    ".yaml",
    ".tf",
    ".cfg",
    ".ini",
    ".toml",
    ".sh",
    ".env",
    ".service",
)
#: Python modules where Celery is configured (``app.conf.x = …`` and class attributes are not in the code index)
_CELERY_MODULES = re.compile(r"(?i)(celery|settings|config|conf|worker|tasks|app)\w*\.py$")
_CONFIG_NAMES = re.compile(r"(?i)^(procfile|dockerfile.*|caddyfile.*|nginx.*|haproxy.*|makefile|.*\.dockerfile)$")

_TRAEFIK = re.compile(r"middlewares\.[\w-]+\.compress\b|^\s*compress:\s*(\{\}|true)?\s*$")
#: (kind, what it is, pattern on one line, files it applies to: a name regex or "" for any config file)
_PATTERNS: tuple[tuple[str, str, re.Pattern[str], re.Pattern[str] | None], ...] = (
    ("compression", "nginx gzip on", re.compile(r"(?<![\w-])(gzip|brotli)\s+on\s*;"), None),
    ("compression", "ingress-nginx use-gzip", re.compile(r"""\b(use-gzip|enable-brotli)\s*:\s*["']?true"""), None),
    ("compression", "Caddy encode", re.compile(r"^\s*encode\b"), re.compile(r"(?i)caddyfile")),
    ("compression", "Traefik compress middleware", _TRAEFIK, None),
    ("compression", "HAProxy compression", re.compile(r"^\s*compression\s+algo\b"), None),
    ("compression", "Apache mod_deflate", re.compile(r"\b(AddOutputFilterByType|SetOutputFilter)\s+DEFLATE\b"), None),
    ("compression", "CloudFront compress", re.compile(r"^\s*compress\s*=\s*true\b"), re.compile(r"\.tf$")),
    ("compression", "Envoy compressor filter", re.compile(r"envoy\.filters\.http\.compressor"), None),
    (
        "celery-prefetch",
        "Celery prefetch multiplier",
        re.compile(r"--prefetch-multiplier|\b(worker_prefetch_multiplier|CELERY_WORKER_PREFETCH_MULTIPLIER|CELERYD_PREFETCH_MULTIPLIER)\b"),
        None,
    ),
)  # fmt: skip


@dataclass(frozen=True)
class OpsSignal:
    kind: str  # compression / celery-prefetch / celery-acks-late
    what: str  # ``nginx gzip on``
    path: str
    line: int


@dataclass(frozen=True)
class OpsSignals:
    """Every signal found, and how many configuration files were read for them."""

    signals: tuple[OpsSignal, ...] = ()
    files_read: int = 0

    def of(self, kind: str) -> tuple[OpsSignal, ...]:
        return tuple(s for s in self.signals if s.kind == kind)


def _config_file(file: SourceFile) -> bool:
    name = file.path.rsplit("/", 1)[-1]
    if file.size > _MAX_BYTES:
        return False
    return name.lower().endswith(_CONFIG_SUFFIXES) or bool(_CONFIG_NAMES.match(name) or _CELERY_MODULES.search(name))


_ACKS_LATE = re.compile(r"^\s*[\w.]*\b(task_acks_late|CELERY_TASK_ACKS_LATE|CELERY_ACKS_LATE)\s*=\s*True\b")
_ACKS_LATE_PATTERN = ("celery-acks-late", "late acknowledgement", _ACKS_LATE, re.compile(r"\.py$"))


def scan_text(path: str, text: str) -> list[OpsSignal]:
    """The signals of one file; a Python module is read for its Celery settings only."""
    found: list[OpsSignal] = []
    python = path.endswith(".py")
    name = path.rsplit("/", 1)[-1]
    lines = [(n, line) for n, line in enumerate(text.splitlines(), 1) if not line.lstrip().startswith("#")]
    for kind, what, pattern, applies in (*_PATTERNS, _ACKS_LATE_PATTERN):
        if python and not kind.startswith("celery"):
            continue
        if applies is not None and not applies.search(name):
            continue
        found.extend(OpsSignal(kind, what, path, number) for number, line in lines if pattern.search(line))
    return found


class OpsSignalsSource(ProjectSource):
    name = "ops signals"
    produces = OpsSignals

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        signals: list[OpsSignal] = []
        skipped: list[Skipped] = []
        read = 0
        for file in ctx.files:
            if not _config_file(file):
                continue
            try:
                text = read_file(file).text
            except UnreadableFile as exc:
                skipped.append(Skipped(file.path, f"not read for proxy/worker settings: {exc}"))
                continue
            read += 1
            signals += scan_text(file.path, text)
        return ProjectOutput([OpsSignals(tuple(signals), read)], [], skipped)
