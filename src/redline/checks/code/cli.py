"""Code that is a command-line tool, not a server: rules about what a web server may trust do not judge it.

A CLI decoding its own access token to show the user its claims (``tre get-token --decode``) trusts nothing: the
server it talks to verifies the token. Told from the code index alone: the enclosing function is a click/typer
command, or the module imports a command-line library and no web framework and sits in a package named like a
CLI (``cli/``, ``tre_cli/``, ``cli-tools/``) or a Django management command.
"""

from __future__ import annotations

import re

from redline.sources.code.model import CodeIndex
from redline.sources.code.routes.common import imports_module

#: decorators that make a function a command of a command-line tool (click, typer, cyclopts, cleo's clikit)
_COMMAND_DECORATOR = re.compile(r"(^|\.)(command|group|callback)$")
_CLI_LIBRARIES = ("click", "typer", "argparse", "fire", "docopt", "cyclopts", "cleo", "plac")
_WEB_FRAMEWORKS = (
    "flask",
    "fastapi",
    "starlette",
    "django.http",
    "django.urls",
    "django.views",
    "aiohttp",
    "tornado",
    "sanic",
    "falcon",
    "bottle",
    "pyramid",
    "litestar",
    "quart",
    "werkzeug",
)
#: a path component naming a command-line package: ``cli``, ``tre_cli``, ``cli-tools``, ``cli_utils``
_CLI_DIR = re.compile(r"(?i)^(cli|.+[-_]cli|cli[-_].+)$")


def _command(index: CodeIndex, function: str) -> str:
    """The click/typer decorator that makes ``function`` (or the function it is nested in) a CLI command."""
    names = {function, function.split(".", 1)[0]}
    cli_lib = imports_module(index, ("click", "typer", "cyclopts"))
    for definition in index.definitions:
        if definition.qualname not in names:
            continue
        for decorator in definition.decorators:
            resolved = decorator.target or ""
            if resolved.startswith(("click.", "typer.", "cyclopts.")) or (
                cli_lib and _COMMAND_DECORATOR.search(decorator.raw)
            ):
                return f"a command-line command (@{decorator.raw})"
    return ""


def cli_code(index: CodeIndex, function: str) -> str:
    """Why the code of ``function`` in this module is a command-line tool's, or "" when it may serve requests."""
    if index.language != "python" or imports_module(index, _WEB_FRAMEWORKS):
        return ""
    command = _command(index, function)
    if command:
        return command
    parts = index.path.split("/")[:-1]
    if "management" in parts and "commands" in parts:
        return "a Django management command"
    if imports_module(index, _CLI_LIBRARIES) and any(_CLI_DIR.match(p) for p in parts):
        return "a command-line package"
    return ""
