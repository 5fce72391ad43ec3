"""Typed evidence: immutable, hashable, JSON values in, JSON values out."""

from __future__ import annotations

import json
import pickle

import pytest

from redline.core.evidence import EMPTY, Evidence
from redline.core.model import Finding, Location, Severity


def test_values_are_frozen_and_read_back_typed() -> None:
    ev = Evidence(
        {
            "ids": ["CVE-1", "GHSA-2"],
            "epss": {"probability": 0.5, "cve": "CVE-1"},
            "direct": True,
            "blobs": 2,
            "upgrade": None,
        }
    )
    assert ev["ids"] == ("CVE-1", "GHSA-2")
    assert ev.nested("epss") == Evidence({"cve": "CVE-1", "probability": 0.5})
    assert ev.nested("epss").number("probability") == 0.5
    assert ev.number("direct") is None and ev.number("blobs") == 2.0
    assert ev.strings("ids") == ("CVE-1", "GHSA-2") and ev.text("ids") == ""
    assert ev.nested("absent") is EMPTY
    with pytest.raises(AttributeError):
        setattr(ev, "_items", {})  # noqa: B010 - the point: no attribute can be set


def test_equal_evidence_hashes_alike_and_round_trips() -> None:
    a = Evidence({"port": 22, "profiles": ("debug",)})
    b = Evidence({"profiles": ["debug"], "port": 22})
    assert a == b and hash(a) == hash(b)
    assert pickle.loads(pickle.dumps(a)) == a
    assert json.loads(json.dumps(a.to_json())) == {"port": 22, "profiles": ["debug"]}
    assert list(a.with_values({"port": 23, "x": "y"}).items()) == [("port", 23), ("profiles", ("debug",)), ("x", "y")]
    assert a.without("port") == Evidence({"profiles": ("debug",)})


def test_one_form_only() -> None:
    with pytest.raises(TypeError, match="mapping"):
        Evidence((("port", "22"),))  # type: ignore[arg-type]
    with pytest.raises(TypeError, match="not a JSON value"):
        Evidence({"when": object()})  # type: ignore[dict-item]
    with pytest.raises(TypeError, match="must be Evidence"):
        Finding("X100", "m", Severity.LOW, Location("a"), evidence={"a": "b"})  # type: ignore[arg-type]


def test_findings_with_equal_evidence_are_equal_and_hash_alike() -> None:
    one = Finding("X100", "m", Severity.LOW, Location("a"), evidence=Evidence({"k": ("v",)}))
    two = Finding("X100", "m", Severity.LOW, Location("a"), evidence=Evidence({"k": ["v"]}))
    assert one == two and len({one, two}) == 1
