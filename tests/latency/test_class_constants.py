"""A loop over a class's literal list attribute runs a fixed number of times, as one over a module-level literal
does: isso's ``Preferences.__init__`` looks up each of ``Preferences.defaults`` (one entry) through ``self.get``,
which runs a query. Through ``self`` or the class; an attribute bound to a name (maybe no list), another class's
attribute of the same name (set from data), and a loop over data keep their findings."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

DATABASE = """import sqlite3

from shop.db.preferences import Preferences


class SQLite3:
    def __init__(self, path):
        self.path = path
        self.preferences = Preferences(self)

    def execute(self, sql, args=()):
        with sqlite3.connect(self.path) as con:
            return con.execute(sql, args)
"""
PREFERENCES = """from shop.io import read_keys, DEFAULT_KEYS


class Preferences:
    defaults = [("session-key", "x"), ("theme", "dark")]
    fallback = DEFAULT_KEYS

    def __init__(self, db):
        self.db = db
        for key, value in self.defaults:
            if self.get(key) is None:
                self.set(key, value)

    def reload(self):
        for key, _value in Preferences.defaults:
            self.get(key)

    def restore(self):
        for key in self.fallback:
            self.get(key)

    def load(self):
        for key in read_keys():
            self.get(key)

    def get(self, key):
        return self.db.execute("SELECT value FROM preferences WHERE key=?", (key,)).fetchone()

    def set(self, key, value):
        self.db.execute("INSERT INTO preferences VALUES (?, ?)", (key, value))


class Other:
    def __init__(self, db, defaults):
        self.db = db
        self.defaults = defaults

    def sync(self):
        for key in self.defaults:
            self.get(key)

    def get(self, key):
        return self.db.execute("SELECT value FROM other WHERE key=?", (key,)).fetchone()
"""


def test_a_loop_over_a_class_literal_runs_a_fixed_number_of_times(tmp_path: Path) -> None:
    (tmp_path / "shop" / "db").mkdir(parents=True)
    (tmp_path / "shop" / "__init__.py").write_text("")
    (tmp_path / "shop" / "db" / "__init__.py").write_text(DATABASE)
    (tmp_path / "shop" / "db" / "preferences.py").write_text(PREFERENCES)
    found = findings_of(tmp_path, LatencyCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("LAT104", "shop/db/preferences.py", 20),
        ("LAT104", "shop/db/preferences.py", 24),
        ("LAT104", "shop/db/preferences.py", 40),
    ]
