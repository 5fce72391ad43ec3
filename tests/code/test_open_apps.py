"""The deployable-unit folder a path belongs to: the one predicate WEB101 and the debug-entry rule share."""

from __future__ import annotations

from redline.checks.code.open_apps import holds, unit_of


def test_holds_only_whole_folders() -> None:
    assert holds("", "app.py")
    assert holds("vote", "vote/app.py")
    assert holds("services/vote", "services/vote/web/app.py")
    assert not holds("vote", "voter/app.py")
    assert not holds("vote", "vote")


def test_unit_is_the_deepest_folder_holding_the_path() -> None:
    roots = ["", "services", "services/vote", "services/voter"]
    assert unit_of("services/vote/app.py", roots) == "services/vote"
    assert unit_of("services/voter/app.py", roots) == "services/voter"
    assert unit_of("services/result.py", roots) == "services"
    assert unit_of("tools/cli.py", roots) == ""
    assert unit_of("app.py", []) == ""
