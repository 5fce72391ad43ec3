"""How a project's deployment starts a Python web app: through a WSGI/ASGI server, or by running the file itself.

``app.run(debug=True)`` under ``if __name__ == "__main__":`` runs only when the file is run directly; an image
whose final stage starts gunicorn (uvicorn, waitress, hypercorn, uwsgi …) imports the module and never reaches it.
The start commands read: a Dockerfile's final stage ENTRYPOINT/CMD, a compose service's ``entrypoint:``/``command:``
(for the service built from the folder holding the file; development compose files left out) and a Procfile's
``web:`` process.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from redline.core.filekinds import looks_like_test_or_sample
from redline.core.folders import holds
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.compose_dev import build_context, command_text, dev_container
from redline.sources.containers.dockerfile import Dockerfile
from redline.sources.containers.procfile import Procfile

#: programs that import the app module and serve it (the ``__main__`` block never runs under them)
SERVERS = frozenset({"gunicorn", "uvicorn", "waitress-serve", "hypercorn", "uwsgi", "daphne", "granian"})


def _words(command: str, exec_form: tuple[str, ...] | None) -> list[str]:
    if exec_form is not None:
        return [w for part in exec_form for w in part.split()]
    try:
        return shlex.split(command)
    except ValueError:  # an unbalanced quote: the plain words are still telling
        return command.split()


def _start_command(dockerfile: Dockerfile) -> list[str]:
    """The words of the final stage's ENTRYPOINT and CMD (inherited from the stages it builds FROM)."""
    return [w for found in dockerfile.start() if found for w in _words(found.arguments, found.exec_form)]


def _runs_file(words: list[str], relpath: str) -> bool:
    """``python app.py``, ``python -m pkg.app`` or a script path naming the file."""
    module = "." + relpath.removesuffix(".py").replace("/", ".")
    name = posixpath.basename(relpath)
    for i, word in enumerate(words):
        if word.endswith(".py") and posixpath.basename(word) == name:
            return True
        if i and words[i - 1] == "-m" and module.endswith("." + word):
            return True
    return False


def _serves(words: list[str]) -> str:
    for i, word in enumerate(words):
        program = posixpath.basename(word)
        if program in SERVERS or (i and words[i - 1] == "-m" and word in SERVERS):
            return program
    return ""


@dataclass(frozen=True)
class Launch:
    """One way the deployment starts code under ``root`` (the folder an image or a Procfile is built from)."""

    root: str
    words: tuple[str, ...]
    by: str  # "the image (vote/Dockerfile)", "compose service vote", "the Procfile"


def launches(
    dockerfiles: Iterable[Dockerfile], composes: Iterable[ComposeProject] = (), procfiles: Iterable[Procfile] = ()
) -> list[Launch]:
    """Every start command the project's deployment files give, development and test files left out."""
    found = [
        Launch(posixpath.dirname(d.path), tuple(_start_command(d)), f"the image ({d.path})")
        for d in dockerfiles
        if not looks_like_test_or_sample(d.path)  # a debug/dev image (where a debugger is meant to run)
    ]
    found += [launch for project in composes for launch in _compose_launches(project)]
    found += [
        Launch(posixpath.dirname(p.path), tuple(_words(command, None)), f"the Procfile ({p.path})")
        for p in procfiles
        if not looks_like_test_or_sample(p.path)
        for command in p.commands("web")
    ]
    return found


def _compose_launches(project: ComposeProject) -> Iterator[Launch]:
    """A built service's ``entrypoint:`` and ``command:`` (they replace the image's), rooted at its build context."""
    for service in project.services:
        context = build_context(service.body)
        words = [w for key in ("entrypoint", "command") for w in _words(command_text(service.body.get(key)), None)]
        path = service.origin()[0]
        if not context or not words or dev_container(service.body, context) or looks_like_test_or_sample(path):
            continue
        root = posixpath.normpath(posixpath.join(project.directory, context))
        yield Launch("" if root == "." else root, tuple(words), f"compose service {service.name} ({path})")


def served_by_server(path: str, started: Iterable[Launch]) -> str:
    """How the deployment serves the app at ``path`` ("gunicorn, started by the image (Dockerfile)"), or "" when
    no start command is seen, one runs the file directly, or none starts a server (then the ``__main__`` block may
    well be how it is deployed)."""
    server = ""
    for launch in started:
        root = launch.root
        if not holds(root, path):
            continue  # another service's image or process
        words = list(launch.words)
        if _runs_file(words, path[len(root) + 1 :] if root else path):
            return ""
        program = _serves(words)
        server = server or (f"{program}, started by {launch.by}" if program else "")
    return server
