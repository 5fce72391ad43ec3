"""Request data merged into a mapping's items (``watch.update(form)``, ``watch["k"] = form["k"]``) taints its items,
not its attributes: changedetection.io's ``prepare_filter_prevew`` opened ``tmp_watch.data_dir`` (a property
computed from the watch's id) and read as a path from the form. Item reads (``w["k"]``, ``w.get``, iteration, a copy,
the mapping passed on) still carry the data; ``setattr``, ``w.a = v``, ``w.__dict__.update`` and ``vars(w).update``
taint attributes."""

from __future__ import annotations

import ast
from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.across import TaintAcrossFunctionsCheck
from redline.checks.code.flaws import CodeFlawCheck
from redline.checks.code.injection import InjectionCheck
from redline.sources.code.flow import FunctionFlow, expr_taint, function_flow, param_flows
from redline.sources.python import PythonModule, collect_imports

FIXTURES = Path(__file__).parent / "fixtures" / "item_taint"


def test_items_carry_the_form_and_attributes_do_not() -> None:
    found = findings_of(FIXTURES, TaintAcrossFunctionsCheck(), CodeFlawCheck(), InjectionCheck())
    assert sorted((f.rule, f.location.start_line, str(f.evidence.get("sink", ""))) for f in found) == [
        # not line 24: ``prepare_preview`` opens (filters.py:17) a file under ``tmp_watch.data_dir``
        ("WEB203", 29, "preview/filters.py:25"),  # watch["path"] after watch.update(form)
        ("WEB203", 30, "preview/filters.py:31"),  # watch.get("name") after watch["name"] = form[...]
        ("WEB203", 31, "preview/filters.py:38"),  # iterating the updated mapping
        ("WEB203", 32, "preview/filters.py:46"),  # an item of the copy; not line 45: the copy's attribute
        ("WEB203", 33, "preview/filters.py:52"),  # watch.__dict__.update(form): attributes
        ("WEB203", 34, "preview/filters.py:58"),  # vars(watch).update(form)
        ("WEB203", 35, "preview/filters.py:64"),  # setattr(watch, "data_dir", ...)
        ("WEB203", 36, "preview/filters.py:70"),  # watch.data_dir = ...
        ("WEB203", 37, "preview/filters.py:80"),  # the updated mapping passed on, read by key there
        ("WEB203", 45, ""),  # in the handler: settings["upload"]; not line 44 (settings.root_path)
        ("WEB203", 49, ""),  # chosen.get("file"); not line 48 (chosen.data_dir)
    ]


def _function(source: str) -> tuple[ast.FunctionDef, PythonModule]:
    tree = ast.parse(source)
    module = PythonModule("m.py", tree, tuple(source.splitlines()), collect_imports(tree))
    fn = next(n for n in tree.body if isinstance(n, ast.FunctionDef))
    return fn, module


def _reads(flow: FunctionFlow, module: PythonModule, *expressions: str) -> list[bool]:
    resolve = flow.resolver(module.qualname)
    return [expr_taint(ast.parse(e, mode="eval").body, flow, resolve) is not None for e in expressions]


def test_the_flow_keeps_names_tainted_only_in_their_items() -> None:
    fn, module = _function(
        "from flask import request\n"
        "def handler():\n"
        "    w = {}\n"
        "    w.update(request.form)\n"
        "    alias = w\n"
        "    copied = dict(w)\n"
        "    whole = {}\n"
        "    whole['k'] = request.args['k']\n"
        "    whole.path = request.args['p']\n"
        "    key = 'x'\n"
        "    keyed = {}\n"
        "    keyed[key] = request.args['v']\n"
        "    text = str(w)\n"
    )
    flow = function_flow(fn, module.qualname)
    assert sorted(flow.items) == ["alias", "copied", "keyed", "w"]
    assert {"whole", "text"} <= flow.tainted.keys()  # an attribute set: tainted whole; the mapping as text
    assert "key" not in flow.tainted  # the key a value is stored under holds none of it
    assert _reads(flow, module, "w.data_dir", "w['k']", "w.get('k')", "alias.x", "copied.values()", "whole.name") == [
        False,
        True,
        True,
        False,
        True,
        True,
    ]


def test_a_mutated_parameter_still_holds_the_callers_object() -> None:
    """``data["x"] = 1`` changes the caller's mapping; it does not rebind ``data`` as ``data = {}`` would."""
    fn, module = _function(
        "def save(data, form):\n"
        "    data['x'] = 1\n"
        "    data.update(form)\n"
        "    open(data['path'])\n"
        "    form = {}\n"
        "    open(form['path'])\n"
    )
    nodes = [n for stmt in fn.body for n in ast.walk(stmt)]
    found = param_flows(fn, module.qualname, nodes, frozenset({"data", "form"}))
    flows = {source.removeprefix("arg:"): f for f in found for source, _via in f.tainted.values()}
    assert "data" in flows["data"].tainted and "data" not in flows["data"].items
    assert "data" in flows["form"].items  # the form's data sits in data's items
    assert "form" not in flows["form"].tainted  # rebound to a new mapping
