"""Imports through tsconfig ``paths`` aliases reach the module they name, so a router mounted behind a guard in
another module keeps the guard and the prefix (overseerr's ``@server/routes/settings``)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_with
from redline.checks.code.routes import RouteAuthenticationCheck
from redline.core.workspace import SourceFile
from redline.sources.code.tspaths import read_aliases

FIXTURE = Path(__file__).parent / "fixtures" / "tspaths"


def test_a_router_imported_through_an_alias_is_mounted_behind_its_guard() -> None:
    result = audit_with(FIXTURE, [RouteAuthenticationCheck()])
    # /api/v1/settings/main runs behind isAuthenticated(); the router mounted without one still fires, with the
    # prefixes of both mounts
    assert [(f.rule, f.location.path, f.location.start_line, f.evidence["route"]) for f in result.findings] == [
        ("WEB101", "server/routes/open.ts", 5, "POST /api/v1/open/feedback"),
    ]


def _file(root: Path, path: str) -> SourceFile:
    return SourceFile(path, str(root / path), "json", (root / path).stat().st_size)


def test_aliases_follow_the_nearest_config_and_its_extends(tmp_path: Path) -> None:
    (tmp_path / "web").mkdir()
    (tmp_path / "tsconfig.json").write_text('{"compilerOptions": {"paths": {"@/*": ["./src/*"], "cfg": ["./c.ts"]}}}')
    (tmp_path / "web" / "jsconfig.json").write_text('{"compilerOptions": {"baseUrl": ".", "paths": {"@/*": ["*"]}}}')
    aliases, unread = read_aliases([_file(tmp_path, "tsconfig.json"), _file(tmp_path, "web/jsconfig.json")])
    assert unread == []
    modules = frozenset({"src/lib/db", "web/lib/db", "c"})
    assert aliases.resolve("src/app.ts", "@/lib/db", modules) == "src/lib/db"
    assert aliases.resolve("src/app.ts", "@/lib/db.connect", modules) == "src/lib/db.connect"  # a named import
    assert aliases.resolve("web/pages/a.js", "@/lib/db", modules) == "web/lib/db"  # the nearest config
    assert aliases.resolve("src/app.ts", "cfg.settings", modules) == "c.settings"  # an exact pattern
    # a package, and an alias to no module of the project, stay as written
    assert aliases.resolve("src/app.ts", "@sentry/node", modules) is None
    assert aliases.resolve("src/app.ts", "@/lib/missing", modules) is None


def test_comments_and_trailing_commas_are_read_and_a_broken_config_is_not_covered(tmp_path: Path) -> None:
    """tsconfig is JSON with comments and trailing commas; one that is not even that is reported, not ignored."""
    (tmp_path / "api").mkdir()
    (tmp_path / "tsconfig.json").write_text(
        '{\n  // aliases\n  "compilerOptions": {"paths": {"@/*": ["./src/*",], /* "x": [] */},},\n}'
    )
    (tmp_path / "api" / "tsconfig.json").write_text('{"compilerOptions": {"paths": ')
    aliases, unread = read_aliases([_file(tmp_path, "tsconfig.json"), _file(tmp_path, "api/tsconfig.json")])
    assert aliases.resolve("src/app.ts", "@/lib/db", frozenset({"src/lib/db"})) == "src/lib/db"
    assert [(s.path, s.reason) for s in unread] == [
        ("api/tsconfig.json", "path aliases not read: invalid JSON at line 1, column 31: Expecting value"),
    ]
