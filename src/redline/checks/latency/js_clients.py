"""What a JavaScript/TypeScript receiver is, project-wide: a Sequelize/Mongoose/TypeORM model, a Prisma
client, a TypeORM repository or manager, a node-postgres/mysql pool, a Redis client. Judged from what the
modules construct and export and what the importing module binds; a name alone never makes a client, except
``prisma`` in a project that imports ``@prisma/client``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from redline.core.facts import Facts
from redline.sources.code.model import CallSite, CodeIndex
from redline.sources.code.routes.jscommon import JS_LANGUAGES
from redline.sources.code.treesitter.jsnames import module_id

#: constructors (resolved targets) -> the client kind they make
_CONSTRUCTORS = {
    "@prisma/client.PrismaClient": "prisma",
    "pg.Pool": "sql",
    "pg.Client": "sql",
    "pg.default.Pool": "sql",
    "mysql.createPool": "sql",
    "mysql.createConnection": "sql",
    "mysql2.createPool": "sql",
    "mysql2.createConnection": "sql",
    "mysql2/promise.createPool": "sql",
    "mysql2/promise.createConnection": "sql",
    "ioredis": "redis",
    "ioredis.Redis": "redis",
    "ioredis.default": "redis",
    "ioredis.Cluster": "redis",
    "redis.createClient": "redis",
    "redis.createCluster": "redis",
    "@redis/client.createClient": "redis",
}
#: a call on a client that hands out another client of the same kind (``await pool.connect()``)
_DERIVED = {"sql": frozenset({"connect", "getConnection", "promise"}), "redis": frozenset({"duplicate"})}
_ORM_PACKAGES = {
    "sequelize": "sequelize",
    "sequelize-typescript": "sequelize",
    "@sequelize/core": "sequelize",
    "mongoose": "mongoose",
    "typeorm": "typeorm",
}
REPOSITORY_GETTERS = frozenset({"getRepository", "getCustomRepository", "getTreeRepository", "getMongoRepository"})
_MODEL_BASES = {"Model": "sequelize", "BaseEntity": "typeorm"}


@dataclass
class ModuleFacts:
    """What one module constructs and declares: local names bound to clients/models, its default export."""

    orm: str | None  # the ORM package it imports
    names: dict[str, str] = field(default_factory=dict)  # local name (module level) -> kind ("prisma", "model:...")
    default: str | None = None  # what ``module.exports``/``export default`` is


@dataclass
class JsProject:
    modules: dict[str, ModuleFacts] = field(default_factory=dict)  # module id -> facts
    packages: set[str] = field(default_factory=set)  # ORM/client packages imported anywhere
    prisma_classes: set[str] = field(default_factory=set)  # classes extending PrismaClient
    #: project classes that are models, by name (subclasses of project models included) -> ORM
    model_classes: dict[str, str] = field(default_factory=dict)
    #: Sequelize association names the project declares (``belongsTo(User, {as: 'author'})`` -> author, user),
    #: lower-cased, singular and plural
    associations: set[str] = field(default_factory=set)
    #: TypeORM relation properties declared lazy -> the entity classes that declare them
    lazy_relations: dict[str, set[str]] = field(default_factory=dict)
    #: module id -> its index (what a helper imported from another module is summarised from)
    sources: dict[str, CodeIndex] = field(default_factory=dict)
    #: module id -> its functions that read the database with a parameter: qualname -> (line, query, ORM label)
    helper_reads: dict[str, dict[str, tuple[int, str, str]]] = field(default_factory=dict)
    #: every ``/``-suffix of every module id (``a/b/c``, ``b/c``, ``c``) -> the module ids that end with it, and
    #: how many modules there were when it was built (modules are only added; it is rebuilt if one was)
    _endings: dict[str, list[str]] = field(default_factory=dict, init=False, repr=False, compare=False)
    _endings_of: int = field(default=-1, init=False, repr=False, compare=False)

    def _ending(self, suffix: str) -> list[str]:
        """The module ids equal to ``suffix`` or ending with ``/suffix``: a lookup, where a scan of every module
        per aliased import (``@server/models``, and every scoped package such as ``@babel/core``) took 1.7 s of
        outline's audit."""
        if self._endings_of != len(self.modules):
            self._endings = {}
            for module in self.modules:
                parts = module.split("/")
                for cut in range(len(parts)):
                    self._endings.setdefault("/".join(parts[cut:]), []).append(module)
            self._endings_of = len(self.modules)
        return self._endings.get(suffix, [])

    def module(self, target: str) -> str | None:
        """The project module an import target names: a relative import's module id, or a path alias
        (``@server/models``, ``~/models``) that ends one module id only."""
        if target in self.modules:
            return target
        if not target.startswith(("@", "~", "#")) or "/" not in target:
            return None
        rest = target.split("/", 1)[1]
        for suffix in (target.lstrip("@~#"), rest):
            found = self._ending(suffix)
            if len(found) == 1:
                return found[0]
        return None

    def imported_kind(self, index: CodeIndex, name: str) -> str | None:
        """What a local name imported from a project module is (``const db = require('../db')``):
        a kind, or ``models:<orm>`` for a namespace of models (``db.User``)."""
        target = index.imported(name)
        if target is None:
            return None
        module = self.module(target)
        if module is not None:
            whole = self.modules[module]
            orm = _models_module(module, whole)
            return whole.default or (f"models:{orm}" if orm else None) or self._model_class(name)
        owner, _, member = target.rpartition(".")
        module = self.module(owner)
        if module is None:
            return None
        if member in self.model_classes:  # re-exported from a models index (``export { default as User }``)
            return f"model:{self.model_classes[member]}"
        facts = self.modules[module]
        found = facts.names.get(member)
        orm = _models_module(module, facts)
        if found is None and member[:1].isupper() and orm:
            return f"model:{orm}"  # ``const { User } = require('../models')``
        if found is None and member in {"db", "models"} and orm:
            return f"models:{orm}"
        return found

    def _model_class(self, name: str) -> str | None:
        return f"model:{self.model_classes[name]}" if name in self.model_classes else None

    def single_orm(self) -> str | None:
        orms = {v for k, v in _ORM_PACKAGES.items() if k in self.packages}
        return orms.pop() if len(orms) == 1 else None


def _models_module(module: str, facts: ModuleFacts) -> str | None:
    """``models/index.js`` of sequelize-cli (``db[model.name] = model``): every capitalised member is a model."""
    if module.rsplit("/", 1)[-1] not in {"models", "model", "db", "database", "entities"}:
        return None
    return facts.orm


def run_js_project(facts: Facts) -> JsProject | None:
    """The project facts of the run's JavaScript/TypeScript modules, None without any: the serial-awaits and the
    per-item checks read the same one, built once per run (``ctx.scope.derived(run_js_project, facts)``)."""
    js = [i for i in facts.of(CodeIndex) if i.language in JS_LANGUAGES]
    return js_project(js) if js else None


def js_project(indexes: Sequence[CodeIndex]) -> JsProject:
    project = JsProject()
    for index in indexes:
        packages = {package_of(q) for _, q in index.imports}
        project.packages |= packages
        orm = next((o for p, o in _ORM_PACKAGES.items() if p in packages), None)
        facts = ModuleFacts(orm)
        for d in index.definitions:
            if d.kind == "class" and any(b.rsplit(".", 1)[-1] == "PrismaClient" for b in d.bases):
                project.prisma_classes.add(d.name)
                facts.names[d.name] = "prisma"
            elif d.kind == "class" and orm and (kind := _model_base(index, d.bases)):
                facts.names[d.name] = f"model:{kind}"
        for call in outermost(index.calls):
            kind = constructed(call, orm)
            if kind and call.function == "" and call.assigned_to:
                facts.names[call.assigned_to] = kind
            if kind and call.function == "" and call.assigned_to in {"default", "module.exports"}:
                facts.default = kind  # ``module.exports = mongoose.model(...)``, ``export default new PrismaClient()``
        for assignment in index.assignments:
            if assignment.name == "module.exports" and assignment.values and isinstance(assignment.values[0], str):
                facts.default = facts.default or facts.names.get(assignment.values[0])
        project.modules[module_id(index.path)] = facts
        project.sources[module_id(index.path)] = index
        project.associations |= _associations(index)
        for d in index.definitions if "typeorm" in packages else ():
            for name in d.lazy_relations:
                project.lazy_relations.setdefault(name, set()).add(d.name)
    _model_classes(project, indexes)
    return project


_ASSOCIATIONS = frozenset({"belongsTo", "hasOne", "hasMany", "belongsToMany"})


def _associations(index: CodeIndex) -> set[str]:
    """``Post.belongsTo(User, { as: 'author' })`` -> {author, authors, user, users}."""
    found: set[str] = set()
    for call in index.calls:
        if call.raw.rsplit(".", 1)[-1] not in _ASSOCIATIONS or not call.args:
            continue
        names = [item.split("=", 1)[1].strip("'\"`") for a in call.args for item in a.items if item.startswith("as=")]
        first = call.args[0].name
        names += [first.rsplit(".", 1)[-1]] if first else []
        for name in (n.lower() for n in names if n):
            found |= {name, name + "s", name.removesuffix("s")}
    return found


def _model_classes(project: JsProject, indexes: Sequence[CodeIndex]) -> None:
    """Classes extending an ORM's model base, and (a fixpoint) classes extending those."""
    classes = [(index, d) for index in indexes for d in index.definitions if d.kind == "class" and d.bases]
    changed = True
    while changed:
        changed = False
        for index, d in classes:
            if d.name in project.model_classes:
                continue
            orm = _model_base(index, d.bases) or next(
                (project.model_classes[b] for b in (_base_name(b) for b in d.bases) if b in project.model_classes), None
            )
            if orm is not None:
                project.model_classes[d.name] = orm
                changed = True


def _base_name(base: str) -> str:
    return base.split("<", 1)[0].rsplit(".", 1)[-1]


def outermost(calls: Sequence[CallSite]) -> list[CallSite]:
    """The calls that are what their name is bound to: the index binds every call of a fluent chain to the
    chain's name (``const rows = await repo.getRepository(X).find()``: ``rows`` holds rows, not a repository)."""
    chains: dict[tuple[str, str], list[CallSite]] = {}
    for call in calls:
        if call.assigned_to:
            chains.setdefault((call.function, call.assigned_to), []).append(call)
    inner = {
        id(call)
        for group in chains.values()
        for call in group
        for other in group
        if other is not call
        and other.raw.startswith(call.raw + ".")
        and call.end_line <= other.line <= call.end_line + 1  # the next call of the chain, on or after its end
    }
    return [c for c in calls if id(c) not in inner]


def package_of(qualified: str) -> str:
    """``@prisma/client.PrismaClient`` -> ``@prisma/client``, ``mysql2/promise.createPool`` -> ``mysql2``."""
    if qualified.startswith("@"):
        return "/".join(qualified.split("/")[:2]).split(".", 1)[0]
    return qualified.split("/", 1)[0].split(".", 1)[0]


def _model_base(index: CodeIndex, bases: tuple[str, ...]) -> str | None:
    """The ORM whose model base a class extends (``extends Model`` from ``sequelize``, ``SequelizeModel``
    imported as ``Model`` from ``sequelize-typescript``, TypeORM's ``BaseEntity``)."""
    for base in bases:
        name = base.split("<", 1)[0]
        qualified = index.imported(name.split(".", 1)[0])
        if qualified is None:
            continue
        full = f"{qualified}.{name.split('.', 1)[1]}" if "." in name else qualified
        if full.rsplit(".", 1)[-1] in _MODEL_BASES and package_of(full) in _ORM_PACKAGES:
            return _ORM_PACKAGES[package_of(full)]
    return None


def constructed(call: CallSite, orm: str | None) -> str | None:
    """The client or model a call makes: ``new PrismaClient()`` -> prisma, ``mongoose.model('User', s)`` ->
    model:mongoose, ``sequelize.define('user', ...)`` -> model:sequelize, ``getRepository(User)`` -> repository."""
    target = call.target or ""
    if target in _CONSTRUCTORS:
        return _CONSTRUCTORS[target]
    method = call.raw.rsplit(".", 1)[-1]
    if target in {"mongoose.model", "mongoose.default.model"} or (orm == "mongoose" and call.raw == "mongoose.model"):
        return "model:mongoose"
    if orm == "sequelize" and method == "define" and call.args and isinstance(call.args[0].literal, str):
        return "model:sequelize"
    if method in REPOSITORY_GETTERS and (orm == "typeorm" or target.startswith("typeorm")):
        return "repository"
    return None


#: declared types (resolved through imports) -> the client kind a parameter of that type holds
_TYPES = {
    "@prisma/client.PrismaClient": "prisma",
    "@prisma/client.Prisma.TransactionClient": "prisma",
    "typeorm.Repository": "repository",
    "typeorm.TreeRepository": "repository",
    "typeorm.MongoRepository": "repository",
    "typeorm.EntityManager": "manager",
    "mongoose.Model": "model:mongoose",
    "ioredis": "redis",
    "ioredis.Redis": "redis",
    "ioredis.default": "redis",
    "ioredis.Cluster": "redis",
    "redis.RedisClientType": "redis",
    "pg.Pool": "sql",
    "pg.PoolClient": "sql",
    "pg.Client": "sql",
    "mysql2/promise.Pool": "sql",
    "mysql2/promise.PoolConnection": "sql",
    "mysql2/promise.Connection": "sql",
    "mysql2.Pool": "sql",
    "mysql2.Connection": "sql",
}


def typed_kind(index: CodeIndex, project: JsProject, declared: str) -> str | None:
    """The client a TypeScript parameter holds by its declared type (``Repository<User>``, ``Pool``,
    ``PrismaService`` when that class extends ``PrismaClient``)."""
    head, _, rest = declared.partition(".")
    qualified = index.imported(head)
    if qualified is None:
        return "prisma" if declared in project.prisma_classes else None
    full = f"{qualified}.{rest}" if rest else qualified
    if full in _TYPES:
        return _TYPES[full]
    module = project.module(full.rpartition(".")[0]) or project.module(full)
    return "prisma" if module is not None and declared in project.prisma_classes else None
