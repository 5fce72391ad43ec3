"""``WEB-INF/web.xml``: the servlets and the URL patterns they are mapped to, the filters in front of them and
the container's ``<security-constraint>``s: what a Java web application declares outside its code. Read with the
hardened XML parser of the Maven source (no DTD, no entities, no external references); a descriptor that is
not well-formed XML, or whose root is not ``<web-app>``, is listed as not covered with the reason."""

from __future__ import annotations

from dataclasses import dataclass

from redline.core.thirdparty import THIRD_PARTY_DIRS, in_folder_named
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import FileSource, NotCovered, SourceError
from redline.sources.packages.maven_pom import Node, parse_xml

#: the deployment descriptor and the fragments a library jar contributes
FILE_NAMES = frozenset({"web.xml", "web-fragment.xml"})
#: build output (Maven ``target``, Gradle ``build``) holds copies of the descriptor (web.xml's own addition to
#: core.thirdparty's folders, whose installed or vendored code is not the app's either)
_NOT_SOURCE = THIRD_PARTY_DIRS | frozenset({"target", "build"})


@dataclass(frozen=True)
class Component:
    """A ``<servlet>`` or ``<filter>``: its name and class (a servlet may name a ``<jsp-file>`` instead)."""

    name: str
    cls: str
    line: int


@dataclass(frozen=True)
class Mapping:
    """A ``<servlet-mapping>``/``<filter-mapping>``: the component, each URL pattern with its line, and (for a
    filter) the servlets it is mapped to by name."""

    name: str
    patterns: tuple[tuple[str, int], ...]
    servlets: tuple[str, ...] = ()


@dataclass(frozen=True)
class Constraint:
    """A ``<web-resource-collection>`` of a ``<security-constraint>``: the URL patterns and methods it covers
    and the roles its ``<auth-constraint>`` requires (None when it has none, () when it admits no one)."""

    patterns: tuple[str, ...]
    methods: tuple[str, ...]  # () for every method
    omitted: tuple[str, ...]  # ``<http-method-omission>``: every method but these
    roles: tuple[str, ...] | None
    line: int


@dataclass(frozen=True)
class WebDescriptor:
    path: str
    servlets: tuple[Component, ...] = ()
    servlet_mappings: tuple[Mapping, ...] = ()
    filters: tuple[Component, ...] = ()
    filter_mappings: tuple[Mapping, ...] = ()
    constraints: tuple[Constraint, ...] = ()
    login: str = ""  # ``<login-config><auth-method>``: BASIC / FORM / CLIENT-CERT / DIGEST, "" when none


def _texts(node: Node, tag: str) -> tuple[str, ...]:
    return tuple(c.text.strip() for c in node.all(tag) if c.text.strip())


def _components(root: Node, tag: str, class_tags: tuple[str, ...]) -> tuple[Component, ...]:
    found = []
    for node in root.all(tag):
        cls = next((node.value(t) for t in class_tags if node.value(t)), "")
        found.append(Component(node.value(f"{tag}-name"), cls, node.line))
    return tuple(found)


def _mappings(root: Node, tag: str) -> tuple[Mapping, ...]:
    found = []
    for node in root.all(f"{tag}-mapping"):
        patterns = tuple((c.text.strip(), c.line) for c in node.all("url-pattern") if c.text.strip())
        found.append(Mapping(node.value(f"{tag}-name"), patterns, _texts(node, "servlet-name")))
    return tuple(found)


def _constraints(root: Node) -> tuple[Constraint, ...]:
    found = []
    for constraint in root.all("security-constraint"):
        auth = constraint.child("auth-constraint")
        roles = _texts(auth, "role-name") if auth is not None else None
        for collection in constraint.all("web-resource-collection"):
            found.append(
                Constraint(
                    _texts(collection, "url-pattern"),
                    tuple(m.upper() for m in _texts(collection, "http-method")),
                    tuple(m.upper() for m in _texts(collection, "http-method-omission")),
                    roles,
                    collection.line,
                )
            )
    return tuple(found)


def read_descriptor(path: str, data: bytes) -> WebDescriptor:
    """The descriptor's facts; ``NotCovered`` with the reason when it cannot be read as one."""
    try:
        root = parse_xml(data)
    except SourceError as exc:
        raise NotCovered(f"not read: {exc}") from None
    if root.tag not in {"web-app", "web-fragment"}:
        raise NotCovered(f"not read: root element is <{root.tag}>, not <web-app>")
    login = root.child("login-config")
    return WebDescriptor(
        path=path,
        servlets=_components(root, "servlet", ("servlet-class", "jsp-file")),
        servlet_mappings=_mappings(root, "servlet"),
        filters=_components(root, "filter", ("filter-class",)),
        filter_mappings=_mappings(root, "filter"),
        constraints=_constraints(root),
        login=login.value("auth-method").upper() if login is not None else "",
    )


class WebXmlSource(FileSource):
    name = "web.xml"
    kinds = frozenset({"xml"})
    produces = WebDescriptor

    def wants(self, file: SourceFile) -> bool:
        return file.path.rpartition("/")[2].lower() in FILE_NAMES and not in_folder_named(file.path, _NOT_SOURCE)

    def parse(self, text: FileText) -> WebDescriptor:
        return read_descriptor(text.file.path, text.data)
