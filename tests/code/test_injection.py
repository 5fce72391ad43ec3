"""WEB203-207 over a Flask, a Django and a FastAPI/aiohttp module: the exact lines of the true positives,
the route each is reachable from and the source-to-sink path; the look-alikes (send_from_directory,
secure_filename, int(), a checked path or URL, a value after a fixed URL start, url_for, template context,
safe YAML loaders, a key-value client's get, a redirect back to the browser's Referer) stay silent."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.code.injection import InjectionCheck
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "injection"


def _findings(root: Path = FIXTURES) -> list[Finding]:
    return list(findings_of(root, InjectionCheck()))


def test_each_rule_fires_exactly_at_its_lines() -> None:
    assert sorted((f.rule, f.location.path, f.location.start_line) for f in _findings()) == [
        ("WEB203", "api.py", 13),
        ("WEB203", "api.py", 44),
        # the request object's query string (Pyramid, Sanic); not 66 nor 78, the application's settings and state
        # read through the same object (Kinto's ``request.registry.settings``, aiohttp's ``request.app``)
        ("WEB203", "api.py", 72),
        ("WEB203", "api.py", 84),
        ("WEB203", "flask_app.py", 21),
        ("WEB203", "flask_app.py", 22),
        ("WEB203", "flask_app.py", 31),
        ("WEB203", "flask_app.py", 141),  # <path:name>: the URL's; lookup()'s decorator-given record at 136 is not
        ("WEB203", "views.py", 31),
        ("WEB203", "views.py", 85),  # the upload's name; not 83, the server's temporary copy of it
        # a name the caller typed, joined under a folder; not 108/110, Django's checked upload name joined so
        ("WEB203", "views.py", 118),
        # the posted mapping's item; not 127 nor the pickle at 131: a table of the program's, the caller's key only
        # picks an entry (pgAdmin)
        ("WEB203", "views.py", 136),
        ("WEB203", "views.py", 142),  # a table's entry chosen by one request value, joined with another
        ("WEB204", "api.py", 23),
        ("WEB204", "api.py", 35),
        ("WEB204", "api.py", 103),  # not 97: the same function sends through advocate when not told otherwise
        ("WEB204", "flask_app.py", 46),
        ("WEB204", "flask_app.py", 47),
        ("WEB205", "flask_app.py", 64),
        ("WEB205", "flask_app.py", 122),  # request.url formatted into an error page's template
        ("WEB205", "views.py", 23),
        ("WEB206", "flask_app.py", 71),
        ("WEB206", "flask_app.py", 72),
        ("WEB206", "flask_app.py", 73),
        ("WEB206", "views.py", 27),
        ("WEB207", "api.py", 28),
        ("WEB207", "api.py", 37),
        ("WEB207", "bulk_views.py", 17),  # stored on self and read back; line 15's self.method() carries nothing
        ("WEB207", "flask_app.py", 83),
        ("WEB207", "flask_app.py", 88),
        ("WEB207", "flask_app.py", 158),  # another header; the Referer redirects at 148, 150 and 152 are not flagged
        ("WEB207", "views.py", 11),
        ("WEB207", "views.py", 37),  # stored on the request (request.session["next"]) and read back
        ("WEB207", "views.py", 54),  # a header the caller writes; the Referer redirects at 47 and 49 are not flagged
        # the caller's value starts the URL; not at 65 (a session key named through ``self`` does not taint ``self``)
        # nor 73 (the caller's text follows the ``?`` of "%s?%s")
        ("WEB207", "views.py", 78),
        ("WEB207", "views.py", 95),  # another header read as an item; not 91 nor 99, the Referer read so (shuup, Argus)
        ("WEB207", "views.py", 153),  # the first part a separator joins; not 149, the query string after "?" (umap)
    ]


def test_findings_name_the_route_and_the_source_to_sink_path() -> None:
    by_line = {(f.location.path, f.location.start_line): f for f in _findings()}
    traversal = by_line[("flask_app.py", 21)]
    assert traversal.evidence["route"] == "GET /files"
    assert traversal.evidence["flow"] == "flask.request.args -> name -> os.path.join() -> path -> open(arg 0)"
    assert "reachable from GET /files" in traversal.message
    ssrf = by_line[("api.py", 35)]  # a ClientSession bound by ``async with ... as session``
    assert (ssrf.evidence["route"], ssrf.evidence["flow"]) == (
        "GET /preview",
        "request.query -> url -> session.get(arg 0)",
    )
    assert by_line[("api.py", 23)].evidence["flow"] == "param:callback -> callback -> client.post(arg 0)"
    # a Django view defined in views.py is reached through urls.py
    assert by_line[("views.py", 27)].evidence["route"] == "ANY /restore/"
    assert "route" not in by_line[("views.py", 31)].evidence  # a view no URLconf names
    redirect = by_line[("flask_app.py", 83)]
    assert redirect.evidence["forwards"] == "token"
    assert "token" in redirect.message
    assert "forwards" not in by_line[("flask_app.py", 88)].evidence
    assert "forwards" not in by_line[("api.py", 37)].evidence  # ``session`` is an HTTP client, not a token
    assert all(f.remediation for f in by_line.values())


def test_nothing_fires_without_a_request_value(tmp_path: Path) -> None:
    (tmp_path / "jobs.py").write_text(
        "import pickle, requests\n"
        "def load(path, url):\n"
        "    return pickle.loads(open(path, 'rb').read()), requests.get(url, timeout=3)\n"
    )
    (tmp_path / "broken.py").write_bytes(b"def (:\n\x00\xff")
    assert _findings(tmp_path) == []
