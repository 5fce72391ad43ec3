"""The gate's outcome as JUnit XML, for CI systems that show test reports: one test case per policy."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from redline.core.policy import Outcome, Verdict


def render_junit(outcomes: Sequence[Outcome]) -> bytes:
    failures = sum(o.verdict is Verdict.FAIL for o in outcomes)
    skipped = sum(o.verdict is Verdict.SKIP for o in outcomes)
    suite = ET.Element(
        "testsuite",
        name="redline gate",
        tests=str(len(outcomes)),
        failures=str(failures),
        errors="0",
        skipped=str(skipped),
    )
    for o in outcomes:
        case = ET.SubElement(suite, "testcase", classname="redline.gate", name=o.policy)
        if o.verdict is Verdict.FAIL:
            ET.SubElement(case, "failure", message=o.message, type="policy").text = o.message
        elif o.verdict is Verdict.SKIP:
            ET.SubElement(case, "skipped", message=o.message)
        else:
            ET.SubElement(case, "system-out").text = o.message
    root = ET.Element("testsuites", name="redline", tests=str(len(outcomes)), failures=str(failures))
    root.append(suite)
    ET.indent(root)
    data: bytes = ET.tostring(root, encoding="utf-8", xml_declaration=True)
    return data + b"\n"
