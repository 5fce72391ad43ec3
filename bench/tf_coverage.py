"""Terraform coverage against checkov: of checkov's failures in the check families redline also has, the
share redline reports on the same resource; and redline's findings checkov has no failure for.

A checkov check is "in a shared family" when it is mapped below to the redline rules that judge the same
thing (CMK-only checks, logging/monitoring/tagging hygiene and port 80 are families redline deliberately does
not have, and are left out). A checkov failure (check, file, resource) counts as covered when redline reports
one of the mapped rules on that resource (instance keys folded on both sides).

Usage: python bench/tf_coverage.py DIR [--redline-json FILE] [--checkov-json FILE]
(without the JSON files it runs both tools: checkov from bench/.work/checkov-venv, as iac_bench.py installs it).
"""

from __future__ import annotations

import argparse
import json
import re
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _common import REPO, WORK

_NET = frozenset({"TF101", "TF102"})
_IAM = frozenset({"TF105", "TF106", "TF107"})
#: checkov check id -> the redline rules of the same family
FAMILIES: dict[str, frozenset[str]] = {
    # open ingress (port 80 checks left out: redline does not report web ports by design)
    **dict.fromkeys(
        [
            "CKV_AWS_24",
            "CKV_AWS_25",
            "CKV_AWS_277",
            "CKV_GCP_2",
            "CKV_GCP_3",
            "CKV_GCP_75",
            "CKV_GCP_77",
            "CKV_GCP_88",
            "CKV_AZURE_9",
            "CKV_AZURE_10",
            "CKV_AZURE_77",
            "CKV_ALI_2",
            "CKV_ALI_3",
            "CKV_OCI_19",
            "CKV_OCI_20",
            "CKV_OCI_21",
            "CKV_OCI_22",
        ],
        _NET,
    ),
    **dict.fromkeys(["CKV_AWS_17", "CKV_GCP_11", "CKV_AZURE_11", "CKV_ALI_9"], frozenset({"TF104"})),
    **dict.fromkeys(
        [
            "CKV_AWS_1",
            "CKV_AWS_62",
            "CKV_AWS_63",
            "CKV_AWS_355",
            "CKV_AWS_356",
            "CKV_AWS_290",
            "CKV_AWS_111",
            "CKV_AWS_289",
            "CKV_AWS_109",
            "CKV_AWS_286",
            "CKV_AWS_287",
            "CKV_AWS_110",
            "CKV_AWS_107",
            "CKV_AWS_108",
        ],
        _IAM,
    ),
    **dict.fromkeys(
        [
            "CKV_AWS_20",
            "CKV_AWS_57",
            "CKV_AWS_70",
            "CKV_GCP_28",
            "CKV_GCP_15",
            "CKV_AZURE_34",
            "CKV_ALI_1",
            "CKV_OCI_10",
        ],
        frozenset({"TF109"}),
    ),
    **dict.fromkeys(["CKV2_AWS_6", "CKV_AWS_53", "CKV_AWS_54", "CKV_AWS_55", "CKV_AWS_56"], frozenset({"TF110"})),
    **dict.fromkeys(
        [
            "CKV_AWS_3",
            "CKV_AWS_8",
            "CKV_AWS_16",
            "CKV_AWS_96",
            "CKV_AWS_44",
            "CKV_AWS_279",
            "CKV_AWS_42",
            "CKV_AWS_64",
            "CKV_AWS_29",
            "CKV_AWS_27",
            "CKV_AWS_26",
            "CKV_AWS_19",
            "CKV_AWS_5",
            "CKV_ALI_15",
            "CKV_ALI_22",
        ],
        frozenset({"TF111"}),
    ),
    **dict.fromkeys(["CKV_AWS_2", "CKV_AWS_376"], frozenset({"TF112"})),
    **dict.fromkeys(
        ["CKV_AWS_103", "CKV_AWS_174", "CKV_AWS_228", "CKV_AZURE_44", "CKV_AZURE_52", "CKV_AZURE_54", "CKV_AZURE_147"],
        frozenset({"TF113"}),
    ),
    "CKV_AWS_157": frozenset({"TF114"}),
    **dict.fromkeys(["CKV_AWS_133", "CKV_GCP_14", "CKV_AWS_28"], frozenset({"TF115"})),
    "CKV2_AWS_61": frozenset({"TF116"}),
    "CKV_AWS_66": frozenset({"TF117"}),
    **dict.fromkeys(["CKV_AWS_41"], frozenset({"TF120"})),
    **dict.fromkeys(["CKV_AZURE_113", "CKV_AZURE_53", "CKV_AZURE_68"], frozenset({"TF121"})),
    **dict.fromkeys(
        ["CKV_AZURE_23", "CKV_AZURE_24", "CKV_AZURE_25", "CKV_AZURE_127", "CKV_AZURE_128"], frozenset({"TF122"})
    ),
    **dict.fromkeys(["CKV2_AZURE_7", "CKV2_AZURE_27"], frozenset({"TF123"})),
    **dict.fromkeys(["CKV_AZURE_28", "CKV_AZURE_29", "CKV_GCP_6", "CKV_ALI_20"], frozenset({"TF124"})),
    "CKV_AZURE_3": frozenset({"TF125"}),
    **dict.fromkeys(["CKV_AZURE_35", "CKV_AZURE_59", "CKV_AZURE_190", "CKV2_AZURE_47"], frozenset({"TF126"})),
    **dict.fromkeys(["CKV_AZURE_42", "CKV_AZURE_110"], frozenset({"TF127"})),
    **dict.fromkeys(["CKV_AZURE_109", "CKV_AZURE_189"], frozenset({"TF128"})),
    **dict.fromkeys(["CKV_AZURE_5", "CKV_AZURE_141", "CKV_GCP_7", "CKV_GCP_13", "CKV_GCP_19"], frozenset({"TF129"})),
    **dict.fromkeys(["CKV_AZURE_6", "CKV_AZURE_115", "CKV_GCP_18", "CKV_AWS_38", "CKV_AWS_39"], frozenset({"TF130"})),
    **dict.fromkeys(["CKV_AZURE_7", "CKV_GCP_12"], frozenset({"TF131"})),
    **dict.fromkeys(["CKV_GCP_95", "CKV_GCP_97", "CKV_AWS_30", "CKV_AWS_31"], frozenset({"TF133"})),
    **dict.fromkeys(["CKV_AWS_6", "CKV_AWS_83"], frozenset({"TF134"})),
    **dict.fromkeys(["CKV_AWS_137", "CKV_AWS_283"], frozenset({"TF135"})),
    "CKV_AWS_258": frozenset({"TF136"}),
    "CKV_AWS_116": frozenset({"TF137"}),
    "CKV_AWS_115": frozenset({"TF138"}),
    "CKV_AWS_50": frozenset({"TF139"}),
    "CKV_AWS_45": frozenset({"TF140"}),
    **dict.fromkeys(["CKV_AWS_60", "CKV_AWS_61"], frozenset({"TF141"})),
    "CKV_GCP_35": frozenset({"TF142"}),
    "CKV_GCP_41": frozenset({"TF143"}),
}
_INSTANCE = re.compile(r'\[(?:\d+|"[^"]*")\]')


def _key(path: str, resource: str) -> tuple[str, str]:
    """(file, address), instance keys folded; checkov names a provider ``aws.x``, redline ``provider.aws.x``."""
    return path.strip("/"), _INSTANCE.sub("", resource).removeprefix("provider.")


def run_checkov(root: Path) -> list[dict]:
    exe = WORK / "checkov-venv" / "bin" / "checkov"
    out = subprocess.run(
        [
            str(exe),
            "-d",
            str(root),
            "--framework",
            "terraform",
            "--quiet",
            "--compact",
            "-o",
            "json",
            "--skip-download",
        ],
        capture_output=True,
        text=True,
        check=False,
    ).stdout
    data = json.loads(out)
    parts = data if isinstance(data, list) else [data]
    return [f for p in parts for f in p["results"]["failed_checks"]]


def run_redline(root: Path) -> list[dict]:
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run(
            [
                str(REPO / ".venv" / "bin" / "redline"),
                "audit",
                str(root),
                "--out",
                tmp,
                "--quiet",
                "--exit-zero",
                "--format",
                "json",
                "--select",
                "TF",
            ],
            check=True,
            capture_output=True,
        )
        return list(json.loads((Path(tmp) / "findings.json").read_text())["findings"])


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("root", type=Path)
    ap.add_argument("--redline-json", type=Path)
    ap.add_argument("--checkov-json", type=Path)
    args = ap.parse_args()
    ckv = run_checkov(args.root)
    red = run_redline(args.root)
    reported: dict[tuple[str, str], set[str]] = {}
    for f in red:
        reported.setdefault(_key(f["location"]["path"], f["location"]["resource"]), set()).add(f["rule"])
    shared = [f for f in ckv if f["check_id"] in FAMILIES]
    covered = [f for f in shared if FAMILIES[f["check_id"]] & reported.get(_key(f["file_path"], f["resource"]), set())]
    missed = Counter(f["check_id"] for f in shared if f not in covered)
    print(
        f"checkov failures {len(ckv)}, in shared families {len(shared)}, covered by redline {len(covered)} "
        f"= {100 * len(covered) / max(len(shared), 1):.0f} %"
    )
    print("missed by check:", dict(sorted(missed.items())))
    for f in shared:
        if f not in covered:
            print(f"  MISSED {f['check_id']:14} {f['file_path']}:{f['resource']}  {f['check_name']}")
    ckv_keys: dict[tuple[str, str], set[str]] = {}
    for f in ckv:
        ckv_keys.setdefault(_key(f["file_path"], f["resource"]), set()).add(f["check_id"])
    print("redline findings with no checkov failure of the same family on the resource:")
    for f in red:
        key = _key(f["location"]["path"], f["location"]["resource"])
        if not any(f["rule"] in FAMILIES.get(c, frozenset()) for c in ckv_keys.get(key, set())):
            print(f"  EXTRA {f['rule']} {f['location']['path']}:{f['location']['start_line']} {f['message'][:130]}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
