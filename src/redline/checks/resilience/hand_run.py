"""A hand-run gRPC client: a script (``if __name__ == "__main__":``) named for a client, defining no server,
whose every channel goes to a server on this machine (``localhost:8080``, ``[::]:8080``). microservices-demo's
``recommendationservice/client.py`` and ``emailservice/email_client.py`` are such: a developer runs them
against the service started beside them; the images run the servers. A missing deadline there stalls one
terminal, not a request path, so RES112 keeps the finding in the context section instead of the main list.

A client of a remote host, a module with no ``__main__`` block (imported by the service), one that also
serves, or a file not named for a client is judged as before."""

from __future__ import annotations

import ast
from pathlib import PurePosixPath

from redline.core.hosts import LOOPBACK_PREFIXES
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.python import PythonModule

#: why the finding takes the context step (shown with it)
HAND_RUN_CLIENT = "a hand-run client script: it calls a server on this machine, no request waits on it"
_CHANNELS = ("grpc.insecure_channel", "grpc.secure_channel", "grpc.aio.insecure_channel", "grpc.aio.secure_channel")
#: loopback, and the wildcard addresses a local server listens on (``[::]``, ``0.0.0.0``)
_LOCAL_HOSTS = (*LOOPBACK_PREFIXES, "[::]", "0.0.0.0")


def is_hand_run_client(module: PythonModule) -> bool:
    """Whether ``module`` is a client script for a server on this machine (see the module doc)."""
    from redline.sources.code.build import main_guard  # noqa: PLC0415 - only for a file with a RES112 finding

    if "client" not in PurePosixPath(module.path).stem.lower() or main_guard(module.tree) == (0, 0):
        return False
    targets: list[ast.expr] = []
    for call in module.calls:
        qual = module.qualname(call.func) or ""
        if qual in ("grpc.server", "grpc.aio.server") or (_name(call.func).endswith("_to_server")):
            return False  # it serves too: a service, not a client script
        if qual in _CHANNELS:
            if not call.args:
                return False
            targets.append(call.args[0])
    return bool(targets) and all(_local(t) for t in targets)


def _name(func: ast.expr) -> str:
    return func.attr if isinstance(func, ast.Attribute) else func.id if isinstance(func, ast.Name) else ""


def _local(target: ast.expr) -> bool:
    """A literal target on this machine, or one built from such a literal (``'localhost:' + port``,
    ``f"localhost:{port}"``); a name or a configured address is not known to be local."""
    head: ast.expr = target
    while isinstance(head, ast.BinOp) and isinstance(head.op, ast.Add):
        head = head.left
    if isinstance(head, ast.JoinedStr) and head.values:
        head = head.values[0]
    return isinstance(head, ast.Constant) and isinstance(head.value, str) and head.value.startswith(_LOCAL_HOSTS)


def is_hand_run_js_client(index: CodeIndex, calls: list[CallSite]) -> bool:
    """A JS/TS client script: named for a client, serving nothing, and every judged call made at the module's
    top level, so it runs once when the file is run (``node client.js``) and no caller can reach it. A
    template-literal address is not in the index, so the place of the calls stands in for the local target."""
    if "client" not in PurePosixPath(index.path).stem.lower() or not calls:
        return False
    if any(c.raw.rpartition(".")[2] == "Server" for c in index.calls):
        return False  # ``new grpc.Server()``: it serves too
    return all(c.function == "" for c in calls)
