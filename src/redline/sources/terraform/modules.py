"""Assemble per-file Terraform facts into module instances with evaluated resources.

A directory of ``*.tf`` files is a module. Directories that no other local
module call points at are roots: their variables take defaults, then
``terraform.tfvars`` / ``*.auto.tfvars``, then a lone ``*.tfvars`` (with several,
only the values they agree on). Local module calls (``source = "./…"``) are
followed with their variables bound from the call's arguments; registry and
git modules are listed as not followed. Providers resolve through aliases, the
``provider`` meta-argument and a module call's ``providers`` map.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from redline.sources.terraform.evaluate import Scope, evaluate
from redline.sources.terraform.syntax import Block, Ref, TerraformFile, TfVarsFile
from redline.sources.terraform.values import Body, Provider, Resource, Unknown

MAX_MODULE_DEPTH = 12
_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")
_META = ("count", "for_each", "depends_on", "lifecycle", "provider")


@dataclass(frozen=True)
class ModuleCall:
    address: str  # module.net
    source: str
    caller_path: str
    line: int
    followed: bool
    directory: str = ""  # the module directory when followed


@dataclass
class TerraformProject:
    """Every module instance's resources, and what could not be followed."""

    resources: list[Resource] = field(default_factory=list)
    calls: list[ModuleCall] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    _by_address: dict[str, Resource] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)
        self._by_address.setdefault(resource.address, resource)

    def get(self, address: str) -> Resource | None:
        return self._by_address.get(address)

    def of_type(self, *types: str, mode: str = "managed") -> list[Resource]:
        wanted = set(types)
        return [r for r in self.resources if r.type in wanted and r.mode == mode]


@dataclass
class _Dir:
    path: str
    blocks: list[tuple[str, Block]] = field(default_factory=list)  # (file path, block)
    tfvars: list[TfVarsFile] = field(default_factory=list)


def assemble(files: Iterable[TerraformFile], tfvars: Iterable[TfVarsFile] = ()) -> TerraformProject:
    dirs: dict[str, _Dir] = {}
    for f in sorted(files, key=lambda f: f.path):
        d = dirs.setdefault(f.directory, _Dir(f.directory))
        d.blocks.extend((f.path, b) for b in f.blocks)
    for v in sorted(tfvars, key=lambda v: v.path):
        if v.directory in dirs:
            dirs[v.directory].tfvars.append(v)
    called: set[str] = set()
    for d in dirs.values():
        for _path, block in d.blocks:
            if block.type == "module" and block.labels:
                target = _local_source(d.path, block.attrs.get("source"))
                if target is not None and target in dirs:
                    called.add(target)
    project = TerraformProject()
    reached: set[str] = set()
    for root in sorted(set(dirs) - called):
        project.roots.append(root)
        _Instance(project, dirs, reached).run(dirs[root], "", _root_variables(dirs[root], project), {}, [root])
    for orphan in sorted(called - reached):  # only called from a cycle: evaluate on its own
        project.roots.append(orphan)
        _Instance(project, dirs, reached).run(dirs[orphan], "", _root_variables(dirs[orphan], project), {},
                                              [orphan])
    return project


def _local_source(directory: str, source: Any) -> str | None:
    if not isinstance(source, str) or not source.startswith(("./", "../")):
        return None
    joined = posixpath.normpath(posixpath.join(directory or ".", source))
    if joined.startswith(".."):
        return None
    return "" if joined == "." else joined


def _declared(d: _Dir) -> dict[str, Block]:
    return {b.labels[0]: b for _p, b in d.blocks if b.type == "variable" and b.labels}


def _root_variables(d: _Dir, project: TerraformProject) -> dict[str, Any]:
    empty = Scope("", d.path, {}, {})
    values: dict[str, Any] = {}
    for name, block in _declared(d).items():
        if "default" in block.attrs:
            values[name] = evaluate(block.attrs["default"], empty)
        else:
            values[name] = Unknown(f"var.{name} has no default and no tfvars value")
    auto = sorted((v for v in d.tfvars if v.auto), key=lambda v: (not v.path.endswith("terraform.tfvars"), v.path))
    for v in auto:
        values.update({k: evaluate(x, empty) for k, x in v.values.items()})
    others = [v for v in d.tfvars if not v.auto]
    if len(others) == 1:
        values.update({k: evaluate(x, empty) for k, x in others[0].values.items()})
    elif others:
        names = ", ".join(posixpath.basename(v.path) for v in others)
        project.notes.append(f"{d.path or '.'}: several var files ({names}); only values they agree on are used")
        keys = set().union(*(v.values for v in others))
        for k in keys:
            seen = [evaluate(v.values[k], empty) if k in v.values else Unknown("absent") for v in others]
            values[k] = seen[0] if all(s == seen[0] for s in seen) and not isinstance(seen[0], Unknown) else \
                Unknown(f"var.{k} differs between {names}")
    return values


class _Instance:
    def __init__(self, project: TerraformProject, dirs: dict[str, _Dir], reached: set[str]) -> None:
        self.project = project
        self.dirs = dirs
        self.reached = reached

    def run(self, d: _Dir, prefix: str, variables: dict[str, Any], inherited: dict[str, Provider],
            stack: list[str]) -> dict[str, Any]:
        """Evaluate one module instance; returns its outputs (for ``module.<name>.<output>`` in the caller)."""
        self.reached.add(d.path)
        declared = _declared(d)
        locals_: dict[str, Any] = {}
        for _p, b in d.blocks:
            if b.type == "locals":
                locals_.update(b.attrs)
        scope = Scope(prefix, d.path, {k: variables.get(k, Unknown(f"var.{k} not set"))
                                       for k in declared} | variables, locals_)
        providers = dict(inherited)
        for path, b in d.blocks:
            if b.type == "provider" and b.labels:
                prov = _provider(b, path, scope)
                providers[f"{prov.name}.{prov.alias}" if prov.alias else prov.name] = prov
        module = prefix[:-1] if prefix.endswith(".") else prefix
        for path, b in d.blocks:  # module calls first: resources may use their outputs
            if b.type == "module" and b.labels:
                outputs = self._call(d, path, b, scope, providers, prefix, stack)
                if outputs is not None:
                    scope.modules[b.labels[0]] = outputs
        for path, b in d.blocks:
            if b.type in ("resource", "data") and len(b.labels) >= 2:
                res = _resource(b, path, scope, providers, module, d.path, stack[0])
                if res is not None:
                    self.project.add(res)
        return {b.labels[0]: evaluate(b.attrs.get("value"), scope)
                for _p, b in d.blocks if b.type == "output" and b.labels}

    def _call(self, d: _Dir, path: str, b: Block, scope: Scope,  # noqa: PLR0917
              providers: dict[str, Provider], prefix: str, stack: list[str]) -> dict[str, Any] | None:
        address = f"{prefix}module.{b.labels[0]}"
        source = evaluate(b.attrs.get("source"), scope)
        target = _local_source(d.path, source)
        if target is None or target not in self.dirs or target in stack or len(stack) > MAX_MODULE_DEPTH:
            why = "cycle" if target in stack else ("depth" if len(stack) > MAX_MODULE_DEPTH else "")
            self.project.calls.append(ModuleCall(address, str(source) if isinstance(source, str) else "?",
                                                 path, b.start_line, False))
            if why:
                self.project.notes.append(f"{address}: module not followed ({why})")
            return None
        if _count_is_zero(b, scope):
            return None
        self.project.calls.append(ModuleCall(address, str(source), path, b.start_line, True, target))
        child = self.dirs[target]
        args = {k: evaluate(v, scope) for k, v in b.attrs.items()
                if k not in ("source", "version", "providers", *_META)}
        variables: dict[str, Any] = {}
        empty = Scope("", child.path, {}, {})
        for name, decl in _declared(child).items():
            if name in args:
                variables[name] = args[name]
            elif "default" in decl.attrs:
                variables[name] = evaluate(decl.attrs["default"], empty)
            else:
                variables[name] = Unknown(f"var.{name} not passed to {address}")
        inherited = {k: v for k, v in providers.items() if "." not in k}
        mapping = b.attrs.get("providers")
        if isinstance(mapping, dict):
            for key, value in mapping.items():
                if isinstance(value, Ref):
                    name = ".".join(str(p) for p in value.parts)
                    if name in providers:
                        inherited[key] = providers[name]
        return self.run(child, f"{address}.", variables, inherited, [*stack, target])


def _count_is_zero(b: Block, scope: Scope) -> bool:
    if "count" in b.attrs:
        count = evaluate(b.attrs["count"], scope)
        return count == 0 and not isinstance(count, bool)
    if "for_each" in b.attrs:
        each = evaluate(b.attrs["for_each"], scope)
        return isinstance(each, (list, dict)) and len(each) == 0
    return False


def _provider(b: Block, path: str, scope: Scope) -> Provider:
    name = b.labels[0]
    attrs = {k: evaluate(v, scope) for k, v in b.attrs.items()}
    alias = attrs.get("alias") if isinstance(attrs.get("alias"), str) else ""
    account: Any = ""
    region: Any = attrs.get("region", Unknown(f"provider {name} sets no region") if name == "aws" else "")
    zone: Any = attrs.get("zone", "")
    if name == "aws":
        allowed = attrs.get("allowed_account_ids")
        if isinstance(allowed, list) and len(allowed) == 1 and isinstance(allowed[0], str):
            account = allowed[0]
        for role in b.children("assume_role"):
            arn = evaluate(role.attrs.get("role_arn"), scope)
            m = _ACCOUNT.search(arn) if isinstance(arn, str) else None
            if m:
                account = m.group(1)
            elif arn is not None:
                account = Unknown("assume_role.role_arn not known")
    elif name in ("google", "google-beta"):
        account = attrs.get("project", "")
    elif name == "azurerm":
        account = attrs.get("subscription_id", "")
        region = ""
    return Provider(name, str(alias or ""), region, account, zone, path, b.start_line)


def _resource(b: Block, path: str, scope: Scope, providers: dict[str, Provider],  # noqa: PLR0917
              module: str, directory: str, root: str) -> Resource | None:
    rtype, name = b.labels[0], b.labels[1]
    if _count_is_zero(b, scope):
        return None
    mode = "data" if b.type == "data" else "managed"
    local = f"data.{rtype}.{name}" if mode == "data" else f"{rtype}.{name}"
    meta: dict[str, Any] = {k: evaluate(b.attrs[k], scope) for k in ("count", "for_each") if k in b.attrs}
    inner = scope.child({"count": Unknown("count.index"), "each": Unknown("each.*"), "self": Unknown("self")})
    body = _body(b, inner, top=True)
    provider_ref = b.attrs.get("provider")
    key = ".".join(str(p) for p in provider_ref.parts) if isinstance(provider_ref, Ref) else rtype.split("_", 1)[0]
    provider = providers.get(key)
    return Resource(f"{scope.prefix}{local}", mode, rtype, name, module, directory, path, body, provider, meta,
                    root)


def _body(b: Block, scope: Scope, top: bool = False, from_dynamic: bool = False) -> Body:
    attrs = {k: evaluate(v, scope) for k, v in b.attrs.items() if not (top and k in ("provider", "depends_on"))}
    blocks: dict[str, list[Body]] = defaultdict(list)
    dynamic: set[str] = set()
    for child in b.blocks:
        if child.type == "dynamic" and child.labels:
            label = child.labels[0]
            dynamic.add(label)
            iterator = evaluate(child.attrs.get("iterator"), scope)
            name = iterator.parts[-1] if isinstance(child.attrs.get("iterator"), Ref) else label
            items = evaluate(child.attrs.get("for_each"), scope)
            if isinstance(items, (list, dict)) and not items:
                continue
            inner = scope.child({str(name): Unknown(f"dynamic {label} iterator")})
            for content in child.children("content"):
                blocks[label].append(_body(content, inner, from_dynamic=True))
        elif top and child.type == "lifecycle":
            continue
        else:
            blocks[child.type].append(_body(child, scope, from_dynamic=from_dynamic))
    return Body(attrs, dict(blocks), b.start_line, b.end_line, frozenset(dynamic), from_dynamic)
