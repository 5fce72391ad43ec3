"""Manifest-like files redline does not read are listed as not covered by name with the reason;
``*.csproj`` PackageReference items and ``mix.lock`` are read."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.core.filekinds import kind_of
from redline.core.packages import PackageManifest
from redline.core.workspace import FileText, SourceFile
from redline.sources.interface import SourceError
from redline.sources.packages.csproj import CsprojParser
from redline.sources.packages.interface import ManifestParser
from redline.sources.packages.mix_lock import MixLockParser

from .helpers import audit, write_tree

CSPROJ = """<Project Sdk="Microsoft.NET.Sdk.Web">
  <PropertyGroup><TargetFramework>net8.0</TargetFramework></PropertyGroup>
  <ItemGroup>
    <PackageReference Include="Grpc.AspNetCore" Version="2.62.0" />
    <PackageReference Include="StackExchange.Redis" Version="[2.7.33]" />
    <PackageReference Include="Serilog" Version="3.*" />
    <PackageReference Include="Npgsql">
      <Version>8.0.2</Version>
    </PackageReference>
    <PackageReference Include="Microsoft.Extensions.Http" />
    <PackageReference Include="StyleCop.Analyzers" Version="1.1.118" PrivateAssets="all" />
  </ItemGroup>
  <ItemGroup><ProjectReference Include="../lib/lib.csproj" /></ItemGroup>
</Project>
"""
MIX_LOCK = """%{
  "cowboy": {:hex, :cowboy, "2.10.0", "ff9f", [:make, :rebar3], [{:cowlib, "2.12.1", [hex: :cowlib]}], "hexpm", "3afd"},
  "plug_crypto": {:hex, :plug_crypto, "1.2.5", "9187", [:mix], [], "hexpm", "2654"},
  "my_fork": {:git, "https://github.com/me/fork.git", "0c6d9b3f3c1f4bb4a6a0c9f7d5a5f7d9e8c1b2a3", [branch: "main"]},
}
"""


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    return path


def parse(parser: ManifestParser, path: Path, rel: str) -> PackageManifest:
    data = path.read_bytes()
    manifest = parser.parse(FileText(SourceFile(rel, str(path), kind_of(rel), len(data)), data, data.decode()))
    assert manifest is not None, rel
    return manifest


def test_csproj_package_references(tmp_path: Path) -> None:
    m: PackageManifest = parse(CsprojParser(), _write(tmp_path, "Cart.csproj", CSPROJ), "Cart.csproj")
    got = {(p.name, p.version, p.pinned, p.dev, p.line) for p in m.packages}
    assert got == {
        ("Grpc.AspNetCore", "2.62.0", True, False, 4),
        ("StackExchange.Redis", "2.7.33", True, False, 5),  # [x] is an exact version
        ("Serilog", "", False, False, 6),  # floating: not pinned
        ("Npgsql", "8.0.2", True, False, 7),  # version as a child element
        ("Microsoft.Extensions.Http", "", True, False, 10),  # central package management
        ("StyleCop.Analyzers", "1.1.118", True, True, 11),  # PrivateAssets=all: build-time analyzer
    }
    assert not m.is_lockfile and m.ecosystem == "NuGet"
    with pytest.raises(SourceError, match="not an MSBuild project"):
        parse(CsprojParser(), _write(tmp_path, "x.csproj", "<Other/>"), "x.csproj")


def test_mix_lock(tmp_path: Path) -> None:
    m = parse(MixLockParser(), _write(tmp_path, "mix.lock", MIX_LOCK), "mix.lock")
    assert {(p.name, p.version, p.pinned, p.line) for p in m.packages} == {
        ("cowboy", "2.10.0", True, 2),
        ("plug_crypto", "1.2.5", True, 3),
        ("my_fork", "", False, 4),
    }
    assert {p.purl for p in m.packages if p.pinned} == {"pkg:hex/cowboy@2.10.0", "pkg:hex/plug_crypto@1.2.5"}
    with pytest.raises(SourceError, match=r"not a mix\.lock"):
        parse(MixLockParser(), _write(tmp_path, "bad/mix.lock", "[1, 2]"), "mix.lock")


def test_unread_manifests_are_listed_by_name(tmp_path: Path) -> None:
    write_tree(
        tmp_path,
        {
            "android/app/build.gradle.kts": 'dependencies { implementation("a:b:1.0") }\n',
            "ios/Podfile.lock": "PODS:\n  - Alamofire (5.8.1)\n",
            "legacy/packages.config": '<packages><package id="Newtonsoft.Json" version="9.0.1" /></packages>\n',
            "elixir/mix.exs": "defmodule X.MixProject do\nend\n",
            "ruby/Gemfile": "gem 'rails'\n",
            "locked/Gemfile": "gem 'rails'\n",
            "locked/Gemfile.lock": "GEM\n  remote: https://rubygems.org/\n  specs:\n    rake (13.0.6)\n\n"
            "DEPENDENCIES\n  rake\n",
            "web/node_modules/x/setup.py": "",
            "svc/Cart.csproj": CSPROJ,
            "requirements.txt": "requests==2.31.0\n",
        },
    )
    result = audit(tmp_path, None, select=("DEP",))
    reasons = {s.path: s.reason for s in result.skipped if "format not supported" in s.reason}
    assert set(reasons) == {
        "android/app/build.gradle.kts",
        "ios/Podfile.lock",
        "legacy/packages.config",
        "elixir/mix.exs",
        "ruby/Gemfile",
    }
    assert reasons["android/app/build.gradle.kts"].startswith("format not supported: Gradle build script; ")
    assert "commit gradle.lockfile" in reasons["android/app/build.gradle.kts"]
    assert "no mix.lock beside it" in reasons["elixir/mix.exs"]
    assert "svc/Cart.csproj" not in reasons  # read now


def test_csproj_central_package_versions(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "Directory.Packages.props",
        """<Project>
  <ItemGroup>
    <PackageVersion Include="Microsoft.Extensions.Http" Version="8.0.0" />
    <PackageVersion Include="Serilog" Version="3.1.1" />
  </ItemGroup>
</Project>
""",
    )
    project = _write(tmp_path, "src/cart/Cart.csproj", CSPROJ)
    m = parse(CsprojParser(), project, "src/cart/Cart.csproj")
    got = {p.name: (p.version, p.pinned) for p in m.packages}
    assert got["Microsoft.Extensions.Http"] == ("8.0.0", True)  # from the props two folders up
    assert got["Serilog"] == ("", False)  # its own floating Version="3.*" wins over the central one
