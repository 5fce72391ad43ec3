"""Go ``go.mod``: the build list (``require`` blocks, ``replace`` and ``exclude`` applied) and the
standard library version; ``go.sum`` is read to confirm, never as a list of packages.

Since Go 1.17 go.mod lists every module the build needs (``// indirect`` included), so its
``require`` blocks after ``replace``/``exclude`` are the build list. go.sum records every version the
module graph ever touched (three versions of one module in one file are common): matching it
reported modules the build never uses, so its manifest is ``confirms_only``.

Versions are stored without the leading ``v`` (as OSV's Go data does) and the purl
keeps it. A ``replace`` with a module path and version swaps the package; one pointing
to a local directory leaves the original module unpinned with the path as its source.
An excluded version is unknown (Go takes the next higher one, which only the module proxy knows).
The ``toolchain`` directive (else ``go``) names the Go release, matched as OSV's ``stdlib``
(runtime) and ``toolchain`` (the go command: build time) pseudo-modules; the ``go`` line is a
minimum, so that version is the oldest the module allows, said in the requirement. A ``go`` line
below 1.21 is only the language version (older toolchains do not enforce it): no release is taken
from it, since reporting Go 1.12's advisories for a module built with Go 1.25 would be wrong.
A ``golang:<release>`` builder image in the Dockerfile beside go.mod (or up to two folders
above) is what actually builds the shipped binary and wins over both directives; a floating
tag (``golang:1.26``) means the latest patch at build time, which go.mod cannot tell, so no
release is matched then.
go.mod has no graph: direct requirements are roots, ``// indirect`` ones are not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from redline.core.images import parse_image
from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.containers.dockerfile import parse_dockerfile
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.siblings import text_near

_DIRECTIVES = frozenset(
    {"module", "go", "toolchain", "require", "replace", "exclude", "retract", "godebug", "tool", "ignore"}
)


@dataclass
class _Require:
    path: str
    version: str
    indirect: bool
    line: int


def _strip_v(version: str) -> str:
    return version[1:] if version.startswith("v") else version


def _unquote(token: str) -> str:
    return token[1:-1] if len(token) >= 2 and token[0] == token[-1] and token[0] in '"`' else token


def _statements(lines: list[str]) -> list[tuple[str, str, int]]:
    """``(directive, rest, line)`` with ``( … )`` blocks expanded; comments kept in ``rest``."""
    out: list[tuple[str, str, int]] = []
    block: str | None = None
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line or line.startswith("//"):
            continue
        if block is not None:
            if line.startswith(")"):
                block = None
                continue
            out.append((block, line, number))
            continue
        word, rest = [*line.split(None, 1), ""][:2]
        if word.endswith("(") and len(word) > 1:  # "require(" written without a space
            word, rest = word[:-1], "(" + rest
        rest = rest.strip()
        if word not in _DIRECTIVES:
            raise SourceError(f"line {number}: unknown directive {word!r}")
        if rest.startswith("(") and rest[1:].split("//")[0].strip() == "":
            block = word
            continue
        out.append((word, rest, number))
    if block is not None:
        raise SourceError(f"unterminated {block} ( … ) block")
    return out


_GO_RELEASE = re.compile(r"^(?:go)?(\d+)\.(\d+)(?:\.(\d+))?(?:(rc|beta)(\d+))?")


def go_release_version(text: str) -> str:
    """``1.21`` / ``go1.21.5`` / ``1.22rc1`` as OSV's Go data spells releases (``1.21.0``, ``1.22.0-rc.1``);
    empty when it is not a release number. A custom suffix (``go1.23.6-xyz``) keeps the release it is built on."""
    m = _GO_RELEASE.match(text.strip())
    if not m:
        return ""
    major, minor, patch, pre, pre_n = m.groups()
    version = f"{major}.{minor}.{patch or 0}"
    return f"{version}-{pre}.{pre_n}" if pre else version


@dataclass
class _GoMod:
    requires: list[_Require]
    replaces: dict[tuple[str, str], tuple[str, str]]  # (path, version or "") -> (new path, new version)
    excludes: set[tuple[str, str]]
    release: tuple[str, str, int] | None = None  # (directive, version as written, line)


def _read_go_mod(lines: list[str]) -> _GoMod:
    mod = _GoMod([], {}, set())
    go_line: tuple[str, str, int] | None = None
    for directive, rest, number in _statements(lines):
        body, _, comment = rest.partition("//")
        tokens = [_unquote(t) for t in body.split()]
        if directive == "require":
            if len(tokens) != 2:
                raise SourceError(f"line {number}: expected 'require <module> <version>'")
            mod.requires.append(_Require(tokens[0], tokens[1], comment.strip().startswith("indirect"), number))
        elif directive == "replace":
            left, right = _replace_sides(tokens, number)
            mod.replaces[(left[0], left[1] if len(left) == 2 else "")] = (right[0], right[1] if len(right) == 2 else "")
        elif directive == "exclude" and len(tokens) == 2:
            mod.excludes.add((tokens[0], tokens[1]))
        elif directive == "go" and tokens:
            go_line = ("go", tokens[0], number)
        elif directive == "toolchain" and tokens and tokens[0] != "default":
            mod.release = ("toolchain", tokens[0], number)
    mod.release = mod.release or go_line
    return mod


def _replace_sides(tokens: list[str], number: int) -> tuple[list[str], list[str]]:
    if "=>" not in tokens:
        raise SourceError(f"line {number}: replace without '=>'")
    arrow = tokens.index("=>")
    left, right = tokens[:arrow], tokens[arrow + 1 :]
    if len(left) not in (1, 2) or len(right) not in (1, 2):
        raise SourceError(f"line {number}: malformed replace")
    return left, right


def _resolve(req: _Require, mod: _GoMod) -> tuple[str, str, str]:
    """The module path, version and a note on how it was reached after ``exclude`` and ``replace``."""
    if (req.path, req.version) in mod.excludes:
        return req.path, "", f"{req.version} is excluded: Go uses the next higher version"
    target = mod.replaces.get((req.path, req.version)) or mod.replaces.get((req.path, ""))
    if target is None:
        return req.path, _strip_v(req.version), ""
    new_path, new_version = target
    if new_version:
        return new_path, _strip_v(new_version), f"replaces {req.path} {req.version}"
    return req.path, "", f"replaced by local path {new_path}"  # a local directory


_FULL_RELEASE = re.compile(r"^(\d+\.\d+\.\d+)(?:$|-)")


def builder_release(dockerfile: str) -> tuple[str, str] | None:
    """The Go release the ``golang`` builder image builds with: ``(version, tag)`` when the tag names a
    full release (``1.26.6-bookworm``), ``("", tag)`` when it floats (``1.26``, ``alpine``: the latest
    patch when built), None when no golang image is used. The Dockerfile is read by the container
    source's parser (``ARG`` defaults substituted in ``FROM``) and the image by ``parse_image``."""
    try:
        parsed = parse_dockerfile("Dockerfile", dockerfile)
    except SourceError:
        return None
    for stage in parsed.stages:
        ref = parse_image(stage.image)
        if stage.parent is None and not ref.registry and ref.path == "golang" and ref.tag and "$" not in ref.tag:
            full = _FULL_RELEASE.match(ref.tag)
            return (full.group(1) if full else "", ref.tag)
    return None


def _enforced(version: str) -> bool:
    """Since Go 1.21 the ``go`` line is the minimum toolchain the go command will build with."""
    try:
        major, minor = (int(p) for p in version.split(".")[:2])
    except ValueError:
        return False
    return (major, minor) >= (1, 21)


class GoModParser(ManifestParser):
    name = "go-mod"
    file_names = ("go.mod",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        mod = _read_go_mod(text.lines)
        b = ManifestBuilder(text.file.path, "go.mod", "Go", is_lockfile=False)
        for req in mod.requires:
            path, version, requirement = _resolve(req, mod)
            key = b.add(
                path, version, pinned=bool(version), requirement=requirement, line=req.line, direct=not req.indirect
            )
            if not req.indirect:
                b.root(key)
        release = _release(mod, text_near(text, "Dockerfile"))
        if release is not None:
            version, note, line = release
            b.root(b.add("stdlib", version, requirement=note, line=line, direct=True, dev=False))
            b.root(b.add("toolchain", version, requirement=note, line=line, direct=True, dev=True), dev=True)
        return b.build()


def _release(mod: _GoMod, dockerfile: str | None) -> tuple[str, str, int] | None:
    """(version, how it is known, go.mod line) of the Go release that builds the module, or None when
    it cannot be told: the ``golang`` builder image beside go.mod wins (that is what ships), else the
    ``toolchain`` directive, else a ``go`` line of Go 1.21 or later (a minimum)."""
    if mod.release is None:
        return None
    directive, written, line = mod.release
    builder = builder_release(dockerfile) if dockerfile is not None else None
    if builder is not None:
        version, tag = builder
        return (version, f"builder image golang:{tag} in the nearest Dockerfile", line) if version else None
    version = go_release_version(written)
    if directive == "toolchain":
        return (version, f"toolchain directive {written}", line) if version else None
    if not _enforced(version):
        return None  # before Go 1.21 the go line is the language version, not a toolchain minimum
    return version, f"go directive {written} (the minimum Go release; the one building may be newer)", line


_SUM_LINE = re.compile(r"^(\S+)\s+(v\S+?)(/go\.mod)?\s+(h\d+:\S+)\s*$")


class GoSumParser(ManifestParser):
    name = "go-sum"
    file_names = ("go.sum",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        b = ManifestBuilder(text.file.path, "go.sum", "Go", confirms_only=True)
        for number, raw in enumerate(text.lines, start=1):
            if not raw.strip():
                continue
            m = _SUM_LINE.match(raw.strip())
            if not m:
                raise SourceError(f"line {number}: not a '<module> <version>[/go.mod] h1:<hash>' line")
            if m.group(3):
                continue  # only the go.mod file was hashed: the module is in the graph, not the build
            b.add(m.group(1), _strip_v(m.group(2)), line=number)
        return b.build()
