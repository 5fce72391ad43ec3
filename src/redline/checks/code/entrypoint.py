"""How a project's image starts a Python web app: through a WSGI/ASGI server, or by running the file itself.

``app.run(debug=True)`` under ``if __name__ == "__main__":`` runs only when the file is run directly; an image
whose final stage starts gunicorn (uvicorn, waitress, hypercorn, uwsgi …) imports the module and never reaches it.
"""

from __future__ import annotations

import posixpath
import shlex
from collections.abc import Iterable

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.containers.dockerfile import Dockerfile

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


def served_by_server(path: str, dockerfiles: Iterable[Dockerfile]) -> str:
    """The server that the images built around ``path`` start it with, or "" when no image is seen, one runs the
    file directly, or none starts a server (then the ``__main__`` block may well be how it is deployed)."""
    server = ""
    for dockerfile in dockerfiles:
        root = posixpath.dirname(dockerfile.path)
        if (root and not path.startswith(root + "/")) or looks_like_test_or_sample(dockerfile.path):
            continue  # another service's image, or a debug/dev image (where a debugger is meant to run)
        words = _start_command(dockerfile)
        if _runs_file(words, path[len(root) + 1 :] if root else path):
            return ""
        server = server or _serves(words)
    return server
