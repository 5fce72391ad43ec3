"""The project's ORM models and their relations, read from every module's code index: which class is a
Django/SQLAlchemy/Peewee/Tortoise model, which of its attributes load lazily, and what a loop iterates."""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from redline.sources.code.loops import LOADERS, OPAQUE
from redline.sources.code.model import CallSite, CodeIndex, Definition, Loop

_ROOT_BASES = frozenset({"Model", "DeclarativeBase", "AbstractUser", "AbstractBaseUser", "SQLModel"})
_DECLARATIVE = frozenset({"declarative_base", "as_declarative", "generate_base"})
_FK = frozenset({"ForeignKey", "OneToOneField", "ParentalKey", "TreeForeignKey", "GenericForeignKey"})
_M2M = frozenset({"ManyToManyField", "ParentalManyToManyField", "TaggableManager"})
_EAGER = frozenset({"joined", "selectin", "subquery", "immediate"})
_NO_LOAD = frozenset({"raise", "raise_on_sql", "noload"})
#: Django manager attributes a query starts from
DJANGO_MANAGERS = frozenset({"objects", "_default_manager", "_base_manager"})
#: chain steps after which the rows are no longer model instances
_NOT_INSTANCES = frozenset({"values", "values_list", "count", "exists", "aggregate", "iterator_values"})
_TOKEN = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


@dataclass(frozen=True)
class Relation:
    name: str
    kind: str  # fk (one object, loaded on first read) / many (a manager or collection)
    eager: bool = False  # declared eager (SQLAlchemy lazy="joined"/"selectin"/...)


@dataclass
class Model:
    name: str
    orm: str  # django / sqlalchemy / peewee / tortoise
    relations: dict[str, Relation] = field(default_factory=dict)


@dataclass
class Catalogue:
    models: dict[str, Model] = field(default_factory=dict)

    def orm_of(self, name: str) -> str | None:
        model = self.models.get(name)
        return model.orm if model else None


def module_orm(index: CodeIndex) -> str | None:
    """The ORM a module imports, if one."""
    found = {q.split(".", 1)[0] for _, q in index.imports}
    for module, orm in (
        ("django", "django"),
        ("sqlalchemy", "sqlalchemy"),
        ("flask_sqlalchemy", "sqlalchemy"),
        ("sqlmodel", "sqlalchemy"),
        ("peewee", "peewee"),
        ("playhouse", "peewee"),
        ("tortoise", "tortoise"),
    ):
        if module in found:
            return orm
    return None


def catalogue(indexes: Sequence[CodeIndex]) -> Catalogue:
    """Every model class of the project (subclasses of project models included) and its relations."""
    roots = set(_ROOT_BASES)
    for index in indexes:
        roots |= {c.assigned_to for c in index.calls if c.assigned_to and c.raw.rsplit(".", 1)[-1] in _DECLARATIVE}
    classes: list[tuple[CodeIndex, Definition, str]] = [
        (index, d, orm)
        for index in indexes
        if (orm := module_orm(index))
        for d in index.definitions
        if d.kind == "class"
    ]
    known = set(roots)
    found: dict[str, tuple[CodeIndex, Definition, str]] = {}
    changed = True
    while changed:  # a fixpoint: a class whose base is a model class is a model
        changed = False
        for index, d, orm in classes:
            if d.name not in found and any(b.rsplit(".", 1)[-1] in known for b in d.bases):
                found[d.name] = (index, d, orm)
                known.add(d.name)
                changed = True
    cat = Catalogue({name: Model(name, orm) for name, (_, _, orm) in found.items()})
    for index, d, _ in found.values():
        for call in index.calls_in(d.qualname):
            _field(cat, d.name, call)
    return cat


def _field(cat: Catalogue, model: str, call: CallSite) -> None:
    kind = call.raw.rsplit(".", 1)[-1]
    name = call.assigned_to
    if not name or "." in name:
        return
    own = cat.models[model]
    related = _kw(call, "related_name") or _kw(call, "backref")
    if kind in _FK or (kind == "ForeignKeyField" and own.orm == "peewee"):
        own.relations[name] = Relation(name, "fk")
    elif kind in _M2M:
        own.relations[name] = Relation(name, "many")
    elif kind == "relationship":
        lazy = _kw(call, "lazy") or "select"
        if lazy not in _NO_LOAD:
            uselist = next((a.literal for a in call.args if a.keyword == "uselist"), None)
            many = uselist is not False and _looks_plural(name)
            own.relations[name] = Relation(name, "many" if many else "fk", eager=lazy in _EAGER)
    else:
        return
    target = _target_model(call)
    if related and target in cat.models and not related.endswith("+"):
        cat.models[target].relations.setdefault(related, Relation(related, "many"))


def _kw(call: CallSite, keyword: str) -> str | None:
    for a in call.args:
        if a.keyword == keyword and isinstance(a.literal, str):
            return a.literal
        if a.keyword == keyword and a.call and a.call.rsplit(".", 1)[-1] == "backref" and a.call_args:
            return a.call_args[0]
    return None


def _target_model(call: CallSite) -> str | None:
    first = next((a for a in call.args if a.keyword is None), None)
    if first is None:
        return None
    text = first.literal if isinstance(first.literal, str) else first.name
    return text.rsplit(".", 1)[-1] if text else None


def _looks_plural(name: str) -> bool:
    return name.endswith("s") and not name.endswith("ss")


def tokens(texts: Iterable[str]) -> set[str]:
    """The identifiers in prefetch arguments (``author__publisher`` -> author, publisher)."""
    return {t for text in texts for part in text.split("__") for t in _TOKEN.findall(part)}


@dataclass(frozen=True)
class Iterated:
    """The model a loop iterates and what its query loads with it."""

    model: Model
    query: str  # as written, for the message
    loaded: frozenset[str]  # tokens of its prefetch arguments
    steps: tuple[str, ...]  # the chain's method names
    opaque: bool = False  # a loader's arguments are not written out (``select_related(*fields)``)


def iterated(cat: Catalogue, index: CodeIndex, loop: Loop) -> Iterated | None:
    """What the loop iterates when it is a query of a project model (directly or through a local name)."""
    return _resolve(cat, index, loop.function, loop.iter, loop.iter_args, line=loop.line, depth=0)


def resolve_name(cat: Catalogue, index: CodeIndex, function: str, chain: str, line: int) -> Iterated | None:
    """What a chain rooted at a local name of ``function`` holds at ``line`` (a template's context value)."""
    return _resolve(cat, index, function, chain, (), line=line, depth=0)


def _resolve(
    cat: Catalogue, index: CodeIndex, function: str, chain: str, args: tuple[str, ...], *, line: int, depth: int
) -> Iterated | None:
    parts = chain.split(".") if chain else []
    if not parts or depth > 3:
        return None
    model = _model_of(cat, parts, args)
    if model is not None:
        steps = tuple(parts[1:])
        if _NOT_INSTANCES & set(steps):
            return None
        return Iterated(model, chain, frozenset(tokens(args)), steps, OPAQUE in args)
    binding = _binding(index, function, parts[0], line)  # books = Book.objects...; qs = qs.filter(...)
    if binding is None:
        return None
    found = _resolve(
        cat, index, function, binding.raw, _args_of_chain(index, binding), line=binding.line, depth=depth + 1
    )
    if found is None or _NOT_INSTANCES & set(parts[1:]):
        return None
    return Iterated(
        found.model, chain, found.loaded | tokens(args), (*found.steps, *parts[1:]), found.opaque or OPAQUE in args
    )


def _model_of(cat: Catalogue, parts: list[str], args: tuple[str, ...]) -> Model | None:
    head = cat.models.get(parts[0])
    if head is not None and len(parts) >= 2:
        if head.orm == "django" and parts[1] in DJANGO_MANAGERS:
            return head
        if head.orm == "sqlalchemy" and parts[1] == "query":
            return head
        if head.orm == "peewee" and parts[1] in {"select", "filter"}:
            return head
    steps = set(parts[1:])
    if "query" in steps or "scalars" in steps:  # session.query(Book) / session.scalars(select(Book))
        for text in args:
            name = text.split("(", 1)[1].rstrip(")") if "select(" in text else text
            model = cat.models.get(name.strip())
            if model is not None and model.orm == "sqlalchemy":
                return model
    return None


def _binding(index: CodeIndex, function: str, name: str, line: int) -> CallSite | None:
    """The last call bound to ``name`` in ``function`` before ``line`` (the outermost of its chain)."""
    best: CallSite | None = None
    for call in index.calls_in(function):
        if call.assigned_to == name and call.line < line and (best is None or call.line >= best.line):
            best = call
    return best


def _args_of_chain(index: CodeIndex, call: CallSite) -> tuple[str, ...]:
    """What the calls of a bound chain (on its lines) were passed."""
    texts: list[str] = []
    for other in index.calls_in(call.function):
        if call.line <= other.line <= call.end_line and call.raw.startswith(other.raw):
            for a in other.args:
                if isinstance(a.literal, str):
                    texts.append(a.literal)
                elif other.raw.rsplit(".", 1)[-1] in LOADERS and a.keyword is None and not a.call:
                    texts.append(OPAQUE)  # a name or *fields: what it loads is not written here
                texts += [t for t in (a.name, *a.items) if t]
    return tuple(texts)
