"""Python scripts a maintainer runs by hand: a module in a top-level ``bin/``, ``scripts/``, ``script/`` or
``tools/`` folder that is run as a program (an ``if __name__ == "__main__":`` block, or a command-line library
imported) and that no module of the application imports.

redash's ``bin/release_manager.py`` posts to GitHub's API without a timeout: a release script run from a
terminal, not the served application. A stalled call there holds one maintainer's shell, not a worker that
requests queue behind. A script the application imports (``from bin.helpers import …``) runs inside the served
process and is not one; nor is a module without a way to be run, which can only be imported.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import PurePosixPath

from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CodeIndex

#: top-level folders of scripts run by hand
SCRIPT_FOLDERS = frozenset({"bin", "scripts", "script", "tools"})
#: libraries that make a module a command-line program (its entry point parses the command line)
_CLI_LIBRARIES = ("argparse", "click", "typer", "fire", "docopt", "cyclopts", "plac")
#: why a finding in such a script is shown apart (the evidence's ``context``)
HAND_RUN_SCRIPT = (
    "a script run by hand (run as a program, imported by no module of the application): no request waits on it"
)


def _in_script_folder(path: str) -> bool:
    parts = path.split("/")
    return len(parts) > 1 and parts[0] in SCRIPT_FOLDERS


def _runs_as_program(index: CodeIndex) -> bool:
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


def hand_run_scripts(indexes: Iterable[CodeIndex]) -> frozenset[str]:
    """The paths of the Python modules that are hand-run scripts (see the module doc). An import from a test,
    a sample or another script does not make a script part of the application."""
    python = [i for i in indexes if i.language == "python"]
    candidates = [i for i in python if _in_script_folder(i.path) and _runs_as_program(i)]
    if not candidates:
        return frozenset()
    imported: set[str] = set()
    for index in python:
        if not _in_script_folder(index.path) and not looks_like_test_or_sample(index.path):
            imported |= _imported_names(index)
    return frozenset(i.path for i in candidates if imported.isdisjoint(_module_names(i.path)))
