"""Run the real audit pipeline over a small tree with the session's vulnerability database."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import audit_catalogue
from redline.core.config import load_config
from redline.core.evidence import Evidence
from redline.core.model import Finding
from redline.core.result import AuditResult
from redline.pipeline.catalogue import load_catalogue


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def audit(
    root: Path, db_dir: Path | None, *, select: tuple[str, ...] = ("VUL", "DEP", "LIC"), extra_config: str = ""
) -> AuditResult:
    """Audit ``root`` with ``[supply_chain] db_dir`` pointing at ``db_dir`` (a missing dir when None)."""
    catalogue = load_catalogue(with_plugins=False)
    db = db_dir if db_dir is not None else root / "no-such-db"
    cfg = root / "redline.toml"
    cfg.write_text(
        f'formats = ["json", "cyclonedx"]\n[supply_chain]\ndb_dir = "{db.as_posix()}"\n{extra_config}', encoding="utf-8"
    )
    result: AuditResult = audit_catalogue(root, load_config(cfg, catalogue.sections), select)
    return result


def advisory_lines(finding: Finding) -> list[str]:
    """A VUL finding's advisory groups, one line each as the report words them:
    ``CVE-1 (GHSA-…, PYSEC-…), high: <flaw>; affected <range>; fixed in <v>``."""
    advisories = finding.evidence.get("advisories")
    lines = []
    for adv in advisories if isinstance(advisories, tuple) else ():
        assert isinstance(adv, Evidence)
        aliases = adv.strings("aliases")
        head = adv.text("id") + (f" ({', '.join(aliases)})" if aliases else "")
        fixed = adv.strings("fixed")
        fix = f"fixed in {', '.join(fixed)}" if fixed else "no fixed version published"
        platforms = adv.strings("platforms")
        where = f" (only on {', '.join(platforms)}: ranked low)" if platforms else ""
        lines.append(
            f"{head}, {adv.text('severity')}: {adv.text('flaw')}{where}; affected {adv.text('affected')}; {fix}"
        )
    return lines


def advisory_cvss(finding: Finding, ident: str) -> str:
    """``"<score> <vector>"`` of one advisory group of a VUL finding ("" when it has no CVSS)."""
    advisories = finding.evidence.get("advisories")
    for adv in advisories if isinstance(advisories, tuple) else ():
        if isinstance(adv, Evidence) and adv.text("id") == ident and adv.nested("cvss"):
            cvss = adv.nested("cvss")
            return f"{cvss.number('score')} {cvss.text('vector')}"
    return ""
