"""What script a command line runs: the simple commands of a shell line (``a || b``, ``sh -c "…"``), and in each
the script an interpreter is handed (``python probe.py``, ``node dist/health.js``, ``python -m app.health``) or the
program named by its path (``./fetchstatus.py``). Read by the health-check sources (Dockerfile and compose); nothing
is run."""

from __future__ import annotations

import posixpath
import shlex

from redline.core.lazy_regex import lazy

#: programs whose first non-option argument is the script they run
_INTERPRETER = lazy(r"(?:python|pypy)[0-9.]*|node(?:js)?|ruby|php|perl|bun|deno|ts-node|tsx|(?:ba|da|a)?sh")
_SHELLS = frozenset({"sh", "bash", "dash", "ash"})
#: options after which the code is inline (``python -c``, ``node -e``): no script file
_INLINE = frozenset({"-c", "-e", "--eval", "-p", "--print"})
#: shell operators that end one simple command (``||``, ``&&``, ``;``, ``|``) or redirect (``>``, ``2>&1``)
_OPERATOR = lazy(r"[;&|()<>]+")
_ASSIGNMENT = lazy(r"[A-Za-z_][A-Za-z0-9_]*=")


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


def argv_commands(argv: list[str]) -> list[list[str]]:
    """An exec-form command; ``["sh", "-c", "…"]`` runs the shell line it hands over."""
    if len(argv) >= 3 and posixpath.basename(argv[0]) in _SHELLS and argv[1] == "-c":
        return shell_commands(argv[2])
    return [argv]


def scripts_run(words: list[str]) -> list[str]:
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
            if program not in _SHELLS or not inline:
                return []  # ``python -c "…"``: code, no script file
            return [s for c in shell_commands(inline[0]) for s in scripts_run(c)]
        if word == "-m" and program.startswith(("python", "pypy")):
            module = rest[position + 1 : position + 2]
            return [module[0].replace(".", "/") + ".py"] if module else []
        if not word.startswith("-"):
            return [word]
    return []


def scripts_of(command: str | list[str]) -> list[str]:
    """The script files a command runs, as written, the command a shell line or an exec-form list (a Dockerfile's
    JSON form, compose's list form)."""
    commands = argv_commands(command) if isinstance(command, list) else shell_commands(command)
    return [s for words in commands for s in scripts_run(words)]
