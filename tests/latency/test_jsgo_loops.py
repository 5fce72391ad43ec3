"""Loop facts of the tree-sitter indexes (JavaScript/TypeScript, Go): each call's loop, what a loop binds
and iterates, iteration callbacks and their concurrency, searches that stop at their hit, error paths."""

from __future__ import annotations

from redline.sources.code.cache import decode_index, encode_index
from redline.sources.code.model import CodeIndex
from redline.sources.code.treesitter.index import index_tree_sitter

JS = """\
async function list(ids, rows) {
  for (const { id, name } of await User.findAll()) {
    await User.findByPk(id);
    if (!name) break;
  }
  for (let i = 0; i < ids.length; i++) {
    switch (ids[i]) { case 1: break; }
    try { await q(ids[i]); } catch (err) { return null; }
  }
  await Promise.all(ids.map(async (id) => User.findByPk(id)));
  ids.reduce(async (acc, id) => { await acc; return q(id); }, null);
  for (const t of ['a', 'b']) { q(t); }
  async.eachSeries(rows, (row, cb) => q(row.id, cb), done);
  ids.forEach((id) => { setTimeout(() => q(id)); });
  while (more) { q(); }
}
"""

GO = """\
package p

func f(db *sql.DB, ids []int) error {
	for i, id := range ids {
		if err := db.QueryRow("q", id).Scan(&x); err != nil {
			return err
		}
		switch i { case 1: break }
	}
	for _, t := range []string{"a", "b"} {
		db.QueryRow("q", t)
	}
	for i := 0; i < 3; i++ {
		go func() { db.Exec("x", i) }()
	}
	for rows.Next() {
		return nil
	}
	return nil
}
"""


def _index(code: str, path: str, language: str) -> CodeIndex:
    return index_tree_sitter(path, code.encode(), language)


def test_js_loops_bind_their_items_and_say_how_they_run() -> None:
    index = _index(JS, "src/a.js", "javascript")
    got = [(lp.kind, lp.line, lp.targets, lp.iter, lp.exits, lp.iter_size, lp.via, lp.concurrent) for lp in index.loops]
    assert got == [
        ("for", 2, ("id", "name"), "User.findAll", True, -1, "", False),
        ("for", 6, ("i",), "ids", False, -1, "", False),
        ("callback", 10, ("id",), "ids", False, -1, "map", True),
        ("callback", 11, ("id",), "ids", False, -1, "reduce", False),
        ("for", 12, ("t",), "", False, 2, "", False),
        ("callback", 13, ("row", "cb"), "rows", False, -1, "async.eachSeries", False),
        ("callback", 14, ("id",), "ids", False, -1, "forEach", False),
        ("while", 15, (), "", False, -1, "", False),
    ]
    calls = {(c.line, c.raw): (c.loop, c.reads) for c in index.calls}
    assert calls[(3, "User.findByPk")] == (0, ("User", "id"))
    assert calls[(8, "q")] == (1, ("ids", "i"))
    assert calls[(10, "User.findByPk")] == (2, ("User", "id"))
    assert calls[(10, "ids.map")] == (-1, ())
    assert calls[(14, "setTimeout")][0] == 6
    assert calls[(14, "q")][0] == -1  # a function that is not an iteration callback is its own scope
    assert calls[(15, "q")] == (7, ())


def test_go_loops_skip_error_returns_and_switch_breaks() -> None:
    index = _index(GO, "p.go", "go")
    got = [(lp.kind, lp.line, lp.targets, lp.iter, lp.exits, lp.iter_size) for lp in index.loops]
    assert got == [
        ("for", 4, ("i", "id"), "ids", False, -1),
        ("for", 10, ("t",), "", False, 2),
        ("for", 13, ("i",), "", False, 3),
        ("while", 16, (), "", True, -1),
    ]
    calls = {(c.line, c.raw): (c.loop, c.reads) for c in index.calls}
    assert calls[(5, "db.QueryRow")] == (0, ("db", "id"))
    assert calls[(14, "db.Exec")] == (-1, ())  # inside a goroutine's function literal


VALIDATION = """\
package p

func save(db *sql.DB, books []Book) error {
	for _, book := range books {
		if book.URL == "" {
			return errors.New("URL must not be empty")
		}
		db.QueryRow("SELECT id FROM tags WHERE book = $1", book.ID)
	}
	return nil
}
"""


def test_a_return_that_reports_an_error_is_validation_not_a_search() -> None:
    index = _index(VALIDATION, "p.go", "go")
    assert [lp.exits for lp in index.loops] == [False]
    js = _index(
        "function f(res, xs) {\n  for (const x of xs) {\n    if (!x) return res.status(404).end();\n  }\n}\n",
        "a.js",
        "javascript",
    )
    assert [lp.exits for lp in js.loops] == [False]


def test_the_loop_facts_survive_the_cache_encoding() -> None:
    index = _index(JS, "src/a.js", "javascript")
    assert decode_index(encode_index(index)) == index


RETRY = """\
package p

func wait(db *gorm.DB, tables []string) {
	for _, name := range tables {
		for i := 0; i <= 100; i++ {
			if err := db.Raw("SELECT COUNT(*) FROM " + name).Scan(&n).Error; err == nil {
				break
			}
		}
	}
}
"""


def test_a_break_on_success_ends_the_loop() -> None:
    index = _index(RETRY, "p.go", "go")
    assert [lp.exits for lp in index.loops] == [False, True]
    js = _index("function f(xs) {\n  for (const x of xs) {\n    if (!err) break;\n  }\n}\n", "a.js", "javascript")
    assert [lp.exits for lp in js.loops] == [True]
