"""The index facts taint across functions is computed from: each function's parameters followed to the
arguments of its calls (``arg:<name>``), one flow per parameter, a rebinding replacing the parameter; Python
relative imports; Go result types; the nested function a JavaScript factory returns."""

from __future__ import annotations

from redline.core.workspace import FileText, SourceFile
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource

HELPERS = """\
from .dao import get_user
from .. import settings as conf


def lookup(db, uid, name, order="id"):
    uid = int(uid)
    q = "SELECT * FROM t WHERE id = %s AND name = '%s'" % (uid, name)
    db.execute(q)
    db.execute("SELECT * FROM t WHERE name = %s", (name,))
    return get_user(db, user_id=order)


class Repo:
    def find(self, key):
        return self.db.execute(f"SELECT {key}")

    def constant(self):
        return self.db.execute("SELECT 1")
"""

GO = """\
package models

import "fmt"

func NewStore(db *DB) *Store { return &Store{db: db} }

func Pair() (*Store, error) { return nil, nil }

func (s *Store) Find(city string, limit int) {
	q := fmt.Sprintf("SELECT * FROM t WHERE city = '%s' LIMIT %d", city, limit)
	s.db.Query(q)
}
"""

JS = """\
module.exports = function search() {
  const header = 1;
  return (req, res) => res.send(header);
};
function make(deps) {
  function helper() {}
  return function handler(req, res) { helper(); };
}
const arrow = (fn) => (req, res) => fn(req, res);
"""


def _index(path: str, kind: str, source: str) -> CodeIndex:
    data = source.encode()
    return CodeIndexSource().parse(FileText(SourceFile(path, path, kind, len(data)), data, source))


def _params(index: CodeIndex) -> list[tuple[int, str, tuple[tuple[str, str, tuple[str, ...]], ...]]]:
    return [(c.line, c.raw, c.param_tainted) for c in index.calls if c.param_tainted]


def test_python_parameters_reach_call_arguments_one_flow_each() -> None:
    index = _index("app/helpers.py", "python", HELPERS)
    assert _params(index) == [
        (
            8,
            "db.execute",
            (
                ("0", "arg:name", ("name", "[after prefix]", "q")),  # both parameters reach the one argument
                ("0", "arg:uid", ("uid", "int()", "uid", "[after prefix]", "q")),  # rebound through int()
            ),
        ),
        (9, "db.execute", (("1", "arg:name", ("name",)),)),
        (10, "get_user", (("0", "arg:db", ("db",)), ("user_id", "arg:order", ("order",)))),
        (15, "self.db.execute", (("0", "arg:key", ("key", "[after prefix]")),)),
    ]
    assert all(c.raw != "int" for c in index.calls if c.param_tainted)  # a builtin leads nowhere
    assert index.tainted == ()  # no request value: the request flow is untouched
    assert {(t.function, t.name, t.source) for t in index.param_tainted} >= {("lookup", "q", "arg:name")}
    assert index.relative_imports == (("conf", "..settings"), ("get_user", ".dao.get_user"))
    lookup = next(d for d in index.definitions if d.qualname == "lookup")
    assert (lookup.params, lookup.positional) == (("db", "uid", "name", "order"), 4)


def test_go_parameters_and_result_types() -> None:
    index = _index("models/store.go", "go", GO)
    assert _params(index) == [
        (10, "fmt.Sprintf", (("1", "arg:city", ("city",)), ("2", "arg:limit", ("limit",)))),
        (11, "s.db.Query", (("0", "arg:city", ("q", "city")), ("0", "arg:limit", ("q", "limit")))),
    ]
    returns = {d.qualname: d.returns for d in index.definitions}
    assert returns == {"NewStore": "Store", "Pair": "Store", "Store.Find": ""}


def test_javascript_factories_record_the_function_they_return() -> None:
    index = _index("routes/search.js", "javascript", JS)
    returns = {d.qualname: d.returns for d in index.definitions if d.returns}
    assert returns == {
        "search": "search.<anonymous:3>",
        "make": "make.handler",  # not the helper defined beside it
        "arrow": "arrow.<anonymous:9>",
    }
