"""``lazy()`` behaves as the compiled pattern it stands for, and compiles once, on first use."""

from __future__ import annotations

import re

from redline.core.lazy_regex import lazy


def test_every_method_answers_as_re_compile_does() -> None:
    text = "user=alice; password=hunter2; pwd=x"
    eager = re.compile(r"(\w+)=(\w+)")
    deferred = lazy(r"(\w+)=(\w+)")
    assert deferred.pattern == eager.pattern
    assert [m.span() for m in deferred.finditer(text)] == [m.span() for m in eager.finditer(text)]
    assert deferred.findall(text) == [("user", "alice"), ("password", "hunter2"), ("pwd", "x")]
    found = deferred.search(text, 5)
    assert found is not None and found.group(1) == "password"
    assert deferred.match(text) is not None and deferred.match(text, 1, 3) is None
    assert deferred.fullmatch("a=b") is not None and deferred.fullmatch("a=b;") is None
    assert deferred.split("x a=b y", 1) == eager.split("x a=b y", 1) == ["x ", "a", "b", " y"]
    assert deferred.sub(r"\1=***", text) == "user=***; password=***; pwd=***"
    assert deferred.sub(lambda m: m.group(1).upper(), "k=v") == "K"


def test_flags_and_bytes_patterns_are_kept() -> None:
    deferred = lazy(rb"^secret$", re.I | re.M)
    assert [m.start() for m in deferred.finditer(b"x\nSECRET\nsecret")] == [2, 9]


def test_compiles_on_first_use_only_once() -> None:
    deferred = lazy(r"a+")
    assert deferred._compiled is None
    first = deferred.compiled
    assert deferred.search("baa") is not None
    assert deferred.compiled is first
    assert repr(deferred) == "lazy('a+', 0)"


def test_equal_and_hashed_as_compiled_patterns_compare_compiled_or_not() -> None:
    first, second = lazy(r"^EXAMPLE"), lazy(r"^EXAMPLE")
    second.compiled  # noqa: B018 - one compiled, one not
    assert first == second and hash(first) == hash(second)
    assert first != lazy(r"^EXAMPLE", re.I) and first != lazy(r"^OTHER")
    assert first != re.compile(r"^EXAMPLE")  # a different kind of object, as before
    assert first._compiled is None  # comparing compiled nothing
