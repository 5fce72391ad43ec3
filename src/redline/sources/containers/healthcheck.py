"""The repository's scripts a Dockerfile runs as its ``HEALTHCHECK``: a fact derived from the Dockerfile facts.

Docker kills a health check that runs longer than its ``--timeout`` (30 s when none is given) and counts it as
failed, so a call in such a script is bounded whatever the script itself sets; the timeout rules read this fact
and leave those scripts alone. healthchecks' ``docker/fetchstatus.py`` (``HEALTHCHECK ... CMD ./fetchstatus.py``,
copied with ``COPY docker/fetchstatus.py /opt/healthchecks/``) is one.

The command is read in both forms (exec: ``CMD ["python", "probe.py"]``; shell: ``CMD python probe.py || exit 1``,
``sh -c "…"`` included); a script is an interpreter's script argument (``python``, ``node``, ``ruby`` …) or a
program named by its path (``./fetchstatus.py``). Its path in the image (relative to the image's ``WORKDIR``) is
traced back through the ``COPY`` lines to the repository (``image_paths``); a script the Dockerfile only names in a
comment or a ``RUN`` line is not one, and a path no ``COPY`` provides is not guessed at.
"""

from __future__ import annotations

import json
import posixpath
import shlex
from dataclasses import dataclass
from functools import partial

from redline.core.lazy_regex import lazy
from redline.sources.containers.dockerfile import Dockerfile, DockerInstruction
from redline.sources.containers.image_paths import context_sources, origin, workdir
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource

#: programs whose first non-option argument is the script they run
_INTERPRETER = lazy(r"(?:python|pypy)[0-9.]*|node(?:js)?|ruby|php|perl|bun|deno|ts-node|tsx|(?:ba|da|a)?sh")
_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
#: options after which the code is inline (``python -c``, ``node -e``): no script file
_INLINE = frozenset({"-c", "-e", "--eval", "-p", "--print"})
#: shell operators that end one simple command (``||``, ``&&``, ``;``, ``|``) or redirect (``>``, ``2>&1``)
_OPERATOR = lazy(r"[;&|()<>]+")
_ASSIGNMENT = lazy(r"[A-Za-z_][A-Za-z0-9_]*=")


@dataclass(frozen=True)
class HealthcheckScript:
    """A repository file a Dockerfile's ``HEALTHCHECK`` runs."""

    path: str  # repository path (relative, POSIX)
    dockerfile: str
    line: int  # the HEALTHCHECK instruction's first line


class HealthcheckScriptSource(ProjectSource):
    name = "docker-healthcheck-scripts"
    produces = HealthcheckScript
    needs = (Dockerfile,)

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        out = ProjectOutput([], [], [])
        named = [
            (dockerfile, ins, path)
            for dockerfile in ctx.facts.of(Dockerfile)
            for ins in in_force(dockerfile)
            for path in script_paths(ins, workdir(dockerfile, ins.stage))
        ]
        if not named:
            return out  # most health checks run curl or wget: the tree's listing is not needed
        files = frozenset(f.path for f in ctx.files)
        folders = frozenset(parent for path in files for parent in _parents(path))
        for dockerfile, ins, image_path in named:
            found = _resolve(dockerfile, ins.stage, image_path, files, folders)
            if found is not None:
                out.facts.append(HealthcheckScript(found, dockerfile.path, ins.line))
        return out


def in_force(dockerfile: Dockerfile) -> list[DockerInstruction]:
    """The ``HEALTHCHECK`` each stage's image runs: the last one along its lineage (a later one replaces an
    earlier one, a stage built FROM another inherits it), each once, in file order."""
    found: dict[int, DockerInstruction] = {}
    for stage in dockerfile.stages:
        last = next(
            (hc[-1] for s in dockerfile.lineage(stage.index) if (hc := dockerfile.in_stage(s, "HEALTHCHECK"))), None
        )
        if last is not None:
            found[last.line] = last
    return [found[line] for line in sorted(found)]


def script_paths(ins: DockerInstruction, cwd: str) -> list[str]:
    """The absolute image paths of the scripts a ``HEALTHCHECK`` instruction's command runs (``cwd``: the
    image's working directory); none for ``HEALTHCHECK NONE``."""
    word, _, command = ins.arguments.strip().partition(" ")
    if word.upper() != "CMD":
        return []
    command = command.strip()
    argv = _json_words(command)
    commands = _argv_commands(argv) if argv is not None else shell_commands(command)
    return [posixpath.normpath(posixpath.join(cwd, s)) for words in commands for s in _scripts(words)]


def shell_commands(text: str) -> list[list[str]]:
    """The simple commands of a shell line, each as its words (quotes removed, redirections dropped); none when
    the quoting does not close."""
    lexer = shlex.shlex(text, posix=True, punctuation_chars=True)
    lexer.whitespace_split = True
    try:
        tokens = list(lexer)
    except ValueError:
        return []
    commands: list[list[str]] = [[]]
    skip_next = False
    for token in tokens:
        if skip_next:
            skip_next = False
        elif _OPERATOR.fullmatch(token):
            skip_next = "<" in token or ">" in token  # the redirection's target is no argument
            commands.append([])
        else:
            commands[-1].append(token)
    return [c for c in commands if c]


def _argv_commands(argv: list[str]) -> list[list[str]]:
    """An exec-form command; ``["sh", "-c", "…"]`` runs the shell line it hands over."""
    if len(argv) >= 3 and posixpath.basename(argv[0]) in _SHELLS and argv[1] == "-c":
        return shell_commands(argv[2])
    return [argv]


def _scripts(words: list[str]) -> list[str]:
    """The script files one simple command runs, as written (relative or absolute)."""
    while words and (_ASSIGNMENT.match(words[0]) or words[0] in ("exec", "env")):
        words = words[1:]  # ``VAR=1 python …``, ``exec python …``
    if not words:
        return []
    program = posixpath.basename(words[0])
    if not _INTERPRETER.fullmatch(program):
        return [words[0]] if "/" in words[0] else []  # ``./fetchstatus.py``; a bare name is looked up on PATH
    rest = words[1:]
    if program in ("bun", "deno") and rest[:1] == ["run"]:
        rest = rest[1:]
    for position, word in enumerate(rest):
        if word in _INLINE:
            inline = rest[position + 1 : position + 2]
            return [s for c in shell_commands(inline[0]) for s in _scripts(c)] if program in _SHELLS and inline else []
        if word == "-m" and program.startswith(("python", "pypy")):
            module = rest[position + 1 : position + 2]
            return [module[0].replace(".", "/") + ".py"] if module else []
        if not word.startswith("-"):
            return [word]
    return []


def _json_words(command: str) -> list[str] | None:
    if not command.startswith("["):
        return None
    try:
        value = json.loads(command)
    except ValueError:
        return None
    return [v for v in value if isinstance(v, str)] if isinstance(value, list) else None


def _resolve(
    dockerfile: Dockerfile, stage: int, image_path: str, files: frozenset[str], folders: frozenset[str]
) -> str | None:
    """The repository file at ``image_path``, tried in each build context the Dockerfile may be built from: its
    own folder and the folders above it (``context: ..`` with ``dockerfile: docker/Dockerfile``), those that
    hold every file and folder its ``COPY`` lines name first."""
    here = posixpath.dirname(dockerfile.path)
    contexts = [here, *_parents(here)] if here else [""]
    needed = context_sources(dockerfile)
    fitting = [c for c in contexts if all(_under(c, p) in files or _under(c, p) in folders for p in needed)]
    for context in fitting or contexts:
        found = origin(dockerfile, stage, image_path, partial(_holds, files, context))
        if found is not None:
            return _under(context, found)
    return None


def _holds(files: frozenset[str], context: str, path: str) -> bool:
    return _under(context, path) in files


def _under(context: str, path: str) -> str:
    return posixpath.join(context, path) if context and path else context or path


def _parents(path: str) -> list[str]:
    """The folders above a relative path, nearest first, ending with "" (the root)."""
    out: list[str] = []
    while path:
        path = posixpath.dirname(path)
        out.append(path)
    return out
