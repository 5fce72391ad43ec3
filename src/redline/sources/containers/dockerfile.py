"""Dockerfiles read into instructions and stages (nothing is built or run).

Handles parser directives (``# escape=``), line continuations with comments
inside them, heredocs (their body is kept in the instruction's value, never
interpreted), exec (JSON) and shell forms, flags (``--from``, ``--chown``)
and multi-stage builds with ``ARG`` substitution in ``FROM``.
"""

from __future__ import annotations

import json
import re
import shlex
from collections.abc import Mapping
from dataclasses import dataclass, field

from redline.core.lazy_regex import lazy
from redline.core.workspace import FileText
from redline.sources.interface import FileSource, SourceError

KNOWN = frozenset(
    {
        "ADD",
        "ARG",
        "CMD",
        "COPY",
        "ENTRYPOINT",
        "ENV",
        "EXPOSE",
        "FROM",
        "HEALTHCHECK",
        "LABEL",
        "MAINTAINER",
        "ONBUILD",
        "RUN",
        "SHELL",
        "STOPSIGNAL",
        "USER",
        "VOLUME",
        "WORKDIR",
    }
)
_DIRECTIVE_RE = lazy(r"^#\s*([a-zA-Z][a-zA-Z0-9_-]*)\s*=\s*(.*?)\s*$")
_HEREDOC_RE = lazy(r"<<(-?)\s*([\"']?)([A-Za-z_][A-Za-z0-9_]*)\2")
_VAR_RE = lazy(r"\$(?:\{([A-Za-z_][A-Za-z0-9_]*)(?:(:?[-+])([^}]*))?\}|([A-Za-z_][A-Za-z0-9_]*))")
_FLAG_RE = lazy(r"^--([a-zA-Z][a-zA-Z0-9-]*)(?:=(\S*))?\s*")


@dataclass(frozen=True)
class DockerInstruction:
    """One instruction. ``value`` is the raw argument text (continuations joined, heredoc bodies kept)."""

    cmd: str  # upper-case: FROM, RUN, ...
    value: str
    line: int
    end_line: int
    stage: int  # index of the stage it belongs to; -1 before the first FROM
    flags: tuple[tuple[str, str], ...] = ()  # leading --name=value flags, in order
    exec_form: tuple[str, ...] | None = None  # the JSON array form, when used
    heredoc: bool = False

    def flag(self, name: str) -> str | None:
        for key, value in self.flags:
            if key == name:
                return value
        return None

    @property
    def arguments(self) -> str:
        """The value without its leading flags."""
        rest = self.value
        while True:
            m = _FLAG_RE.match(rest)
            if not m:
                return rest
            rest = rest[m.end() :]

    @property
    def operands(self) -> tuple[str, ...]:
        """The words of a ``COPY``/``ADD`` (its sources, then its destination) as Docker reads them: the JSON array
        form, else the words split at whitespace with their quotes taken off (``COPY "$APP" /srv``); none for a
        heredoc or an array Docker refuses. The one reading of a copy's operands that image paths, build
        contexts and the secret checks share."""
        if self.heredoc:
            return ()
        if self.exec_form is not None:
            return self.exec_form
        args = self.arguments.strip()
        return () if args.startswith("[") else tuple(unquoted(w) for w in args.split())


@dataclass(frozen=True)
class DockerStage:
    index: int
    base: str  # FROM argument as written
    image: str  # after ARG substitution; may still hold "$" when unresolvable
    name: str  # the AS name, lower-case, or ""
    line: int
    end_line: int
    parent: int | None  # index of an earlier stage this one builds FROM
    platform: str = ""

    @property
    def external(self) -> bool:
        """Pulls a registry image (not ``scratch``, not an earlier stage)."""
        return self.parent is None and self.image.lower() != "scratch"


@dataclass(frozen=True)
class Dockerfile:
    path: str
    instructions: tuple[DockerInstruction, ...]
    stages: tuple[DockerStage, ...] = ()
    global_args: Mapping[str, str | None] = field(default_factory=dict)  # ARGs before the first FROM
    escape: str = "\\"

    @property
    def final_stage(self) -> DockerStage | None:
        return self.stages[-1] if self.stages else None

    def in_stage(self, index: int, *cmds: str) -> list[DockerInstruction]:
        wanted = set(cmds)
        return [i for i in self.instructions if i.stage == index and (not wanted or i.cmd in wanted)]

    def copied_from(self, ins: DockerInstruction) -> int | None:
        """The earlier stage a ``COPY --from=`` names (by name or index); None for another image or no flag."""
        ref = ins.flag("from")
        if ref is None:
            return None
        if ref.isdigit():
            return int(ref) if int(ref) < ins.stage else None
        return next((s.index for s in self.stages if s.name and s.name == ref.lower() and s.index < ins.stage), None)

    def lineage(self, index: int) -> list[int]:
        """The stage and the earlier stages it is built FROM, nearest first."""
        out: list[int] = []
        current: int | None = index
        while current is not None and current not in out and 0 <= current < len(self.stages):
            out.append(current)
            current = self.stages[current].parent
        return out

    def start(self) -> tuple[DockerInstruction | None, DockerInstruction | None]:
        """The ENTRYPOINT and CMD in force in the final stage: each the last one along its lineage (a stage
        built FROM an earlier one inherits both), None when there is none."""
        final = self.final_stage
        if final is None:
            return None, None
        stages = self.lineage(final.index)
        entry = next((found[-1] for s in stages if (found := self.in_stage(s, "ENTRYPOINT"))), None)
        cmd = next((found[-1] for s in stages if (found := self.in_stage(s, "CMD"))), None)
        return entry, cmd

    def env(self, index: int) -> dict[str, str]:
        """ENV in force in a stage (inherited along its lineage); ``ENV a=1 b=2`` and ``ENV a 1`` forms."""
        out: dict[str, str] = {}
        for stage in reversed(self.lineage(index)):
            for ins in self.in_stage(stage, "ENV"):
                out.update(env_pairs(ins.arguments))
        return out

    def exposed_ports(self, index: int) -> list[str]:
        """``EXPOSE`` entries in force in a stage (``8080/tcp`` as written, ARGs not expanded)."""
        return [
            p
            for stage in reversed(self.lineage(index))
            for ins in self.in_stage(stage, "EXPOSE")
            for p in ins.arguments.split()
        ]

    def effective_user(self, index: int) -> tuple[str, DockerInstruction] | None:
        """The last USER in force for a stage (inherited from stages it builds on)."""
        for stage in self.lineage(index):
            users = self.in_stage(stage, "USER")
            if users:
                return users[-1].arguments.strip(), users[-1]
        return None


_ENV_PAIR = lazy(r"""([A-Za-z_][A-Za-z0-9_.-]*)=("(?:[^"\\]|\\.)*"|'[^']*'|\S*)""")


def env_pairs(args: str) -> list[tuple[str, str]]:
    """``a=1 b="two words"`` or the legacy ``a 1`` -> [(name, value)], quotes removed."""
    args = args.strip()
    if args and "=" in args.split()[0]:
        return [
            (k, v[1:-1] if len(v) >= 2 and v[0] == v[-1] and v[0] in "\"'" else v) for k, v in _ENV_PAIR.findall(args)
        ]
    name, _, value = args.partition(" ")
    return [(name, value.strip())] if name else []


def arg_pairs(args: str) -> list[tuple[str, str | None]]:
    """``A``, ``A=1 B="two words"`` -> [(name, default or None)], quotes removed. A quoted default is one word:
    jumpserver's ``ARG TOOLS="cron openssh-client sshpass"`` (continuation lines already joined) is one ARG, not
    three. An unclosed quote runs to the end, as if closed there."""
    words = None
    for closing in ("", '"', "'"):
        try:
            words = shlex.split(args + closing)
            break
        except ValueError:
            continue
    pairs = [word.partition("=") for word in (args.split() if words is None else words)]
    return [(name, value if sep else None) for name, sep, value in pairs if name]


def substitute(text: str, env: Mapping[str, str | None]) -> str:
    """Expand ``$VAR``, ``${VAR}``, ``${VAR:-d}``, ``${VAR:+x}``; unknown names stay as written."""

    def repl(m: re.Match[str]) -> str:
        name = m.group(1) or m.group(4)
        op, word = m.group(2), m.group(3)
        value = env.get(name)
        if op in (":-", "-"):
            return value if value else (word or "")
        if op in (":+", "+"):
            return (word or "") if value else ""
        return value if value is not None else m.group(0)

    return _VAR_RE.sub(repl, text)


def _directives(lines: list[str]) -> tuple[str, int]:
    """The escape character and the index of the first line after the parser directives."""
    escape = "\\"
    start = 0
    for idx, line in enumerate(lines):  # parser directives come first, before any other line
        m = _DIRECTIVE_RE.match(line.strip())
        if not m:
            return escape, idx
        if m.group(1).lower() == "escape" and m.group(2) in ("`", "\\"):
            escape = m.group(2)
        start = idx + 1
    return escape, start


def _skip_blank(lines: list[str], i: int) -> int:
    """Comments and blank lines inside a continuation are dropped."""
    while i < len(lines) and (not lines[i].strip() or lines[i].lstrip().startswith("#")):
        i += 1
    return i


def _continued(lines: list[str], i: int, escape: str) -> tuple[str, int]:
    """The instruction starting at line ``i`` with its continuations joined, and the index of its last line."""
    parts: list[str] = []
    current = lines[i].rstrip()
    while current.endswith(escape):
        parts.append(current[:-1])
        i = _skip_blank(lines, i + 1)
        if i >= len(lines):
            return " ".join(p.strip() for p in parts if p.strip()), i
        current = lines[i].rstrip()
    parts.append(current)
    return " ".join(p.strip() for p in parts if p.strip()), i


def _heredocs(text: str, lines: list[str], i: int) -> tuple[list[str], int, bool]:
    """Bodies of the heredocs a RUN/COPY/ADD opens (kept, never interpreted) and the index of the last line read."""
    body: list[str] = []
    heredoc = False
    if not re.match(r"^(RUN|COPY|ADD)\b", text.strip(), re.IGNORECASE):
        return body, i, heredoc
    for m in _HEREDOC_RE.finditer(text):
        heredoc = True
        strip_tabs, delimiter = m.group(1) == "-", m.group(3)
        i += 1
        while i < len(lines):
            candidate = lines[i].lstrip("\t") if strip_tabs else lines[i]
            if candidate.rstrip() == delimiter:
                break
            body.append(lines[i])
            i += 1
    return body, i, heredoc


def _logical_lines(lines: list[str]) -> tuple[list[tuple[str, int, int, bool]], str]:
    """Join continuations: ``(text, first_line, last_line, heredoc)`` per instruction."""
    escape, i = _directives(lines)
    out: list[tuple[str, int, int, bool]] = []
    n = len(lines)
    while i < n:
        stripped = lines[i].strip()
        if not stripped or stripped.startswith("#"):
            i += 1
            continue
        first = i
        text, i = _continued(lines, i, escape)
        body, i, heredoc = _heredocs(text, lines, i)
        if body:
            text = text + "\n" + "\n".join(body)
        out.append((text, first + 1, min(i, n - 1) + 1, heredoc))
        i += 1
    return out, escape


def _split_flags(rest: str) -> tuple[tuple[tuple[str, str], ...], str]:
    flags: list[tuple[str, str]] = []
    while True:
        m = _FLAG_RE.match(rest)
        if not m:
            return tuple(flags), rest
        flags.append((m.group(1).lower(), m.group(2) or ""))
        rest = rest[m.end() :]


#: the instructions that take a JSON array form (``COPY``/``ADD``: for paths with spaces)
_EXEC_FORMS = frozenset({"CMD", "ENTRYPOINT", "RUN", "SHELL", "HEALTHCHECK", "COPY", "ADD"})


def unquoted(word: str) -> str:
    """``"$DATA_DIR"`` -> ``$DATA_DIR``: Docker takes the quotes off a WORKDIR or a COPY operand (ArchiveBox's
    ``WORKDIR "$DATA_DIR"``)."""
    return word[1:-1] if len(word) >= 2 and word[0] == word[-1] and word[0] in "\"'" else word


def exec_form(args: str) -> tuple[str, ...] | None:
    """The words of an instruction's JSON array form (``CMD ["python", "probe.py"]``), None for the shell form
    or an array that is not all strings."""
    if not args.startswith("["):
        return None
    try:
        value = json.loads(args)
    except ValueError:
        return None
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return tuple(value)
    return None


def parse_dockerfile(path: str, text: str) -> Dockerfile:
    lines = text.splitlines()
    logical, escape = _logical_lines(lines)
    instructions: list[DockerInstruction] = []
    stages: list[DockerStage] = []
    global_args: dict[str, str | None] = {}
    names: dict[str, int] = {}
    stage = -1
    unknown = 0
    for text_, first, last, heredoc in logical:
        word, _, rest = text_.partition(" ")
        cmd = word.upper()
        if cmd not in KNOWN:
            unknown += 1
            continue
        rest = rest.strip()
        flags, args = _split_flags(rest) if cmd in ("FROM", "RUN", "COPY", "ADD", "HEALTHCHECK") else ((), rest)
        if cmd == "FROM":
            stage += 1
            if stages:
                stages[-1] = _close(stages[-1], first - 1)
            stages.append(_stage(stage, args, dict(flags), global_args, names=names, line=first))
            if stages[-1].name:
                names[stages[-1].name] = stage
        elif cmd == "ARG" and stage == -1:
            global_args.update(arg_pairs(args))
        instructions.append(
            DockerInstruction(
                cmd,
                rest,
                first,
                last,
                stage,
                flags,
                exec_form(args) if cmd in _EXEC_FORMS else None,
                heredoc,
            )
        )
    if not stages:
        if unknown and not instructions:
            raise SourceError("not a Dockerfile: no known instruction")
        raise SourceError("Dockerfile has no FROM instruction")
    stages[-1] = _close(stages[-1], logical[-1][2] if logical else stages[-1].line)
    return Dockerfile(path, tuple(instructions), tuple(stages), global_args, escape)


def _stage(
    index: int,
    args: str,
    flags: dict[str, str],
    global_args: Mapping[str, str | None],
    *,
    names: Mapping[str, int],
    line: int,
) -> DockerStage:
    tokens = args.split()
    # ``AS name`` ends the line; the image before it may be a template's placeholder with spaces in it (Mayan
    # EDMS's dockerfile.tmpl: ``FROM {{ DOCKER_LINUX_IMAGE_VERSION }} as base_image``)
    named = len(tokens) >= 3 and tokens[-2].lower() == "as"
    base = " ".join(tokens[:-2]) if named else tokens[0] if tokens else ""
    name = tokens[-1].lower() if named else ""
    image = substitute(base, global_args)
    parent = names.get(image.lower())
    return DockerStage(index, base, image, name, line, line, parent, substitute(flags.get("platform", ""), global_args))


def _close(stage: DockerStage, end_line: int) -> DockerStage:
    return DockerStage(
        stage.index,
        stage.base,
        stage.image,
        stage.name,
        stage.line,
        max(stage.line, end_line),
        stage.parent,
        stage.platform,
    )


class DockerfileSource(FileSource):
    name = "dockerfile"
    kinds = frozenset({"dockerfile"})
    produces = Dockerfile

    def parse(self, text: FileText) -> Dockerfile:
        return parse_dockerfile(text.file.path, text.text)
