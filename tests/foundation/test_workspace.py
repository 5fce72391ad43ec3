"""The walk: ignores, limits, binaries, symlinks, odd encodings, big trees — each reported, none silent."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from audit_helpers import cli_audit as audit
from audit_helpers import cli_findings as findings
from audit_helpers import cli_report as report
from redline.core.workspace import Workspace

from .helpers import HTTP_CALL, write

LIMIT = 5 * 1024 * 1024


def walk(root: Path, **kw: object) -> tuple[list[str], dict[str, str]]:
    size = kw.pop("max_file_size", LIMIT)
    assert isinstance(size, int)
    result = Workspace(root, max_file_size=size, **kw).walk()  # type: ignore[arg-type]
    return [f.path for f in result.files], {s.path: s.reason for s in result.skipped}


def test_gitignore_nested_and_negated(tmp_path: Path) -> None:
    write(tmp_path, ".gitignore", "*.log\nbuild/\n!keep.log\n")
    write(tmp_path, "a.py", "")
    write(tmp_path, "x.log", "")
    write(tmp_path, "keep.log", "")
    write(tmp_path, "build/out.py", "")
    write(tmp_path, "sub/.gitignore", "secret.txt\n")
    write(tmp_path, "sub/secret.txt", "")
    write(tmp_path, "sub/b.py", "")
    write(tmp_path, "other/secret.txt", "")
    files, _ = walk(tmp_path)
    assert files == [".gitignore", "a.py", "keep.log", "other/secret.txt", "sub/.gitignore", "sub/b.py"]
    files_all, _ = walk(tmp_path, honour_gitignore=False)
    assert "build/out.py" in files_all and "sub/secret.txt" in files_all


def test_exclude_globs(tmp_path: Path) -> None:
    write(tmp_path, "vendor/lib.py", "")
    write(tmp_path, "app/main.py", "")
    write(tmp_path, "app/main_test.py", "")
    files, _ = walk(tmp_path, exclude=["vendor/", "*_test.py"])
    assert files == ["app/main.py"]


def test_git_directory_is_never_walked(tmp_path: Path) -> None:
    write(tmp_path, ".git/config", "[core]\n")
    write(tmp_path, "a.py", "")
    assert walk(tmp_path)[0] == ["a.py"]


def test_own_output_folder_is_never_walked(tmp_path: Path) -> None:
    write(tmp_path, "reports/.redline-manifest.json", '{"files": ["findings.json"]}')
    write(tmp_path, "reports/findings.json", "{}")
    write(tmp_path, "a.py", "")
    assert walk(tmp_path)[0] == ["a.py"]


def test_fifty_megabyte_file_is_reported_not_read(tmp_path: Path) -> None:
    src = tmp_path / "src"
    write(src, "client.py", HTTP_CALL)
    big = src / "dump.sql"
    with open(big, "wb") as fh:
        fh.truncate(50 * 1024 * 1024)
    out = tmp_path / "out"
    assert audit(src, out) == 0
    doc = report(out)
    reason = "larger than the size limit (52,428,800 > 5,242,880 bytes)"
    assert {"path": "dump.sql", "reason": reason} in doc["not_covered"]
    assert doc["summary"]["files_scanned"] == 1
    assert "dump.sql" in (out / "summary.md").read_text()


def test_size_limit_is_configurable(tmp_path: Path) -> None:
    write(tmp_path, "a.py", "x" * 2000)
    _, skipped = walk(tmp_path, max_file_size=1000)
    assert skipped == {"a.py": "larger than the size limit (2,000 > 1,000 bytes)"}


def test_symlink_outside_root_is_not_followed(tmp_path: Path) -> None:
    outside = write(tmp_path, "outside/passwords.py", HTTP_CALL)
    src = tmp_path / "src"
    write(src, "a.py", "")
    (src / "escape.py").symlink_to(outside)
    (src / "escape_dir").symlink_to(outside.parent, target_is_directory=True)
    (src / "inside.py").symlink_to(src / "a.py")
    (src / "loop").symlink_to(src / "loop")
    files, skipped = walk(src)
    assert files == ["a.py", "inside.py"]
    assert skipped == {
        "escape.py": "symlink points outside the audited tree",
        "escape_dir": "symlink points outside the audited tree",
        "loop": "broken or looping symlink",
    }
    out = tmp_path / "out"
    audit(src, out)
    assert findings(out) == []  # the outside file's finding never appears


def test_binary_files_are_skipped_and_listed(tmp_path: Path) -> None:
    src = tmp_path / "src"
    (src).mkdir()
    (src / "logo.png").write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(100))
    write(src, "a.py", HTTP_CALL)
    out = tmp_path / "out"
    audit(src, out, "--select", "RES")
    # a python-only run only reads python files; binary detection needs a reader of every file
    assert report(out)["summary"]["files_scanned"] == 1
    from redline.core.workspace import SourceFile, UnreadableFile, read_file

    with pytest.raises(UnreadableFile, match="binary"):
        read_file(SourceFile("logo.png", str(src / "logo.png"), "other", 113))


def test_invalid_utf8_is_read_with_a_notice(tmp_path: Path) -> None:
    src = tmp_path / "src"
    src.mkdir()
    (src / "legacy.py").write_bytes(b"# caf\xe9\nimport requests\nrequests.get('https://x')\n")
    out = tmp_path / "out"
    assert audit(src, out) == 0
    doc = report(out)
    assert [f["location"]["start_line"] for f in doc["findings"]] == [3]
    assert {
        "where": "legacy.py",
        "stage": "decode",
        "fatal": False,
        "reason": "invalid UTF-8 at byte 5; read with replacement characters",
    } in doc["errors"]


def test_binary_without_a_nul_byte_is_skipped_not_decoded(tmp_path: Path) -> None:
    """An encrypted key (git-crypt's ``.git-crypt/keys/default/0/<id>.gpg``) may have no NUL byte in its first
    8 KB: it is binary by content, listed as skipped, without a decode notice; a Latin-1 file stays text."""
    import random

    src = tmp_path / "src"
    src.mkdir()
    noise = random.Random(8).choices(range(1, 256), k=6000)  # no NUL, like ciphertext that happens to have none
    key = src / ".git-crypt" / "keys" / "default" / "0" / "4B5F.gpg"
    key.parent.mkdir(parents=True)
    key.write_bytes(bytes(noise))
    (src / "legacy.py").write_bytes(b"# caf\xe9 cr\xe8me br\xfbl\xe9e\nimport requests\nrequests.get('https://x')\n")
    out = tmp_path / "out"
    audit(src, out)
    doc = report(out)
    assert [(e["where"], e["stage"]) for e in doc["errors"]] == [("legacy.py", "decode")]
    assert [n for n in doc["not_covered"] if n["path"].endswith(".gpg")] == [
        {
            "path": ".git-crypt/keys/default/0/4B5F.gpg",
            "reason": "binary file (not text: control bytes and invalid UTF-8)",
        }
    ]


@pytest.mark.skipif(os.geteuid() == 0, reason="root reads files whatever their mode")
def test_unreadable_file_by_mode(tmp_path: Path) -> None:
    src = tmp_path / "src"
    locked = write(src, "locked.py", HTTP_CALL)
    write(src, "open.py", HTTP_CALL)
    locked.chmod(0)
    out = tmp_path / "out"
    assert audit(src, out) == 2
    doc = report(out)
    assert [f["location"]["path"] for f in doc["findings"]] == ["open.py"]
    assert any(e["where"] == "locked.py" and "cannot read" in e["reason"] for e in doc["errors"])


def test_file_that_cannot_be_read_is_a_tool_error_and_the_run_goes_on(tmp_path: Path) -> None:
    """A file that vanishes or cannot be opened between the walk and the read (real OSError)."""
    from redline.checks.interface import CheckContext
    from redline.core.config import Config
    from redline.core.workspace import SourceFile
    from redline.pipeline.worker import ChunkOutcome, WorkerState, process_file

    state = WorkerState((), (), CheckContext(tmp_path, Config(), frozenset()), needs_text=True)
    out = ChunkOutcome()
    process_file(state, SourceFile("gone.py", str(tmp_path / "gone.py"), "python", 10), out)
    assert out.skipped[0].path == "gone.py" and "cannot read" in out.skipped[0].reason
    assert out.errors[0].fatal and out.errors[0].where == "gone.py"


def test_ten_thousand_empty_files(tmp_path: Path) -> None:
    src = tmp_path / "src"
    many = src / "many"
    many.mkdir(parents=True)
    for i in range(10_000):
        (many / f"f{i:05}.py").touch()
    write(src, "client.py", HTTP_CALL)
    out = tmp_path / "out"
    assert audit(src, out) == 0
    doc = report(out)
    assert doc["summary"]["files_scanned"] == 10_001
    assert [f["location"]["path"] for f in doc["findings"]] == ["client.py"]
    assert doc["errors"] == [] and doc["not_covered"] == []


def test_lockfiles_have_their_own_larger_limit(tmp_path: Path) -> None:
    write(tmp_path, "package-lock.json", "{}" + " " * 2000)
    write(tmp_path, "big.py", "x" * 2000)
    files, skipped = walk(tmp_path, max_file_size=1000, max_lockfile_size=4000)
    assert files == ["package-lock.json"]
    assert skipped == {"big.py": "larger than the size limit (2,000 > 1,000 bytes)"}
    _, skipped = walk(tmp_path, max_file_size=1000, max_lockfile_size=1500)
    assert skipped["package-lock.json"] == "larger than the size limit (2,002 > 1,500 bytes)"


def test_a_folder_packages_were_installed_into_is_another_projects_code(tmp_path: Path) -> None:
    """bazarr keeps its dependencies in ``libs/`` (``pip install --target``: a ``*.dist-info`` beside each package) and
    audited 86 findings there; a ``vendor/`` folder holds other projects' code too. The project's own code is judged:
    an sdist's or an editable install's own ``*.egg-info`` (Django's sdist: ``Django.egg-info`` at its root), a folder
    with one ``*.dist-info``, a ``libs/``-like folder without installer metadata."""
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, "app.py", HTTP_CALL)
    write(src, "Shop.egg-info/PKG-INFO", "Name: shop\n")
    write(src, "shop/client.py", HTTP_CALL)
    for name in ("requests-2.32.3", "idna-3.10", "certifi-2024.8.30"):
        write(src, f"libs/{name}.dist-info/METADATA", f"Name: {name}\n")
    write(src, "libs/requests/api.py", HTTP_CALL)
    write(src, "libs/deep/nested/client.py", HTTP_CALL)
    write(src, "tools/one-1.0.dist-info/METADATA", "Name: one\n")
    write(src, "tools/client.py", HTTP_CALL)  # one package's metadata: not a packages folder
    write(src, "vendor/acme/client.py", HTTP_CALL)
    write(src, "mylibs/client.py", HTTP_CALL)  # no installer metadata: the project's own
    walked = {f.path: f.installed for f in Workspace(src, max_file_size=1 << 20).walk().files if f.path.endswith(".py")}
    assert walked == {
        "app.py": False,
        "shop/client.py": False,
        "libs/requests/api.py": True,
        "libs/deep/nested/client.py": True,
        "tools/client.py": False,
        "vendor/acme/client.py": False,
        "mylibs/client.py": False,
    }
    audit(src, out, "--select", "RES101")
    assert sorted((f["location"]["path"], f["location"]["start_line"]) for f in findings(out)) == [
        ("app.py", 3),
        ("mylibs/client.py", 3),
        ("shop/client.py", 3),
        ("tools/client.py", 3),
    ]


PINS = "cherrypy==18.10.0\nMako==1.3.12\nrequests==2.33.1\nIPy==1.01  # comment\ncherrypy-cors==1.7.0\n-r dev.txt\n"
ON_SYS_PATH = "import os, sys\nsys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), '{}'))\n"


def test_packages_copied_into_a_folder_a_root_script_puts_on_sys_path_are_another_projects_code(
    tmp_path: Path,
) -> None:
    """Tautulli copies its 70 dependencies into ``lib/`` without installer metadata and ``Tautulli.py`` puts it on
    ``sys.path``: 40 of its 53 findings were in cherrypy, pygments, future… Told by a root script putting the folder
    on ``sys.path`` and five or more of its packages named like the root requirements' pins. Not told so: the
    project's own ``src/`` on ``sys.path`` (nothing there is pinned), pinned names in a folder no root script puts on
    ``sys.path`` (adapters named after the libraries they wrap), a folder with four pinned packages (and a link
    named like a fifth), a folder only a commented-out line or a script below the root puts there."""
    src, out = tmp_path / "src", tmp_path / "out"
    write(src, "requirements.txt", PINS)
    write(src, "App.py", ON_SYS_PATH.format("lib") + ON_SYS_PATH.format("src") + ON_SYS_PATH.format("few"))
    write(src, "Other.py", "import sys\n# sys.path.insert(0, 'integrations')\n")
    write(src, "tests/conftest.py", ON_SYS_PATH.format("../extra"))
    for folder, names in {
        "lib": ("cherrypy", "mako", "requests", "cherrypy_cors"),
        "few": ("cherrypy", "mako", "requests", "cherrypy_cors"),
        "integrations": ("cherrypy", "mako", "requests", "cherrypy_cors"),
        "extra": ("cherrypy", "mako", "requests", "cherrypy_cors"),
    }.items():
        for name in names:
            write(src, f"{folder}/{name}/__init__.py", HTTP_CALL)
        write(src, f"{folder}/IPy.py" if folder != "few" else f"{folder}/helpers.py", HTTP_CALL)
    write(src, "src/shop/client.py", HTTP_CALL)
    (src / "few" / "IPy").symlink_to(src / "lib" / "cherrypy")  # a link is not a package the folder holds
    walked = {f.path for f in Workspace(src, max_file_size=1 << 20).walk().files if f.installed}
    assert walked == {
        "lib/IPy.py",
        "lib/cherrypy/__init__.py",
        "lib/cherrypy_cors/__init__.py",
        "lib/mako/__init__.py",
        "lib/requests/__init__.py",
    }
    audit(src, out, "--select", "RES101")
    reported = {f["location"]["path"].split("/")[0] for f in findings(out)}
    assert reported == {"few", "integrations", "extra", "src"}
