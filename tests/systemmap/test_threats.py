"""The threat model: STRIDE per element, concrete threats from facts, the register and [[accept]]."""

from __future__ import annotations

import csv
import io
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from redline.core.config import ConfigError, load_config
from redline.core.result import AuditResult
from redline.core.threat_model import ControlState, Stride, ThreatModel, ThreatStatus
from redline.report.system_map import ThreatsCsvReporter
from redline.synthesis.map.settings import ACCEPT_SECTION, THREATS_SECTION, Acceptances, ThreatSettings
from redline.synthesis.map.step import MapStep

from .helpers import FIXTURES, audit

ROOT = FIXTURES / "map_small"


def _config_text(extra: str = "") -> str:
    return (
        '[threats]\napprovers = ["vp-eng@acme.example"]\nas_of = "2026-01-01"\n[threats.sla_days]\nhigh = 14\n' + extra
    )


def _run(tmp_path: Path, text: str) -> AuditResult:
    cfg = tmp_path / "redline.toml"
    cfg.write_text(text)
    config = load_config(cfg, MapStep.config_sections)
    return audit(ROOT, replace(config, jobs=1))


def _model(result: AuditResult) -> ThreatModel:
    assert result.threats is not None
    return result.threats


def test_stride_per_element_type(tmp_path: Path) -> None:
    model = _model(_run(tmp_path, _config_text()))
    cats = {e: (t, "".join(c)) for e, t, c in model.elements}
    assert cats["api"] == ("process", "STRIDE")
    assert cats["db"] == ("data-store", "TRID")
    assert cats["stripe"] == ("external-entity", "SR")
    assert cats["api -> db"] == ("flow", "TID")


def test_concrete_threats_with_control_evidence_and_deadline(tmp_path: Path) -> None:
    model = _model(_run(tmp_path, _config_text()))
    got = {
        (
            t.element,
            str(t.category),
            str(t.control_state),
            str(t.status),
            t.severity,
            t.deadline.isoformat() if t.deadline else None,
        )
        for t in model.threats
    }
    assert got == {
        ("db", "S", "missing", "open", "high", "2026-01-15"),  # published 5432, [threats.sla_days] high = 14
        ("db", "E", "missing", "open", "high", "2026-01-15"),
        ("api -> stripe", "T", "detected", "mitigated", "medium", None),  # https
        ("api -> stripe", "I", "detected", "mitigated", "medium", None),
        ("worker -> broker.internal.example.net", "T", "detected", "mitigated", "medium", None),  # amqps
        ("worker -> broker.internal.example.net", "I", "detected", "mitigated", "medium", None),
    }
    spoof = next(t for t in model.threats if t.element == "db" and t.category == Stride.SPOOFING)
    assert [str(s) for s in spoof.evidence] == ["docker-compose.yml:23"]
    assert spoof.owner == "@acme/platform" and spoof.control_state == ControlState.MISSING
    assert spoof.findings  # the CMP104 finding on db is behind it
    again = _model(_run(tmp_path, _config_text()))
    assert spoof.id in {t.id for t in again.threats}  # stable across runs
    assert spoof.id == "TM-S-" + spoof.id.removeprefix("TM-S-") and len(spoof.id) == 15


def _accept(threat: str, **fields: str) -> str:
    body = "".join(f'{k} = "{v}"\n' for k, v in fields.items())
    return f'[[accept]]\nthreat = "{threat}"\n{body}'


def test_acceptances_are_validated_and_named(tmp_path: Path) -> None:
    first = _model(_run(tmp_path, _config_text()))
    spoof = next(t for t in first.threats if t.element == "db" and t.category == Stride.SPOOFING)
    elev = next(t for t in first.threats if t.element == "db" and t.category == Stride.ELEVATION_OF_PRIVILEGE)
    text = _config_text(
        _accept(
            spoof.id,
            reason="dev only",
            approved_by="vp-eng@acme.example",
            approved_on="2025-12-01",
            expires="2026-06-30",
        )
        + _accept(elev.id, reason="later", approved_by="intern@acme.example", expires="2026-06-30")
        + _accept(elev.id, reason="later", approved_by="vp-eng@acme.example", expires="2025-06-30")
        + _accept(elev.id, reason="later", approved_by="vp-eng@acme.example")
        + _accept(elev.id, reason="later", expires="2026-06-30")
    )
    result = _run(tmp_path, text)
    model = _model(result)
    by_id = {t.id: t for t in model.threats}
    notices = [e for e in result.errors if e.where.endswith("redline.toml: [[accept]]")]
    assert [e.reason for e in notices] == sorted(model.rejected) and not any(e.fatal for e in notices)
    assert by_id[spoof.id].status == ThreatStatus.ACCEPTED and by_id[spoof.id].deadline is None
    assert "approved by vp-eng@acme.example on 2025-12-01, expires 2026-06-30" in by_id[spoof.id].acceptance
    assert by_id[elev.id].status == ThreatStatus.OPEN
    assert [r.split(":")[0] for r in model.rejected] == [f"[[accept]] entry {i} ({elev.id})" for i in (2, 3, 4, 5)]
    assert "not in [threats] approvers" in model.rejected[0]
    assert "expired on 2025-06-30" in model.rejected[1]
    assert "no expires date" in model.rejected[2]
    assert "no approved_by" in model.rejected[3]


def test_bad_accept_entries_fail_at_load_naming_the_entry(tmp_path: Path) -> None:
    cfg = tmp_path / "redline.toml"
    cfg.write_text('[[accept]]\nreason = "x"\n')
    with pytest.raises(ConfigError, match=r"\[\[accept\]\] entry 1 names no `threat` or `finding` id"):
        load_config(cfg, MapStep.config_sections)
    cfg.write_text('[[accept]]\nthreat = "TM-S-1"\nexpires = "soon"\n')
    with pytest.raises(ConfigError, match="entry 1 expires must be a date"):
        load_config(cfg, MapStep.config_sections)
    cfg.write_text('[[accept]]\nthreat = "TM-S-1"\nwho = "me"\n')
    with pytest.raises(ConfigError, match=r"\[\[accept\]\] entry 1: .*'accept.who' is unknown"):
        load_config(cfg, MapStep.config_sections)
    cfg.write_text("[threats.sla_days]\nurgent = 1\n")
    with pytest.raises(ConfigError, match=r"sla_days\.urgent' is unknown"):
        load_config(cfg, MapStep.config_sections)


def test_defaults_and_the_register_csv(tmp_path: Path) -> None:
    assert THREATS_SECTION.defaults() == ThreatSettings({"critical": 7, "high": 30, "medium": 90, "low": 180})
    assert ACCEPT_SECTION.defaults() == Acceptances()
    result = _run(tmp_path, _config_text())
    rows = list(csv.DictReader(io.StringIO(ThreatsCsvReporter().render(result).decode())))
    assert [r["status"] for r in rows][:2] == ["open", "open"]
    assert {r["element"] for r in rows} == {"db", "api -> stripe", "worker -> broker.internal.example.net"}
    assert rows[0]["deadline"] == "2026-01-15" and rows[0]["owner"] == "@acme/platform"
    assert date.fromisoformat(rows[0]["deadline"]) > date(2026, 1, 1)
    assert ThreatsCsvReporter.COLUMNS[0] == "id"


def test_formula_cells_are_neutralised() -> None:
    from redline.report.system_map import _cell

    assert _cell("=HYPERLINK(1)") == "'=HYPERLINK(1)" and _cell("@SUM(A1)") == "'@SUM(A1)"
    assert _cell("@acme/platform, @acme/data") == "@acme/platform, @acme/data"
