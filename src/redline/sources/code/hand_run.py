"""Python scripts a maintainer runs by hand: a module in a top-level ``bin/``, ``scripts/``, ``script/``,
``tools/``, ``hack/`` or ``dev/`` folder that is run as a program (an ``if __name__ == "__main__":`` block, or a
command-line library imported) and that no module of the application imports.

redash's ``bin/release_manager.py`` posts to GitHub's API without a timeout: a release script run from a
terminal, not the served application. A stalled call there holds one maintainer's shell, not a worker that
requests queue behind. A script the application imports (``from bin.helpers import …``) runs inside the served
process and is not one; nor is a module without a way to be run, which can only be imported; nor one the
deployment starts (a Dockerfile's ENTRYPOINT/CMD, a compose service's ``command:``/``entrypoint:``, a Procfile
process naming ``scripts/worker.py`` or ``-m scripts.worker``), nor one that runs a server of its own.

A script a Dockerfile's ``RUN`` line runs, anywhere in the tree, is as far from a request when the same holds of
it: mealie's ``RUN python $MEALIE_HOME/mealie/scripts/install_model.py`` downloads a model with no timeout, and a
stall there holds an image build. Both kinds are found in one pass (``project_scripts_apart``), each with why,
together with JavaScript/TypeScript's hand-run scripts (etherpad's ``bin/deletePad.ts``): one mapping for every
family that sets such scripts apart.
"""

from __future__ import annotations

import re
from pathlib import PurePosixPath
from typing import Any

from redline.core.facts import Facts
from redline.core.filekinds import looks_like_test_or_sample
from redline.sources.code.model import CodeIndex
from redline.sources.containers.compose import ComposeProject
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction, substitute
from redline.sources.containers.image_paths import image_env
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
#: why a finding in a script the image build runs is shown apart
BUILD_SCRIPT = (
    "a script the image build runs (a Dockerfile RUN line; neither imported by the application nor started by its "
    "deployment): no request waits on it"
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
        commands += [_command(dockerfile, i) for i in dockerfile.start() if i is not None]
    for project in facts.of(ComposeProject):
        commands += [_listed(s.body.get(k)) for s in project.services for k in ("command", "entrypoint")]
    commands += [command for procfile in facts.of(Procfile) for _, _, command in procfile.processes]
    return frozenset(script for command in commands if command for script in scripts_of(command))


def _command(dockerfile: Dockerfile, ins: DockerInstruction) -> str | list[str]:
    """What an instruction runs: the JSON array form as written (no shell expands it), else the shell form with
    the image's build arguments and ENV expanded, as its shell does (``python $MEALIE_HOME/mealie/...``)."""
    if ins.exec_form is not None:
        return list(ins.exec_form)
    return substitute(ins.arguments, image_env(dockerfile, ins.stage))


def _listed(value: Any) -> str | list[str]:
    """compose's ``command``/``entrypoint``: a shell line or a list."""
    if isinstance(value, list):
        return [str(v) for v in value]
    return value if isinstance(value, str) else ""


def _named_by(path: str, scripts: frozenset[str]) -> bool:
    """Whether one of ``scripts`` (as a command names them: ``/app/scripts/worker.py``, ``scripts/worker.py``) is
    the repository file ``path``."""
    return any(s.removeprefix("./") == path or s.endswith("/" + path) for s in scripts)


def _serves(index: CodeIndex) -> bool:
    first, last = index.main_guard
    return first > 0 and any(first <= c.line <= last and _SERVES.search(c.raw) for c in index.calls)


def _in_script_folder(path: str) -> bool:
    parts = path.split("/")
    return len(parts) > 1 and (parts[0] in SCRIPT_FOLDERS or bool(_SCRIPTS_NAME.match(parts[0])))


def _runs_as_program(index: CodeIndex) -> bool:
    """A ``__main__`` block, a command-line library, or work at module level: a loop, or a call of the module's own
    function (awx's ``tools/scripts/get_next_release.py``, run with ``python``, has no ``__main__`` block)."""
    if index.main_guard != (0, 0) or any(loop.function == "" for loop in index.loops):
        return True
    if any(q == lib or q.startswith(lib + ".") for _, q in index.imports for lib in _CLI_LIBRARIES):
        return True
    own = {d.qualname for d in index.definitions if d.is_function}
    return any(c.function == "" and c.raw in own for c in index.calls)


#: what starts a server in a JavaScript/TypeScript module (Express's ``app.listen``, ``http.createServer``)
_JS_SERVES = re.compile(r"(^|\.)(listen|createServer)$")
_JS = frozenset({"javascript", "typescript"})


def _js_scripts_apart(modules: list[CodeIndex], started: frozenset[str]) -> dict[str, str]:
    """The JavaScript/TypeScript modules no request waits on, each with why: in a top-level script folder
    (etherpad's ``bin/deletePad.ts``, an admin tool run with ``node``), run as a program, starting no server, not
    started by the deployment, and imported by no module outside the script folders (the index resolves a relative
    import to the module's path from the root: ``bin/lib/helper``)."""
    why = {
        i.path: HAND_RUN_SCRIPT
        for i in modules
        if _in_script_folder(i.path)
        and _js_runs_as_program(i)
        and not any(_JS_SERVES.search(c.raw) for c in i.calls)
        and not _named_by(i.path, started)
    }
    if not why:
        return why
    imported = {
        module
        for i in modules
        if not _in_script_folder(i.path) and not looks_like_test_or_sample(i.path)
        for _, module in i.imports
    }
    return {
        path: reason
        for path, reason in why.items()
        if not any(m == stem or m.startswith(stem + ".") for stem in (_js_stem(path),) for m in imported)
    }


#: what only a program does: leave the process, or listen to it (``process.on('unhandledRejection', …)``)
_JS_PROGRAM = frozenset({"process.exit", "process.on", "process.exitCode"})


def _js_runs_as_program(index: CodeIndex) -> bool:
    """The module ends or watches its process, or calls its own or an inline function at module level
    (``(async () => { … })()``); a module that only defines and exports (umami's ``scripts/telemetry.js``,
    imported by the build's scripts) can only be imported."""
    own = {d.qualname for d in index.definitions}
    return any(c.raw in _JS_PROGRAM for c in index.calls) or any(
        c.function == "" and (c.raw in own or c.raw == "") for c in index.calls
    )


def _js_stem(path: str) -> str:
    """``bin/deletePad.ts`` -> ``bin/deletePad``: how an import of the module is recorded."""
    stem = PurePosixPath(path).with_suffix("").as_posix()
    return stem.removesuffix("/index")


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


def run_at_build(facts: Facts) -> frozenset[str]:
    """The scripts the Dockerfiles' ``RUN`` lines run, as written once the image's variables are expanded."""
    return frozenset(
        script
        for dockerfile in facts.of(Dockerfile)
        for ins in dockerfile.instructions
        if ins.cmd == "RUN" and not ins.heredoc
        for script in scripts_of(_command(dockerfile, ins))
    )


def project_scripts_apart(facts: Facts) -> dict[str, str]:
    """The modules no request waits on, each with why (the evidence's ``context``): Python's hand-run scripts
    (``HAND_RUN_SCRIPT``) and the scripts the image build runs (``BUILD_SCRIPT``), see the module doc, and
    JavaScript/TypeScript's hand-run scripts (``_js_scripts_apart``). What checks read through
    ``ctx.scope.derived``, built once per run. An import from a test, a sample or a script does not make one part
    of the application."""
    indexes = facts.of(CodeIndex)
    started = started_scripts(facts)
    js = [i for i in indexes if i.language in _JS]
    return {
        **_python_scripts_apart([i for i in indexes if i.language == "python"], started, facts),
        **(_js_scripts_apart(js, started) if js else {}),
    }


def _python_scripts_apart(python: list[CodeIndex], started: frozenset[str], facts: Facts) -> dict[str, str]:
    built = run_at_build(facts)
    why: dict[str, str] = {}
    for index in python:
        path = index.path
        reason = HAND_RUN_SCRIPT if _in_script_folder(path) else BUILD_SCRIPT if _named_by(path, built) else ""
        if reason and _runs_as_program(index) and not _serves(index) and not _named_by(path, started):
            why[path] = reason
    if not why:
        return why
    imported: set[str] = set()
    for index in python:
        if not _in_script_folder(index.path) and not looks_like_test_or_sample(index.path):
            imported |= _imported_names(index)
    return {path: reason for path, reason in why.items() if imported.isdisjoint(_module_names(path))}
