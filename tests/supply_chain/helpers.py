"""Run the real audit pipeline over a small tree with the session's vulnerability database."""

from __future__ import annotations

from pathlib import Path

from redline.core.config import load_config
from redline.core.result import AuditResult
from redline.pipeline.catalogue import load_catalogue
from redline.pipeline.run import AuditRequest, run_audit


def write_tree(root: Path, files: dict[str, str]) -> Path:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def audit(root: Path, db_dir: Path | None, *, select: tuple[str, ...] = ("VUL", "DEP", "LIC"),
          extra_config: str = "") -> AuditResult:
    """Audit ``root`` with ``[supply_chain] db_dir`` pointing at ``db_dir`` (a missing dir when None)."""
    catalogue = load_catalogue(with_plugins=False)
    db = db_dir if db_dir is not None else root / "no-such-db"
    cfg = root / "redline.toml"
    cfg.write_text(f'formats = ["json", "cyclonedx"]\n[supply_chain]\ndb_dir = "{db.as_posix()}"\n{extra_config}',
                   encoding="utf-8")
    config = load_config(cfg, catalogue.sections)
    req = AuditRequest(root=root, config=config, checks=catalogue.checks, file_sources=catalogue.file_sources,
                       project_sources=catalogue.project_sources, steps=catalogue.steps, select=select)
    return run_audit(req)
