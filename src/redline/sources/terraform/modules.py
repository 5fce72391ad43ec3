"""Assemble per-file Terraform facts into module instances with evaluated resources.

A directory of ``*.tf`` files is a module. Directories that no other local
module call points at are roots: their variables take defaults, then
``terraform.tfvars`` / ``*.auto.tfvars``, then the configured ``-var-file`` files
(``[terraform] var_files``) or else a lone ``*.tfvars`` (with several, only the
values they agree on). Local module calls (``source = "./…"``) are followed
with their variables bound from the call's arguments; registry and git modules
are listed as not followed. Providers resolve through aliases, the ``provider``
meta-argument and a module call's ``providers`` map.

Resources and module calls with ``count`` / ``for_each`` become one instance
per key (``aws_s3_bucket.b["a"]``, ``module.m[0]``) with ``count.index`` /
``each.key`` / ``each.value`` bound; when the keys are not known they stay one
un-indexed instance whose meta-arguments are ``Unknown``. Blocks with no
instances (``count = 0``, empty ``for_each``) are listed in ``absent``.
"""

from __future__ import annotations

import posixpath
import re
from collections import defaultdict
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from redline.sources.terraform.evaluate import ModuleInstances, Scope, evaluate, instance_key
from redline.sources.terraform.syntax import Block, Ref, TerraformFile, TfVarsFile
from redline.sources.terraform.values import Body, Provider, Resource, Unknown, is_true

MAX_MODULE_DEPTH = 12
#: an instance key in an address: ``[0]`` or ``["a"]``
INSTANCE_KEY = re.compile(r'\[(?:\d+|"(?:[^"\\]|\\.)*")\]')
_ACCOUNT = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):")
_META = ("count", "for_each", "depends_on", "lifecycle", "provider")
#: more instances than this are folded into one un-indexed instance (with a note)
MAX_INSTANCES = 256


@dataclass(frozen=True)
class ModuleCall:
    address: str  # module.net
    source: str
    caller_path: str
    line: int
    followed: bool
    directory: str = ""  # the module directory when followed


@dataclass(frozen=True)
class Absent:
    """A resource or module call with no instances (``count = 0``, empty ``for_each``): listed, not dropped."""

    address: str
    path: str
    line: int
    reason: str
    source: str = ""  # a module call's source


@dataclass(frozen=True)
class Unevaluated:
    """A block the evaluator failed on: left out and reported (the file and line), the rest still judged."""

    path: str
    line: int
    address: str
    reason: str


@dataclass
class TerraformProject:
    """Every module instance's resources, and what could not be followed."""

    resources: list[Resource] = field(default_factory=list)
    calls: list[ModuleCall] = field(default_factory=list)
    roots: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    absent: list[Absent] = field(default_factory=list)
    #: blocks the evaluator failed on (a construct it does not handle): not judged, each reported
    unevaluated: list[Unevaluated] = field(default_factory=list)
    #: provider blocks as evaluated, once per block (a module called twice declares its providers once)
    providers: list[Provider] = field(default_factory=list)
    _by_address: dict[str, Resource] = field(default_factory=dict)

    def add(self, resource: Resource) -> None:
        self.resources.append(resource)
        self._by_address.setdefault(resource.address, resource)
        base = INSTANCE_KEY.sub("", resource.address)
        if base != resource.address:
            self._by_address.setdefault(base, resource)  # an un-indexed reference finds the first instance

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


def assemble(
    files: Iterable[TerraformFile],
    tfvars: Iterable[TfVarsFile] = (),
    *,
    fs_root: Path | None = None,
    var_files: Iterable[TfVarsFile] = (),
) -> TerraformProject:
    """Assemble modules. ``fs_root`` lets ``file()`` read below the audited root; ``var_files`` are the
    ``-var-file`` files, in order, each applied to the root modules that declare a variable it sets."""
    named = list(var_files)
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
        _Instance(project, dirs, reached, fs_root).run(
            dirs[root], "", _root_variables(dirs[root], project, named), {}, [root]
        )
    disabled = {_local_source(posixpath.dirname(a.path), a.source) for a in project.absent if a.source}
    for orphan in sorted(called - reached - disabled):  # only called from a cycle: evaluate on its own
        project.roots.append(orphan)
        _Instance(project, dirs, reached, fs_root).run(
            dirs[orphan], "", _root_variables(dirs[orphan], project, named), {}, [orphan]
        )
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


def _root_variables(d: _Dir, project: TerraformProject, named: list[TfVarsFile]) -> dict[str, Any]:
    empty = Scope("", d.path, {}, {})
    values: dict[str, Any] = {}
    declared = _declared(d)
    for name, block in declared.items():
        if "default" in block.attrs:
            values[name] = evaluate(block.attrs["default"], empty)
        else:
            values[name] = Unknown(f"var.{name} has no default and no tfvars value")
    auto = sorted((v for v in d.tfvars if v.auto), key=lambda v: (not v.path.endswith("terraform.tfvars"), v.path))
    for v in auto:
        values.update({k: evaluate(x, empty) for k, x in v.values.items()})
    applied = [v for v in named if set(v.values) & set(declared)]
    if applied:  # -var-file: exactly these, in order (later files win), instead of guessing
        for v in applied:
            values.update({k: evaluate(x, empty) for k, x in v.values.items()})
        project.notes.append(f"{d.path or '.'}: var files " + ", ".join(v.path for v in applied))
        return values
    others = [v for v in d.tfvars if not v.auto]
    if len(others) == 1:
        values.update({k: evaluate(x, empty) for k, x in others[0].values.items()})
    elif others:
        names = ", ".join(posixpath.basename(v.path) for v in others)
        project.notes.append(f"{d.path or '.'}: several var files ({names}); only values they agree on are used")
        keys = set().union(*(v.values for v in others))
        for k in keys:
            seen = [evaluate(v.values[k], empty) if k in v.values else Unknown("absent") for v in others]
            values[k] = (
                seen[0]
                if all(s == seen[0] for s in seen) and not isinstance(seen[0], Unknown)
                else Unknown(f"var.{k} differs between {names}")
            )
    return values


class _Instance:
    def __init__(
        self, project: TerraformProject, dirs: dict[str, _Dir], reached: set[str], fs_root: Path | None
    ) -> None:
        self.project = project
        self.dirs = dirs
        self.reached = reached
        self.fs_root = fs_root

    def run(
        self, d: _Dir, prefix: str, variables: dict[str, Any], inherited: dict[str, Provider], stack: list[str]
    ) -> dict[str, Any]:
        """Evaluate one module instance; returns its outputs (for ``module.<name>.<output>`` in the caller)."""
        self.reached.add(d.path)
        declared = _declared(d)
        locals_: dict[str, Any] = {}
        for _p, b in d.blocks:
            if b.type == "locals":
                locals_.update(b.attrs)
        scope = Scope(
            prefix,
            d.path,
            {k: variables.get(k, Unknown(f"var.{k} not set")) for k in declared} | variables,
            locals_,
            fs_root=self.fs_root,
            root_dir=stack[0],
        )
        providers = self._providers(d, scope, inherited)
        module = prefix[:-1] if prefix.endswith(".") else prefix
        for path, b in d.blocks:  # module calls first: resources may use their outputs
            if b.type == "module" and b.labels:
                with self._guarded(path, b, f"{prefix}module.{b.labels[0]}"):
                    outputs = self._call(d, path, b, scope, providers, prefix, stack)
                    if outputs is not None:
                        scope.modules[b.labels[0]] = outputs
        for path, b in d.blocks:
            if b.type in ("resource", "data") and len(b.labels) >= 2:
                with self._guarded(path, b, f"{prefix}{'data.' if b.type == 'data' else ''}{'.'.join(b.labels[:2])}"):
                    for res in _resources(b, path, scope, providers, module, d.path, self.project, stack[0]):
                        self.project.add(res)
        return self._outputs(d, scope)

    def _providers(self, d: _Dir, scope: Scope, inherited: dict[str, Provider]) -> dict[str, Provider]:
        """The providers the module's blocks resolve through: its own blocks over the ones passed down."""
        providers = dict(inherited)
        for path, b in d.blocks:
            if b.type == "provider" and b.labels:
                with self._guarded(path, b, f"{scope.prefix}provider.{b.labels[0]}"):
                    prov = _provider(b, path, scope)
                    if not any((p.path, p.line) == (prov.path, prov.line) for p in self.project.providers):
                        self.project.providers.append(prov)
                    providers[f"{prov.name}.{prov.alias}" if prov.alias else prov.name] = prov
        return providers

    def _outputs(self, d: _Dir, scope: Scope) -> dict[str, Any]:
        """The module's outputs (``module.<name>.<output>`` in the caller); one that fails is ``Unknown``."""
        outputs: dict[str, Any] = {}
        for path, b in d.blocks:
            if b.type == "output" and b.labels:
                outputs[b.labels[0]] = Unknown(f"output {b.labels[0]} not evaluated")
                with self._guarded(path, b, f"{scope.prefix}output.{b.labels[0]}"):
                    outputs[b.labels[0]] = evaluate(b.attrs.get("value"), scope)
        return outputs

    @contextmanager
    def _guarded(self, path: str, b: Block, address: str) -> Iterator[None]:
        """A block the evaluator fails on is left out and recorded; the module's other blocks, and every other
        module, are still judged (one unhandled construct used to stop the whole project: no Terraform finding)."""
        try:
            yield
        except RecursionError:
            self.project.unevaluated.append(Unevaluated(path, b.start_line, address, "nested too deeply to evaluate"))
        except Exception as exc:  # noqa: BLE001 - one block not judged, reported; the project goes on
            self.project.unevaluated.append(Unevaluated(path, b.start_line, address, f"{type(exc).__name__}: {exc}"))

    def _call(  # noqa: PLR0917
        self,
        d: _Dir,
        path: str,
        b: Block,
        scope: Scope,
        providers: dict[str, Provider],
        prefix: str,
        stack: list[str],
    ) -> dict[str, Any] | ModuleInstances | None:
        address = f"{prefix}module.{b.labels[0]}"
        source = evaluate(b.attrs.get("source"), scope)
        target = _local_source(d.path, source)
        if target is None or target not in self.dirs or target in stack or len(stack) > MAX_MODULE_DEPTH:
            why = "cycle" if target in stack else ("depth" if len(stack) > MAX_MODULE_DEPTH else "")
            self.project.calls.append(
                ModuleCall(address, str(source) if isinstance(source, str) else "?", path, b.start_line, False)
            )
            if why:
                self.project.notes.append(f"{address}: module not followed ({why})")
            return None
        why_absent = _no_instances(b, scope)
        if why_absent:
            self.project.absent.append(Absent(address, path, b.start_line, why_absent, str(source)))
            return None
        self.project.calls.append(ModuleCall(address, str(source), path, b.start_line, True, target))
        instances = _instances(b, scope)
        if instances is None:
            instances = [("", None, _UNKNOWN_INSTANCE)]
        by_key: dict[str | int, dict[str, Any]] = {}
        for suffix, key, bound in instances:
            outputs = self._instance(target, f"{address}{suffix}", b, scope.child(bound), providers, stack)
            if key is None:
                return outputs
            by_key[key] = outputs
        return ModuleInstances(by_key)

    def _instance(  # noqa: PLR0917
        self,
        target: str,
        address: str,
        b: Block,
        scope: Scope,
        providers: dict[str, Provider],
        stack: list[str],
    ) -> dict[str, Any]:
        child = self.dirs[target]
        args = {
            k: evaluate(v, scope) for k, v in b.attrs.items() if k not in ("source", "version", "providers", *_META)
        }
        variables: dict[str, Any] = {}
        empty = Scope("", child.path, {}, {}, fs_root=self.fs_root, root_dir=stack[0])
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


def _no_instances(b: Block, scope: Scope) -> str:
    """Why the block has no instances (``count = 0``, empty ``for_each``), or "" when it has or may have."""
    if "count" in b.attrs:
        count = _whole(evaluate(b.attrs["count"], scope))
        return "count = 0" if count == 0 else ""
    if "for_each" in b.attrs:
        each = evaluate(b.attrs["for_each"], scope)
        return "for_each is empty" if isinstance(each, (list, dict)) and len(each) == 0 else ""
    return ""


def _whole(value: Any) -> int | None:
    """A count as Terraform converts it: ``2``, ``2.0`` or ``"2"``; anything else is not known."""
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value)
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value if isinstance(value, int) and not isinstance(value, bool) else None


_UNKNOWN_INSTANCE: dict[str, Any] = {"count": {"index": Unknown("count.index")}, "each": Unknown("each.*")}


def _instances(b: Block, scope: Scope) -> list[tuple[str, str | int | None, dict[str, Any]]] | None:
    """(address suffix, instance key, names bound in the body) per instance; None when they are not known."""
    if "count" in b.attrs:
        count = _whole(evaluate(b.attrs["count"], scope))
        if count is None or not 0 <= count <= MAX_INSTANCES:
            return None
        return [(instance_key(i), i, {"count": {"index": i}}) for i in range(count)]
    if "for_each" in b.attrs:
        each = evaluate(b.attrs["for_each"], scope)
        if isinstance(each, list) and all(isinstance(k, str) for k in each):
            each = {k: k for k in each}  # a set of strings: each.key == each.value
        if not isinstance(each, dict) or len(each) > MAX_INSTANCES:
            return None
        return [(instance_key(k), k, {"each": {"key": k, "value": v}}) for k, v in sorted(each.items())]
    return [("", None, {})]


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
    return Provider(
        name,
        str(alias or ""),
        region,
        account,
        zone,
        path,
        b.start_line,
        credentials=tuple(k for k in CREDENTIAL_ARGS.get(name, ()) if _literal(attrs.get(k))),
        mock=is_true(attrs.get("skip_credentials_validation")),
    )


#: provider arguments that hold a secret credential, per provider
CREDENTIAL_ARGS: dict[str, tuple[str, ...]] = {
    "aws": ("access_key", "secret_key", "token"),
    "azurerm": ("client_secret", "client_certificate_password"),
    "azuread": ("client_secret", "client_certificate_password"),
    "google": ("credentials", "access_token"),
    "google-beta": ("credentials", "access_token"),
    "alicloud": ("access_key", "secret_key", "security_token"),
    "oci": ("private_key", "private_key_password"),
}


def _literal(value: Any) -> bool:
    """A credential written into the configuration (directly or as a variable default / tfvars value),
    not a path to a key file and not read from the environment."""
    if not isinstance(value, str) or not value.strip():
        return False
    text = value.strip()
    if text.startswith("{") or "PRIVATE KEY" in text:
        return True  # inline service-account JSON or PEM
    return not text.endswith((".json", ".pem", ".key", ".p12")) and not text.startswith(("~/", "./", "../", "/"))


def _resources(  # noqa: PLR0917
    b: Block,
    path: str,
    scope: Scope,
    providers: dict[str, Provider],
    module: str,
    directory: str,
    project: TerraformProject,
    root: str,
) -> list[Resource]:
    """One ``Resource`` per instance; one un-indexed instance when count / for_each are not known."""
    rtype, name = b.labels[0], b.labels[1]
    mode = "data" if b.type == "data" else "managed"
    address = f"{scope.prefix}data.{rtype}.{name}" if mode == "data" else f"{scope.prefix}{rtype}.{name}"
    why_absent = _no_instances(b, scope)
    if why_absent:
        project.absent.append(Absent(address, path, b.start_line, why_absent))
        return []
    meta: dict[str, Any] = {k: evaluate(b.attrs[k], scope) for k in ("count", "for_each") if k in b.attrs}
    provider_ref = b.attrs.get("provider")
    key = ".".join(str(p) for p in provider_ref.parts) if isinstance(provider_ref, Ref) else rtype.split("_", 1)[0]
    provider = providers.get(key)
    instances = _instances(b, scope)
    if instances is None:
        if meta and not any(isinstance(v, Unknown) for v in meta.values()):
            project.notes.append(f"{address}: too many instances to expand; checked once, un-indexed")
        instances = [("", None, _UNKNOWN_INSTANCE)]
    out: list[Resource] = []
    for suffix, _key, bound in instances:
        inner = scope.child(
            {"count": Unknown("count.index"), "each": Unknown("each.*"), "self": Unknown("self"), **bound}
        )
        body = _body(b, inner, top=True)
        out.append(
            Resource(
                f"{address}{suffix}",
                mode,
                rtype,
                name,
                module,
                directory,
                path,
                body,
                provider,
                {**meta, "instance": suffix} if suffix else meta,
                root,
            )
        )
    return out


def _body(b: Block, scope: Scope, top: bool = False, from_dynamic: bool = False) -> Body:
    attrs = {k: evaluate(v, scope) for k, v in b.attrs.items() if not (top and k in ("provider", "depends_on"))}
    blocks: dict[str, list[Body]] = defaultdict(list)
    dynamic: set[str] = set()
    for child in b.blocks:
        if child.type == "dynamic" and child.labels:
            label = child.labels[0]
            dynamic.add(label)
            iterator = child.attrs.get("iterator")  # a bare name (``iterator = rule``): read, never evaluated
            name = iterator.parts[-1] if isinstance(iterator, Ref) else label
            items = evaluate(child.attrs.get("for_each"), scope)
            if isinstance(items, (list, dict)) and not items:
                continue
            pairs: list[tuple[Any, Any]] = []
            if isinstance(items, dict) and len(items) <= MAX_INSTANCES:
                pairs = sorted(items.items())
            elif isinstance(items, list) and len(items) <= MAX_INSTANCES:
                pairs = list(enumerate(items))
            bindings: list[Any] = [{"key": k, "value": v} for k, v in pairs] or [Unknown(f"dynamic {label} iterator")]
            for binding in bindings:
                inner = scope.child({str(name): binding})
                for content in child.children("content"):
                    blocks[label].append(_body(content, inner, from_dynamic=True))
        elif top and child.type == "lifecycle":
            continue
        else:
            blocks[child.type].append(_body(child, scope, from_dynamic=from_dynamic))
    return Body(attrs, dict(blocks), b.start_line, b.end_line, frozenset(dynamic), from_dynamic)
