"""Run the container rule families (DKR, KUB, CMP, RUN) over a checked-out system and print every finding with
its root-cause group, for reading at the cited line. Usage: precision_containers.py DIR [DIR...]

The judged sample lives in bench/results/precision-containers.md; nothing fetched is committed.
"""

from __future__ import annotations

import sys
from collections import Counter
from pathlib import Path

from redline.checks.containers import checks
from redline.checks.interface import CheckContext, FileCheck, ProjectCheck
from redline.core.config import Config
from redline.core.facts import Facts
from redline.core.model import Finding
from redline.core.workspace import Workspace, read_file
from redline.sources.containers import file_sources, project_sources
from redline.sources.interface import ProjectContext, SourceError


def audit(root: Path) -> list[Finding]:
    walk = Workspace(root, max_file_size=10 * 1024 * 1024).walk()
    facts: list[object] = []
    for file in walk.files:
        for source in file_sources():
            if source.wants(file):
                try:
                    fact = source.parse(read_file(file))
                except SourceError:
                    continue
                if fact is not None:
                    facts.append(fact)
    for project in project_sources():
        facts.extend(project.collect(ProjectContext(root, Config(), tuple(walk.files))).facts)
    cs = checks()
    ctx = CheckContext(root, Config(), frozenset(r.code for c in cs for r in c.rules))
    out: list[Finding] = []
    for check in cs:
        if isinstance(check, FileCheck):
            out += [f for fact in facts if isinstance(fact, check.fact_types) for f in check.check_file(fact, ctx)]
        elif isinstance(check, ProjectCheck):
            out += [f for f in check.check(Facts(facts), ctx) if isinstance(f, Finding)]
    return sorted(out, key=Finding.sort_key)


def main(argv: list[str]) -> int:
    for arg in argv:
        findings = audit(Path(arg))
        groups = Counter((f.rule, f.group or f.fingerprint) for f in findings)
        print(f"# {arg}: {len(findings)} findings, {len(groups)} root-cause items")
        for f in findings:
            print(
                f"{f.rule}\t{f.location.path}:{f.location.start_line}\t{f.severity}/{f.confidence}\t"
                f"group={f.group}\t{f.message}"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
