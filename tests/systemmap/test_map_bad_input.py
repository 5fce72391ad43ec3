"""Bad input: the map still builds and the problems are listed."""

from __future__ import annotations

import time
from pathlib import Path

from redline.core.map_model import Colour

from .helpers import system_map


def _write(root: Path, rel: str, text: str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def test_cyclic_depends_on_is_listed_once_and_the_map_still_builds(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "docker-compose.yml",
        "services:\n  a:\n    image: busybox\n    depends_on: [b]\n"
        "  b:\n    image: busybox\n    depends_on: [c]\n"
        "  c:\n    image: busybox\n    depends_on: [a]\n",
    )
    m = system_map(tmp_path)
    assert {c.id for c in m.components} == {"a", "b", "c"}
    cycles = [p for p in m.problems if "cyclic depends_on" in p]
    assert cycles == ["cyclic depends_on in docker-compose.yml: a -> b -> c -> a (docker compose refuses to start it)"]
    assert {f.key for f in m.flows} == {("a", "b"), ("b", "c"), ("c", "a")}


def test_two_compose_files_that_disagree_are_listed(tmp_path: Path) -> None:
    _write(tmp_path, "dev/docker-compose.yml", "services:\n  db:\n    image: postgres:16\n")
    _write(tmp_path, "prod/docker-compose.yml", "services:\n  db:\n    image: postgres:13\n")
    m = system_map(tmp_path)
    assert [c.id for c in m.components] == ["db"]
    assert m.problems == (
        "compose files disagree on service `db`: image `postgres:16` in dev/docker-compose.yml, "
        "`postgres:13` in prod/docker-compose.yml",
    )


def test_address_pointing_nowhere_and_depends_on_a_missing_service(tmp_path: Path) -> None:
    _write(
        tmp_path,
        "docker-compose.yml",
        "services:\n  web:\n    image: nginx\n    environment:\n"
        "      SEARCH_HOST: search\n      FLAG: 'true'\n    depends_on: [ghost]\n",
    )
    m = system_map(tmp_path)
    ghost, search = m.component("ghost"), m.component("search")
    assert ghost is not None and ghost.colour == Colour.UNKNOWN
    assert search is not None and search.colour == Colour.UNKNOWN
    assert "true" not in {c.id for c in m.components}
    assert any("names `ghost`, which nothing defines" in p for p in m.problems)
    assert {p.component for p in m.probes} == {"ghost", "search"}


def test_two_thousand_services_still_map(tmp_path: Path) -> None:
    lines = ["services:"]
    for i in range(2000):
        lines += [
            f"  svc{i}:",
            "    image: example/app:1",
            "    environment:",
            f"      NEXT_ADDR: svc{(i + 1) % 2000}:8080",
        ]
    _write(tmp_path, "docker-compose.yml", "\n".join(lines) + "\n")
    started = time.perf_counter()
    m = system_map(tmp_path)
    assert len(m.components) == 2000 and len(m.flows) == 2000
    assert time.perf_counter() - started < 60  # a sanity bound, not a benchmark
