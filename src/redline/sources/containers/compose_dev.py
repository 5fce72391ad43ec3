"""Whether a compose service (or a whole compose file) sets up a development container: a fact about the file,
read from its services, shared by the container rules and the secrets scan so both call it the same thing.

A development container bind-mounts its own build context over the image (``./`` or ``${PWD}``, the folder compose
runs from; code edited live; not read-only or under ``/etc/``, where it is configuration), builds a
``dev``/``debug``/``test`` target, or runs a reloader, debugger, dev server or a shell kept alive for someone to
exec into. Such a file is what ``docker compose up`` starts on a laptop, whatever it is called.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from redline.core.lazy_regex import lazy
from redline.sources.yamlsafe import YamlError, load_documents

#: ``uvicorn --reload``, ``nodemon --inspect``, ``manage.py runserver``, ``debugpy``, ``sleep infinity``,
#: ``npm run dev``, ``watchmedo``
_DEV_COMMAND = lazy(
    r"(?:^|\s)--reload\b|\bnodemon\b|--inspect(?:-brk)?\b|\brunserver\b|\bdebugpy\b|\bsleep\s+infinity\b"
    r"|\b(?:npm|yarn|pnpm|bun)\s+(?:run\s+)?dev\b|\bwatchmedo\b"
)


def _mapping(value: Any) -> Mapping[str, Any]:
    return value if isinstance(value, Mapping) else {}


def _items(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value] if isinstance(value, str) else []


def volume_source(entry: Any) -> str:
    """The host side of a volume entry (short ``src:dst[:mode]`` or long ``{source: …}`` form)."""
    if isinstance(entry, Mapping):
        return str(entry.get("source", ""))
    return str(entry).split(":", 1)[0]


def volume_target(entry: Any) -> str:
    """The container side of a volume entry ("" when the short form names none)."""
    if isinstance(entry, Mapping):
        return str(entry.get("target", ""))
    parts = str(entry).split(":")
    return parts[1] if len(parts) > 1 else ""


def _mounted_as_configuration(entry: Any) -> bool:
    """Read-only, or mounted under ``/etc/``: the folder holds configuration the service reads (getsentry/self-hosted
    mounts its build context ``./sentry`` at ``/etc/sentry`` for sentry.conf.py), not code edited live."""
    if isinstance(entry, Mapping):
        read_only = entry.get("read_only") is True
    else:
        parts = str(entry).split(":")
        read_only = len(parts) > 2 and "ro" in parts[2].split(",")
    return read_only or volume_target(entry).startswith("/etc/")


def build_context(body: Mapping[str, Any]) -> str:
    """The service's ``build`` context ("" when it does not build)."""
    build = body.get("build")
    return build if isinstance(build, str) else str(_mapping(build).get("context", "")) if build else ""


def command_text(value: Any) -> str:
    """``command``/``entrypoint`` as one string, whether written as a string or a list."""
    if isinstance(value, list):
        return " ".join(str(v) for v in value)
    return value if isinstance(value, str) else ""


def dev_container(body: Mapping[str, Any], context: str) -> bool:
    """A development container (see the module doc); ``context`` is the service's build context, which an
    override file may leave to its base."""
    target = str(_mapping(body.get("build")).get("target", "")).lower()
    if target.startswith(("dev", "debug", "test")):
        return True
    if any(_DEV_COMMAND.search(command_text(body.get(key))) for key in ("command", "entrypoint")):
        return True
    norm = _relative(context)
    return bool(context) and any(
        _relative(volume_source(v)) in (norm, f"{norm}/src") and not _mounted_as_configuration(v)
        for v in _items(body.get("volumes"))
    )


#: the folder ``docker compose`` is run from, as a volume names it (Argus's ``${PWD}:/argus``): the project's own
_CWD = lazy(r"^\$(?:\{PWD\}|PWD\b)")


def _relative(path: str) -> str:
    """A host path as the compose file's folder sees it: ``./src/`` -> ``src``, ``${PWD}`` and ``.`` -> ``.``."""
    return _CWD.sub(".", path).rstrip("/").removeprefix("./") or "."


#: what a file's opening comments say when it is not for production (unleash's docker-compose-enterprise.yml:
#: "please do not use this configuration for production setups. [...] intended to be used for demo, development, and
#: learning purposes only"); "do not use the default password in production" says nothing about the file
_NOT_FOR_PRODUCTION = lazy(
    r"(?i)\b(?:do\s+not|don'?t|never)\s+use\s+(?:this|it)\b[^.\n]{0,40}?\b(?:for|in)\s+production"
    r"|\bnot\s+(?:be\s+)?(?:meant|intended|suitable|ready|designed)\s+(?:to\s+be\s+used\s+)?(?:for|in)\s+production"
    r"|\bfor\s+(?:demo|development|testing|local\s+development)\b[^.\n]{0,60}?\bpurposes\s+only\b"
)


#: a sentence that only asks for changes first (DefectDojo's docker-compose.yml, its production install method: "not
#: intended for production use without first customizing it")
_QUALIFIED = lazy(r"(?i)\b(?:without|unless|until|before)\b")


def declared_not_for_production(text: str) -> bool:
    """Whether the comment lines that open the file (before its first key) say, in a sentence of their own, that it
    is not for production."""
    header: list[str] = []
    for line in text.splitlines()[:80]:
        stripped = line.strip()
        if stripped and not stripped.startswith("#"):
            break
        header.append(stripped.lstrip("#").strip())
    sentences = " ".join(header).split(".")
    return any(_NOT_FOR_PRODUCTION.search(s) and not _QUALIFIED.search(s) for s in sentences)


def development_compose_text(text: str) -> bool:
    """One compose file on its own: does any of its services set up a development container, or do its opening
    comments say it is not for production? Unreadable YAML is not development (the compose source reports it as not
    covered)."""
    if declared_not_for_production(text):
        return True
    try:
        for doc in load_documents(text):
            services = _mapping(_mapping(doc.value).get("services"))
            for body in services.values():
                if isinstance(body, Mapping) and dev_container(body, build_context(body)):
                    return True
    except YamlError:
        return False
    return False
