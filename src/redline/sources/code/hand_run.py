"""Python scripts a maintainer runs by hand: a module in a top-level ``bin/``, ``scripts/``, ``script/``,
``tools/``, ``hack/`` or ``dev/`` folder that is run as a program (an ``if __name__ == "__main__":`` block, or a
command-line library imported) and that no module of the application imports.

redash's ``bin/release_manager.py`` posts to GitHub's API without a timeout: a release script run from a
terminal, not the served application. A stalled call there holds one maintainer's shell, not a worker that
requests queue behind. A script the application imports (``from bin.helpers import …``) runs inside the served
process and is not one; nor is a module without a way to be run, which can only be imported; nor one the
deployment starts (a Dockerfile's ENTRYPOINT/CMD, a compose service's ``command:``/``entrypoint:``, a Procfile
process naming ``scripts/worker.py`` or ``-m scripts.worker``), nor one that runs a server of its own.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import PurePosixPath
from typing import Any

from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CodeIndex
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction
from redline.sources.containers.procfile import Procfile
from redline.sources.containers.script_commands import scripts_of

#: top-level folders of scripts run by hand, and folders named for their scripts (mailcow's ``helper-scripts/``,
#: ``dev_scripts/``); Kubernetes projects keep theirs in ``hack/``, mealie its code generators in ``dev/``
SCRIPT_FOLDERS = frozenset({"bin", "scripts", "script", "tools", "hack", "dev"})
_SCRIPTS_NAME = re.compile(r"^[a-z0-9]+[-_]scripts?$")
#: libraries that make a module a command-line program (its entry point parses the command line)
_CLI_LIBRARIES = ("argparse", "click", "typer", "fire", "docopt", "cyclopts", "plac")
#: why a finding in such a script is shown apart (the evidence's ``context``)
HAND_RUN_SCRIPT = (
    "a script run by hand (run as a program, neither imported by the application nor started by its deployment): "
    "no request waits on it"
)


#: the fact types ``started_scripts`` reads: a check that calls it lists them in its ``project_fact_types``
START_FACTS = (Dockerfile, Procfile, ComposeProject)
#: what a module's ``__main__`` block calls to serve (``app.run``, ``uvicorn.run``, ``web.run_app``,
#: ``server.serve_forever``, waitress's ``serve``): a process of its own, not a script
_SERVES = re.compile(r"(^|\.)(serve|serve_forever|run_app|make_server|WSGIServer|uvicorn\.run|app\.run)$")


def started_scripts(facts: Facts) -> frozenset[str]:
    """The scripts the deployment starts processes with, as written (``script_commands``: ``python
    scripts/worker.py``, ``-m tools.consumer`` as ``tools/consumer.py``): each Dockerfile's final ENTRYPOINT and
    CMD, each compose service's ``command``/``entrypoint``, each Procfile process."""
    commands: list[str | list[str]] = []
    for dockerfile in facts.of(Dockerfile):
        commands += [_command(i) for i in dockerfile.start() if i is not None]
    for project in facts.of(ComposeProject):
        commands += [_listed(s.body.get(k)) for s in project.services for k in ("command", "entrypoint")]
    commands += [command for procfile in facts.of(Procfile) for _, _, command in procfile.processes]
    return frozenset(script for command in commands if command for script in scripts_of(command))


def _command(ins: DockerInstruction) -> str | list[str]:
    return list(ins.exec_form) if ins.exec_form is not None else ins.arguments


def _listed(value: Any) -> str | list[str]:
    """compose's ``command``/``entrypoint``: a shell line or a list."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if isinstance(value, str) else ""


def named_by(path: str, scripts: frozenset[str]) -> bool:
    """Whether one of ``scripts`` (as a command names them: ``/app/scripts/worker.py``, ``scripts/worker.py``) is
    the repository file ``path``."""
    return any(s.removeprefix("./") == path or s.endswith("/" + path) for s in scripts)


def serves(index: CodeIndex) -> bool:
    first, last = index.main_guard
    return first > 0 and any(first <= c.line <= last and _SERVES.search(c.raw) for c in index.calls)


def _in_script_folder(path: str) -> bool:
    parts = path.split("/")
    return len(parts) > 1 and (parts[0] in SCRIPT_FOLDERS or bool(_SCRIPTS_NAME.match(parts[0])))


def runs_as_program(index: CodeIndex) -> bool:
    return index.main_guard != (0, 0) or any(
        q == lib or q.startswith(lib + ".") for _, q in index.imports for lib in _CLI_LIBRARIES
    )


def _module_names(path: str) -> tuple[str, ...]:
    """The names the module is imported by: from the repository root (``bin.release_manager``) and from its own
    folder on ``sys.path`` (``release_manager``), as a sibling script would."""
    pure = PurePosixPath(path)
    stem = pure.with_suffix("").as_posix().replace("/", ".")
    return (stem, pure.stem) if pure.stem != "__init__" else (stem.rsplit(".", 1)[0],)


def _imported_names(index: CodeIndex) -> set[str]:
    """Every dotted prefix of what the module imports (``a.b.c`` gives ``a``, ``a.b``, ``a.b.c``)."""
    names: set[str] = set()
    for _, qualified in index.imports:
        parts = qualified.split(".")
        names.update(".".join(parts[:i]) for i in range(1, len(parts) + 1))
    return names


def project_hand_run_scripts(facts: Facts) -> frozenset[str]:
    """``hand_run_scripts`` of the run's facts: what checks read through ``ctx.scope.derived``, built once per run."""
    return hand_run_scripts(facts.of(CodeIndex), started_scripts(facts))


def hand_run_scripts(indexes: Iterable[CodeIndex], started: frozenset[str] = frozenset()) -> frozenset[str]:
    """The paths of the Python modules that are hand-run scripts (see the module doc); ``started`` are the scripts
    the deployment starts (``started_scripts``). An import from a test, a sample or another script does not make a
    script part of the application."""
    python = [i for i in indexes if i.language == "python"]
    candidates = [
        i
        for i in python
        if _in_script_folder(i.path) and runs_as_program(i) and not serves(i) and not named_by(i.path, started)
    ]
    return unimported(candidates, python)


def unimported(candidates: list[CodeIndex], python: list[CodeIndex]) -> frozenset[str]:
    """The paths of the ``candidates`` no module of the application imports (an import from a test, a sample or a
    script does not count)."""
    if not candidates:
        return frozenset()
    imported: set[str] = set()
    for index in python:
        if not _in_script_folder(index.path) and not looks_like_test_or_sample(index.path):
            imported |= _imported_names(index)
    return frozenset(i.path for i in candidates if imported.isdisjoint(_module_names(i.path)))
