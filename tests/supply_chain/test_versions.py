"""Every labelled ordering in ../shared/data/lockfiles/version-ordering/, in both directions."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.sources.advisories.versions import compare_versions, parse_version

FILES = {
    "semver-versions.txt": ("npm", "crates.io", "Go", "Hex"),
    "pypi-versions.txt": ("PyPI",),
    "pypi-versions-generated.txt": ("PyPI",),
    "maven-versions.txt": ("Maven",),
    "maven-versions-generated.txt": ("Maven",),
    "rubygems-versions.txt": ("RubyGems",),
    "rubygems-versions-generated.txt": ("RubyGems",),
    "packagist-versions.txt": ("Packagist",),
    "packagist-versions-generated.txt": ("Packagist",),
    "nuget-versions.txt": ("NuGet",),
    "debian-versions.txt": ("Debian",),
    "debian-versions-generated.txt": ("Debian",),
    "cran-versions.txt": ("CRAN",),
    "cran-versions-generated.txt": ("CRAN",),
    "hackage-versions.txt": ("Hackage",),
    "pub-versions.txt": ("Pub",),
    "redhat-versions.txt": ("Red Hat",),
    "alpine-versions.txt": ("Alpine",),
    "alpine-versions-generated.txt": ("Alpine",),
}
EXPECTED = {"<": -1, "=": 0, ">": 1}


def _cases(path: Path) -> list[tuple[str, str, str]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith(("# ", "// ")):
            continue
        a, op, b = line.split(" ")
        out.append((a, op, b))
    return out


def test_every_ordering_file_is_covered(shared_data: Path) -> None:
    names = {p.name for p in (shared_data / "lockfiles" / "version-ordering").glob("*.txt")}
    assert names == set(FILES)


@pytest.mark.parametrize(("filename", "ecosystem"), [(f, e) for f, ecos in FILES.items() for e in ecos])
def test_labelled_orderings(shared_data: Path, filename: str, ecosystem: str) -> None:
    cases = _cases(shared_data / "lockfiles" / "version-ordering" / filename)
    assert cases
    wrong = [
        (a, op, b)
        for a, op, b in cases
        if compare_versions(ecosystem, a, b) != EXPECTED[op] or compare_versions(ecosystem, b, a) != -EXPECTED[op]
    ]
    assert wrong == [], f"{len(wrong)} of {len(cases)} wrong, first: {wrong[:5]}"


def test_keys_sort_like_the_ecosystem() -> None:
    versions = ["1.0.0", "1.0.0-rc.1", "1.0.0-alpha", "0.9.9", "1.0.1"]
    assert [k.text for k in sorted(parse_version("npm", v) for v in versions)] == [
        "0.9.9",
        "1.0.0-alpha",
        "1.0.0-rc.1",
        "1.0.0",
        "1.0.1",
    ]
    assert sorted(["1.0", "1.0-SNAPSHOT", "1.0-beta-1"], key=lambda v: parse_version("Maven", v)) == [
        "1.0-beta-1",
        "1.0-SNAPSHOT",
        "1.0",
    ]


def test_legacy_pypi_versions_sort_before_pep440() -> None:
    assert compare_versions("PyPI", "1.0-foo-bar", "0.1") == -1
    assert compare_versions("PyPI", "5.3", "5.3.0") == 0


def test_invalid_debian_version_is_an_error() -> None:
    with pytest.raises(ValueError, match="not a Debian version"):
        parse_version("Debian", "1.2.3-not-a-debian:version!@#$")
