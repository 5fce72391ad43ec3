"""The code index: the facts of one module, the request data flow, the cache and bad input."""

from __future__ import annotations

import pickle
from pathlib import Path

import msgspec
import pytest

from redline.core import facts
from redline.core.workspace import FileText, SourceFile
from redline.sources.code import cache
from redline.sources.code.model import CodeIndex
from redline.sources.code.source import CodeIndexSource
from redline.sources.interface import NotCovered, SourceError

APP = """\
import os
import subprocess as sp
from flask import Flask, request, Blueprint
from django.db import connection as conn

app = Flask(__name__)
bp = Blueprint("api", __name__, url_prefix="/api")
DSN = "postgresql://app@db.internal/app"
HOME = "https://example.com/docs"

@bp.route("/users", methods=["POST"])
def users():
    name = request.args.get("name")
    sql = "SELECT * FROM users WHERE name = '%s'" % name
    conn.cursor().execute(sql)
    safe = "SELECT * FROM users WHERE name = %s"
    conn.cursor().execute(safe, [name])
    for x in range(3):
        pass
    return [y for y in name]

async def handle(request):
    data = await request.post()
    os.system("rm " + data["f"])
    sp.run(["ls"], shell=False)

class Profile:
    permission_classes = [IsAuthenticated]
    def get(self, request):
        return request.GET["q"]
"""


def _text(path: str, data: bytes) -> FileText:
    return FileText(SourceFile(path, path, "python", len(data)), data, data.decode("utf-8", "replace"))


def index_of(source: str, path: str = "app.py") -> CodeIndex:
    return CodeIndexSource().parse(_text(path, source.encode()))


def test_imports_resolve_aliases() -> None:
    index = index_of(APP)
    assert index.imported("sp") == "subprocess"
    assert index.imported("conn") == "django.db.connection"
    assert index.imported("request") == "flask.request"


def test_calls_carry_resolved_targets_and_bindings() -> None:
    calls = {(c.line, c.raw): c for c in index_of(APP).calls}
    assert calls[(7, "Blueprint")].target == "flask.Blueprint"
    assert calls[(7, "Blueprint")].assigned_to == "bp"
    assert calls[(25, "sp.run")].target == "subprocess.run"
    assert calls[(25, "sp.run")].function == "handle"
    assert calls[(23, "request.post")].awaited
    # the handler's own ``request`` parameter shadows the Flask import
    assert calls[(23, "request.post")].target is None


def test_definitions_with_decorators_and_class_attributes() -> None:
    defs = {d.qualname: d for d in index_of(APP).definitions}
    route = defs["users"].decorators[0]
    assert (route.raw, route.line, route.is_call) == ("bp.route", 11, True)
    assert [a.literal for a in route.args] == ["/users", ("POST",)]
    assert defs["handle"].kind == "async_function"
    assert defs["Profile"].class_attrs == (("permission_classes", ("IsAuthenticated",)),)
    assert defs["Profile.get"].params == ("self", "request")


def test_strings_loops_and_request_flow() -> None:
    index = index_of(APP)
    assert [(s.kind, s.line) for s in index.strings] == [("dsn", 8), ("url", 9), ("sql", 14), ("sql", 16)]
    assert [(lp.kind, lp.line, lp.function) for lp in index.loops] == [
        ("for", 18, "users"),
        ("comprehension", 20, "users"),
    ]
    assert {(t.function, t.name, t.source) for t in index.tainted} == {
        ("users", "name", "flask.request.args"),
        ("users", "sql", "flask.request.args"),
        ("users", "y", "flask.request.args"),
        ("handle", "data", "request.post"),
    }


def test_sink_arguments_know_taint_and_how_the_string_was_built() -> None:
    calls = {(c.line, c.raw): c for c in index_of(APP).calls}
    formatted = calls[(15, "conn.cursor.execute")]
    assert formatted.built_by == "percent"
    # the value sits after the start of the built string: it can break SQL, not choose a URL's host
    assert formatted.tainted == (("0", "flask.request.args", ("name", "[after prefix]", "sql")),)
    parameterised = calls[(17, "conn.cursor.execute")]
    assert parameterised.built_by is None  # the query itself is a constant; the value is bound
    assert calls[(24, "os.system")].built_by == "concat"
    assert calls[(24, "os.system")].tainted[0][1] == "request.post"


def test_fastapi_handler_parameters_are_request_values() -> None:
    src = (
        "from fastapi import FastAPI, Depends, Query\napp = FastAPI()\n"
        '@app.get("/items/{item_id}")\n'
        "def item(item_id: str, n: int, q: str = Query(None), user=Depends(me), limit: int = 10):\n"
        '    return db.execute(f"SELECT * FROM t WHERE id = {item_id} AND n = {n}")\n'
    )
    index = index_of(src)
    assert {t.name for t in index.tainted} == {"item_id", "q"}  # an int parameter is converted, never text
    call = next(c for c in index.calls if c.raw == "db.execute")
    assert (call.built_by, call.tainted[0][1]) == ("fstring", "param:item_id")


def test_paths_keep_the_calls_and_string_positions_a_value_went_through() -> None:
    src = (
        "import os, aiohttp\nfrom flask import request\n"
        "@app.get('/f')\n"
        "async def f():\n"
        "    name = os.path.basename(request.args['n'])\n"
        "    open(os.path.join('/srv', name))\n"
        "    open(int(request.args['i']))\n"
        "    async with aiohttp.ClientSession() as session:\n"
        "        await session.get(f'https://api/{request.args[\"q\"]}')\n"
        "    if not request.user.is_staff and order.owner_id != current_user.id:\n"
        "        return request.args['x'].urlencode()\n"
    )
    index = index_of(src)
    calls = {(c.line, c.raw): c for c in index.calls}
    assert calls[(6, "open")].tainted == (
        ("0", "flask.request.args", ("os.path.basename()", "name", "os.path.join()")),
    )
    assert calls[(7, "open")].tainted[0][2] == ("int()",)
    assert calls[(9, "session.get")].tainted[0][2] == ("[after prefix]",)
    assert calls[(8, "aiohttp.ClientSession")].assigned_to == "session"  # bound by ``async with ... as``
    assert set(index.reads) == {("f", "request.user"), ("f", "request.user.is_staff"), ("f", "order.owner_id")}


def test_unchanged_file_comes_from_the_cache(tmp_path: Path) -> None:
    first = index_of(APP)
    second = index_of(APP)
    assert (first.parser, second.parser) == ("ast", "cache")
    assert second == CodeIndex(**{**first.__dict__, "parser": "cache"})
    assert index_of(APP + "\n").parser == "ast"  # other content, other entry


def test_corrupt_cache_entry_means_parsing_again() -> None:
    data = APP.encode()
    key = cache.index_key("python", "app.py", data)
    index_of(APP)
    Path(cache._entry(key)).write_bytes(b"\x93not msgpack")
    assert index_of(APP).parser == "ast"


def test_syntax_error_is_not_covered_naming_the_line() -> None:
    with pytest.raises(NotCovered, match="syntax error at line 2"):
        index_of("x = 1\ndef (:\n")


def test_minified_or_huge_file_is_not_covered() -> None:
    with pytest.raises(NotCovered, match="minified or generated"):
        index_of("x = [" + "1," * 20_000 + "]\n")
    with pytest.raises(NotCovered, match="generated or bundled"):
        index_of("x = 1\n" * 400_000)


def test_deeply_nested_expression_never_crashes() -> None:
    for depth in (150, 5000):
        try:
            index = index_of("x = " + "(" * depth + "1" + ")" * depth + "\n")
        except SourceError:
            continue  # the interpreter refuses it: a clear parse error, not a crash
        assert index.definitions == ()
    deep_calls = "y = " + "f(" * 80 + "request.args" + ")" * 80 + "\n"
    assert len(index_of("from flask import request\n" + deep_calls).calls) == 80


def test_index_crosses_a_process_boundary_unchanged() -> None:
    """Workers send indexes to the main process pickled; the pickle carries one msgpack buffer."""
    index = index_of(APP)
    data = pickle.dumps(index)
    assert b"decode_index" in data and pickle.loads(data) == index


def test_a_worker_hands_an_index_from_the_cache_out_as_the_bytes_it_was_read_from(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """In a worker a cached index is not decoded (``EncodedIndex``): sent as the bytes of its cache entry and
    decoded in the main process; an index parsed now is a ``CodeIndex``, encoded once when sent."""
    index_of(APP)  # parsed, and kept in the cache
    source, text = CodeIndexSource(), _text("app.py", APP.encode())
    cached = source.read(text)  # the main process: decoded
    assert isinstance(cached, CodeIndex) and cached.parser == "cache"
    monkeypatch.setattr(facts, "_SENDING", True)  # what ``will_send_facts`` says in a worker
    fresh = source.read(_text("app.py", (APP + "\n").encode()))  # parsed now
    assert isinstance(fresh, CodeIndex) and fresh.parser == "ast" and pickle.loads(pickle.dumps(fresh)) == fresh
    decoded: list[int] = []
    decode = cache.decode_index

    def counted(data: bytes) -> CodeIndex:
        decoded.append(len(data))
        return decode(data)

    monkeypatch.setattr(cache, "decode_index", counted)
    sent = source.read(text)
    entry = Path(cache._entry(cache.index_key("python", "app.py", APP.encode()))).read_bytes()
    assert sent == cache.EncodedIndex("app.py", "python", cache.index_key("python", "app.py", APP.encode()), entry)
    assert decoded == []  # read, not decoded
    received = pickle.loads(pickle.dumps(sent))
    assert entry in pickle.dumps(sent) and received.decoded() == cached


def test_a_cache_entry_a_worker_cannot_read_is_parsed_again_or_reported(monkeypatch: pytest.MonkeyPatch) -> None:
    """A truncated entry is parsed again in the worker; one whose fields only turn out wrong when the main
    process decodes it is not indexed that run, with the reason, and removed so the next run parses it."""
    built = index_of(APP)
    key = cache.index_key("python", "app.py", APP.encode())
    entry = Path(cache._entry(key))
    monkeypatch.setattr(facts, "_SENDING", True)
    entry.write_bytes(entry.read_bytes()[:-10])
    assert CodeIndexSource().read(_text("app.py", APP.encode())) == built  # parsed again, and kept again
    assert isinstance(CodeIndexSource().read(_text("app.py", APP.encode())), cache.EncodedIndex)
    entry.write_bytes(msgspec.msgpack.encode({"path": "app.py", "language": "python", "parser": "cache", "calls": 7}))
    sent = CodeIndexSource().read(_text("app.py", APP.encode()))
    assert isinstance(sent, cache.EncodedIndex)
    with pytest.raises(ValueError, match=r"^code index: the cached index is unreadable \(Expected `array`, got `int`"):
        sent.decoded()
    assert not entry.exists()


def test_a_cache_entry_not_marked_as_cached_is_read_but_encoded_again_when_sent(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """An entry whose ``parser`` is not "cache" (not written by ``store``) is handed out marked as cached, and
    a worker sends what it hands out, not the entry."""
    built = index_of(APP)
    key = cache.index_key("python", "app.py", APP.encode())
    entry = cache.encode_index(built)  # parser "ast"
    Path(cache._entry(key)).write_bytes(entry)
    cached = index_of(APP)
    assert cached.parser == "cache" and entry not in pickle.dumps(cached)
    assert pickle.loads(pickle.dumps(cached)) == cached
    monkeypatch.setattr(facts, "_SENDING", True)  # a worker does not send it as it is either
    assert CodeIndexSource().read(_text("app.py", APP.encode())) == cached


def test_literals_too_deep_or_too_large_are_kept_as_none() -> None:
    index = index_of("f(a=[[[[1]]]], b=2**70, c=123456789012345678901234567890, d=[1, [2, ('x',)]])\n")
    args = {a.keyword: a.literal for a in index.calls[0].args}
    assert args == {"a": (((None,),),), "b": None, "c": None, "d": (1, (2, ("x",)))}
    cached = index_of("f(a=[[[[1]]]], b=2**70, c=123456789012345678901234567890, d=[1, [2, ('x',)]])\n")
    assert cached.parser == "cache" and cached.calls == index.calls


def test_a_module_constant_too_large_to_keep_is_none() -> None:
    """An RSA modulus written as a literal (juice-shop's test/files/encrypt.py) must not stop the index."""
    index = index_of("N = 0x" + "f" * 300 + "\nE = 65537\n")
    assert {a.name: a.values for a in index.assignments} == {"N": (None,), "E": (65537,)}
    assert pickle.loads(pickle.dumps(index)) == index


def test_an_index_that_cannot_be_encoded_is_not_covered_for_that_file_alone(monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(index: CodeIndex) -> bytes:
        raise OverflowError("can't serialize ints")

    monkeypatch.setattr(cache, "encode_index", broken)
    with pytest.raises(NotCovered, match="code index not kept: OverflowError"):
        index_of("x = 1\n", path="odd.py")


def test_an_index_msgpack_cannot_carry_is_refused_by_name() -> None:
    """A lone surrogate (undecodable bytes kept by ``surrogateescape``) cannot be encoded: the cache refuses it
    with ``UnencodableIndex`` (the file is then reported not covered) instead of a crash."""
    index = CodeIndex("a.py", "python", (("x", "bad\udcff"),), (), (), (), (), ())
    with pytest.raises(cache.UnencodableIndex, match="UnicodeEncodeError"):
        cache.store("k" * 40, index)


def test_the_routers_a_urls_module_serves_itself() -> None:
    """``urlpatterns = router.urls`` (netbox), ``+=`` and a starred list item name the router; one handed to
    ``include(...)`` is a pattern (a call), another name bound to ``router.urls`` is not the module's patterns."""
    source = (
        "urlpatterns = router.urls\n"
        "urlpatterns += api.router.urls\n"
        "urlpatterns = [path('', include(a.urls)), *b.urls]\n"
        "urlpatterns = [path('x/', view)] + c.urls\n"
        "urlpatterns -= d.urls\n"
        "other = e.urls\n"
    )
    served = [(a.line, a.values) for a in index_of(source).assignments if a.name == "urlpatterns.urls"]
    assert served == [(1, ("router",)), (2, ("api.router",)), (3, ("b",)), (4, ("c",))]
