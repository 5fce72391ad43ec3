"""Ownership rules read from ``CODEOWNERS`` (GitHub and GitLab syntax) and Backstage ``catalog-info.yaml``.

GitHub reads the first of ``.github/CODEOWNERS``, ``CODEOWNERS``, ``docs/CODEOWNERS``; GitLab also
``.gitlab/CODEOWNERS``. Within a file the last matching rule wins (GitHub; GitLab per section, and a
section's default owners apply to its rules without owners). Patterns follow gitignore: a leading ``/``
anchors at the root, a trailing ``/`` means a directory, a pattern without ``/`` matches at any depth.
A ``catalog-info.yaml`` owns its own directory (``spec.owner``): it is a section of its own, so its owner
is listed first and the CODEOWNERS owners of the path after it.
"""

from __future__ import annotations

import posixpath
import re
from collections.abc import Mapping
from dataclasses import dataclass

from redline.core.model import Stage, ToolError
from redline.core.workspace import SourceFile, UnreadableFile, read_file
from redline.sources.interface import ProjectContext, ProjectOutput, ProjectSource
from redline.sources.yamlsafe import YamlError, load_documents

CODEOWNERS_PATHS = (".github/CODEOWNERS", "CODEOWNERS", "docs/CODEOWNERS", ".gitlab/CODEOWNERS")
_SECTION_RE = re.compile(r"^\^?\[([^\]]+)\](?:\[\d+\])?\s*(.*)$")


@dataclass(frozen=True, slots=True)
class OwnerRule:
    pattern: str
    owners: tuple[str, ...]
    path: str  # the file the rule is written in
    line: int
    section: str = ""


@dataclass(frozen=True)
class Ownership:
    """Every ownership rule of the repository, in precedence order (later wins)."""

    rules: tuple[OwnerRule, ...]

    def owners_of(self, path: str) -> tuple[OwnerRule | None, tuple[str, ...]]:
        """The rule that decides ``path`` and its owners (GitLab sections each contribute their last match)."""
        decided: dict[str, OwnerRule] = {}
        for rule in self.rules:
            if matches(rule.pattern, path):
                decided[rule.section] = rule
        if not decided:
            return None, ()
        owners: list[str] = []
        for rule in decided.values():
            owners += [o for o in rule.owners if o not in owners]
        return list(decided.values())[-1], tuple(owners)


def matches(pattern: str, path: str) -> bool:
    """gitignore-style matching as CODEOWNERS uses it."""
    anchored = pattern.startswith("/") or "/" in pattern.rstrip("/")
    pat = pattern.strip("/")
    directory = pattern.endswith("/")
    if pat in ("*", "**") and not directory:
        return True
    rx = _glob_regex(pat)
    candidates = [path] if anchored else [path[i + 1 :] for i in range(-1, len(path)) if i == -1 or path[i] == "/"]
    for cand in candidates:
        if re.fullmatch(rx, cand) and not directory:
            return True
        if re.match(rx + "/", cand):  # the pattern names a directory above the file
            return True
    return False


def _glob_regex(pat: str) -> str:
    out = ""
    i = 0
    while i < len(pat):
        if pat.startswith("**/", i):
            out += "(?:.*/)?"
            i += 3
        elif pat.startswith("**", i):
            out += ".*"
            i += 2
        elif pat[i] == "*":
            out += "[^/]*"
            i += 1
        elif pat[i] == "?":
            out += "[^/]"
            i += 1
        else:
            out += re.escape(pat[i])
            i += 1
    return out


def parse_codeowners(path: str, text: str) -> list[OwnerRule]:
    rules: list[OwnerRule] = []
    section, defaults = "", ()
    for number, raw in enumerate(text.splitlines(), 1):
        line = raw.split(" #", 1)[0].strip() if not raw.lstrip().startswith("#") else ""
        if not line:
            continue
        sec = _SECTION_RE.match(line)
        if sec:
            section, defaults = sec.group(1), tuple(sec.group(2).split())
            continue
        parts = line.replace("\\ ", "\0").split()
        pattern = parts[0].replace("\0", " ")
        owners = tuple(parts[1:]) or defaults
        rules.append(OwnerRule(pattern, owners, path, number, section))
    return rules


def catalog_rule(path: str, text: str) -> OwnerRule | None:
    """A Backstage ``catalog-info.yaml``: its ``spec.owner`` owns the directory it sits in."""
    try:
        docs = list(load_documents(text))
    except YamlError:
        return None
    for doc in docs:
        value = doc.value
        spec = value.get("spec") if isinstance(value, Mapping) else None
        owner = spec.get("owner") if isinstance(spec, Mapping) else None
        if isinstance(owner, str) and owner:
            directory = posixpath.dirname(path)
            return OwnerRule(f"/{directory}/" if directory else "*", (owner,), path, doc.line, "catalog")
    return None


class OwnershipSource(ProjectSource):
    name = "ownership"
    produces = Ownership

    def collect(self, ctx: ProjectContext) -> ProjectOutput:
        by_path = {f.path: f for f in ctx.files}
        out = ProjectOutput([], [], [])
        rules: list[OwnerRule] = []
        catalogs = sorted(
            (f for f in ctx.files if posixpath.basename(f.path) in ("catalog-info.yaml", "catalog-info.yml")),
            key=lambda f: (f.path.count("/"), f.path),
        )
        for f in catalogs:  # deeper catalogs later: they win for their subtree
            text = self._read(f, out)
            rule = catalog_rule(f.path, text) if text is not None else None
            if rule is not None:
                rules.append(rule)
        chosen = [by_path[p] for p in CODEOWNERS_PATHS if p in by_path]
        if chosen:  # GitHub and GitLab use the first one found; rules below override catalogs
            text = self._read(chosen[0], out)
            rules += parse_codeowners(chosen[0].path, text) if text is not None else []
        if rules:
            out.facts.append(Ownership(tuple(rules)))
        return out

    @staticmethod
    def _read(file: SourceFile, out: ProjectOutput) -> str | None:
        try:
            return read_file(file).text
        except UnreadableFile as exc:
            out.errors.append(ToolError(file.path, f"ownership: {exc}", stage=Stage.READ))
            return None
