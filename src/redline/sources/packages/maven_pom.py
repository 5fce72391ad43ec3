"""Maven ``pom.xml``: declared dependencies (a manifest; Maven resolves the graph at build time).

Read with a hardened XML parser (no DTD entities, no external references) into a small
tree with line numbers. ``${…}`` is interpolated from ``<properties>`` (recursively),
``project.*`` / ``pom.*`` coordinates and ``project.parent.*`` of the same file;
``<dependencyManagement>`` fills a missing version or scope; dependencies of profiles
active by default count. Scopes ``test`` and ``provided`` are dev. A range
(``[1.0,2.0)``) leaves the dependency unpinned with that text. Plugin dependencies are build
tools and are not reported.

Maven refuses a dependency without a version unless something manages it, so a version left
out (or a ``${property}`` this file does not define) while the POM imports a BOM
(``<scope>import</scope>`` in dependencyManagement) or names a ``<parent>`` is *managed*: pinned by
that BOM or parent, its version unknown here (those files are not read, so it is not matched
against advisories). Without either, it stays unpinned with the reason.
"""

from __future__ import annotations

import re
import xml.sax  # the handler base class and the parse error only (the expat reader is defusedxml's, below)
from dataclasses import dataclass, field
from typing import Any

from redline.core.packages import PackageManifest
from redline.core.workspace import FileText
from redline.sources.interface import SourceError
from redline.sources.packages.common import ManifestBuilder
from redline.sources.packages.interface import ManifestParser

_PROP = re.compile(r"\$\{([^}]+)\}")
_DEV_SCOPES = frozenset({"test", "provided"})
MAX_INTERPOLATION_DEPTH = 16


@dataclass
class Node:
    tag: str
    line: int
    text: str = ""
    children: list[Node] = field(default_factory=list)
    attrs: dict[str, str] = field(default_factory=dict)

    def child(self, tag: str) -> Node | None:
        return next((c for c in self.children if c.tag == tag), None)

    def all(self, tag: str) -> list[Node]:
        return [c for c in self.children if c.tag == tag]

    def value(self, tag: str) -> str:
        c = self.child(tag)
        return c.text.strip() if c is not None else ""


class _TreeBuilder(xml.sax.handler.ContentHandler):
    def __init__(self) -> None:
        super().__init__()
        self.stack: list[Node] = []
        self.root: Node | None = None
        self._texts: list[list[str]] = []  # the text pieces of each open element
        self._locator: Any = None

    def setDocumentLocator(self, locator: Any) -> None:
        self._locator = locator

    def startElement(self, name: str, attrs: Any) -> None:
        line = self._locator.getLineNumber() if self._locator is not None else 0
        node = Node(name.rsplit(":", 1)[-1], line, attrs={k.rsplit(":", 1)[-1]: v for k, v in attrs.items()})
        if self.stack:
            self.stack[-1].children.append(node)
        else:
            self.root = node
        self.stack.append(node)
        self._texts.append([])

    def endElement(self, name: str) -> None:
        node = self.stack.pop()
        node.text += "".join(self._texts.pop())

    def characters(self, content: str) -> None:
        # collected and joined once: expat hands text over in many small pieces, and `+=` on each was
        # quadratic (a 2 MB run of blanks took minutes)
        if self._texts:
            self._texts[-1].append(content)


def parse_xml(data: bytes) -> Node:
    # the expat reader pulls in xml.sax.saxutils -> urllib.request -> http.client (~15 ms): only for XML read
    import defusedxml.sax  # noqa: PLC0415 - imported when the first XML file is parsed
    from defusedxml import DefusedXmlException  # noqa: PLC0415

    handler = _TreeBuilder()
    try:
        defusedxml.sax.parseString(data, handler, forbid_dtd=True)
    except xml.sax.SAXParseException as exc:
        raise SourceError(f"invalid XML at line {exc.getLineNumber()}: {exc.getMessage()}") from None
    except DefusedXmlException as exc:
        raise SourceError(f"refused XML construct: {type(exc).__name__}") from None
    except LookupError as exc:  # <?xml encoding="UVF-8"?>: expat asks for a codec that does not exist
        raise SourceError(f"invalid XML: {exc}") from None
    if handler.root is None:
        raise SourceError("no XML root element")
    return handler.root


class PomParser(ManifestParser):
    name = "maven-pom"
    file_names = ("pom.xml",)

    def parse_manifest(self, text: FileText) -> PackageManifest:
        project = parse_xml(text.data)
        if project.tag != "project":
            raise SourceError(f"root element is <{project.tag}>, not <project>: not a Maven POM")
        active = [
            p
            for p in _all_path(project, "profiles", "profile")
            if _all_path(p, "activation") and (p.child("activation") or Node("", 0)).value("activeByDefault") == "true"
        ]
        props = _properties(project, active)
        managed: dict[tuple[str, str], tuple[str, str]] = {}
        boms: list[str] = []
        for dep in _all_path(project, "dependencyManagement", "dependencies", "dependency"):
            group, artifact = _interp(dep.value("groupId"), props), _interp(dep.value("artifactId"), props)
            version = _interp(dep.value("version"), props)
            if dep.value("scope") == "import":
                boms.append(f"BOM {group}:{artifact}:{version}")
                continue
            managed.setdefault((group, artifact), (version, dep.value("scope")))
        parent = project.child("parent")
        if parent is not None:
            boms.append(f"parent POM {parent.value('groupId')}:{parent.value('artifactId')}:{parent.value('version')}")
        b = ManifestBuilder(text.file.path, "pom.xml", "Maven", is_lockfile=False)
        deps = _all_path(project, "dependencies", "dependency")
        for profile in active:
            deps += _all_path(profile, "dependencies", "dependency")
        for dep in deps:
            group, artifact = _interp(dep.value("groupId"), props), _interp(dep.value("artifactId"), props)
            if not group or not artifact:
                raise SourceError(f"line {dep.line}: dependency without groupId or artifactId")
            version, scope = _interp(dep.value("version"), props), dep.value("scope")
            m_version, m_scope = managed.get((group, artifact), ("", ""))
            version, scope = version or m_version, (scope or m_scope or "compile").strip()
            pinned = bool(version) and "${" not in version and not version.startswith(("[", "("))
            dev = scope in _DEV_SCOPES
            requirement = "" if pinned else (version or "no version declared")
            by_other = not pinned and boms and (not version or "${" in version)
            if by_other:
                requirement = f"version {version + ' ' if version else ''}managed by {' or '.join(boms)}"
            key = b.add(
                f"{group}:{artifact}",
                version if pinned else "",
                pinned=pinned or bool(by_other),
                requirement=requirement,
                line=dep.line,
                dev=dev,
                direct=True,
                managed=bool(by_other),
            )
            b.root(key, dev=dev)
        return b.build()


def _all_path(node: Node, *tags: str) -> list[Node]:
    current = [node]
    for tag in tags:
        current = [c for n in current for c in n.all(tag)]
    return current


def _properties(project: Node, active_profiles: list[Node]) -> dict[str, str]:
    props: dict[str, str] = {}
    parent = project.child("parent")
    for tag in ("groupId", "artifactId", "version"):
        parent_value = parent.value(tag) if parent is not None else ""
        own = project.value(tag) or parent_value
        for prefix in ("project.", "pom.", ""):
            if own:
                props[f"{prefix}{tag}"] = own
            if parent_value:
                props[f"{prefix}parent.{tag}"] = parent_value
    for holder in [project, *active_profiles]:
        for block in holder.all("properties"):
            for prop in block.children:
                props[prop.tag] = prop.text.strip()
    return props


def _interp(value: str, props: dict[str, str]) -> str:
    """Replace ``${name}`` from ``props`` until nothing changes; unknown names stay as written."""
    for _ in range(MAX_INTERPOLATION_DEPTH):
        new = _PROP.sub(lambda m: props.get(m.group(1), m.group(0)), value)
        if new == value:
            break
        value = new
    return value.strip()
