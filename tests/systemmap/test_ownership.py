"""CODEOWNERS (GitHub and GitLab syntax) and Backstage catalog-info.yaml as an ownership source."""

from __future__ import annotations

from pathlib import Path

from redline.core.config import Config
from redline.core.workspace import Workspace
from redline.sources.interface import ProjectContext
from redline.sources.ownership.codeowners import Ownership, OwnershipSource, matches, parse_codeowners

GITLAB = """\
# default owners of everything
* @platform

[Backend] @backend-leads
/services/
services/payments/ @payments-team

^[Docs][2] @tech-writers
*.md
"""


def _collect(root: Path) -> Ownership:
    files = tuple(Workspace(root, max_file_size=1 << 20).walk().files)
    out = OwnershipSource().collect(ProjectContext(root, Config(), files))
    assert not out.errors
    assert len(out.facts) == 1 and isinstance(out.facts[0], Ownership)
    return out.facts[0]


def test_gitlab_sections_default_owners_and_last_match_per_section() -> None:
    rules = parse_codeowners(".gitlab/CODEOWNERS", GITLAB)
    assert [(r.pattern, r.owners, r.line, r.section) for r in rules] == [
        ("*", ("@platform",), 2, ""),
        ("/services/", ("@backend-leads",), 5, "Backend"),
        ("services/payments/", ("@payments-team",), 6, "Backend"),
        ("*.md", ("@tech-writers",), 9, "Docs"),
    ]
    own = Ownership(tuple(rules))
    assert own.owners_of("services/payments/app.py")[1] == ("@platform", "@payments-team")
    assert own.owners_of("services/payments/README.md")[1] == ("@platform", "@payments-team", "@tech-writers")
    rule, owners = own.owners_of("web/index.html")
    assert owners == ("@platform",) and rule is not None and rule.line == 2


def test_github_patterns_follow_gitignore_rules() -> None:
    assert matches("/api/", "api/app.py") and not matches("/api/", "src/api/app.py")
    assert matches("docs/", "src/docs/x.md") and matches("*.js", "a/b/c.js") and not matches("*.js", "a/b.jsx")
    assert matches("apps/**/deploy.yaml", "apps/x/y/deploy.yaml") and matches("/build/logs", "build/logs/a.txt")
    assert not matches("/build/logs", "src/build/logs/a.txt")


def test_source_reads_the_first_codeowners_and_catalogs(tmp_path: Path) -> None:
    (tmp_path / ".github").mkdir()
    (tmp_path / ".github" / "CODEOWNERS").write_text("*  @gh-team\n/svc/a/ @team-a  # inline comment\n")
    (tmp_path / "CODEOWNERS").write_text("* @ignored\n")  # GitHub uses the first location only
    (tmp_path / "svc" / "b").mkdir(parents=True)
    (tmp_path / "svc" / "b" / "catalog-info.yaml").write_text(
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: b\nspec:\n  owner: group:team-b\n"
    )
    own = _collect(tmp_path)
    assert own.owners_of("svc/a/main.go")[1] == ("@team-a",)
    assert own.owners_of("svc/b/main.go")[1] == ("group:team-b", "@gh-team")  # the catalog's owner, then CODEOWNERS
    assert own.owners_of("other.txt")[1] == ("@gh-team",)
    (tmp_path / ".github" / "CODEOWNERS").unlink()
    (tmp_path / "CODEOWNERS").unlink()
    assert _collect(tmp_path).owners_of("svc/b/main.go")[1] == ("group:team-b",)
