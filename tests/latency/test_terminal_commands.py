"""Functions Click makes commands (``@click.command``, a group's ``@storage.command(...)``, ``@click.option``) run
from a terminal, like Django's management commands: ckan's ``ckan file scan`` looks each stored file up in the
database, one query per file, which no request waits on. A helper the command calls, a function of the same module
without a Click decorator, and a module that does not import Click keep their findings."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

MODELS = "from django.db import models\n\n\nclass File(models.Model):\n    name = models.CharField(max_length=9)\n"
LOOP = "    for name in read_names():\n        File.objects.get(name=name)\n"
CLI = (
    "import click\n"  # 1
    "from shop.models import File\n"
    "from shop.io import read_names\n\n\n"
    "@click.group()\n"  # 6
    "def storage():\n    pass\n\n\n"
    '@storage.command("scan")\n'  # 11
    '@click.option("--verbose", is_flag=True)\n'
    f"def scan(verbose):\n{LOOP}\n\n"  # 13-15
    "@click.command()\n"  # 18
    f"def check():\n{LOOP}\n\n"  # 19-21
    f"def helper():\n{LOOP}"  # 24-26: not a command
)
VIEWS = (
    "from shop.models import File\nfrom shop.io import read_names\n\n\n"
    "def scan(request):\n" + LOOP  # the same name in a module without Click: kept
)


def test_click_commands_run_from_a_terminal(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    for name, text in {"__init__.py": "", "models.py": MODELS, "cli.py": CLI, "views.py": VIEWS}.items():
        (shop / name).write_text(text)
    found = findings_of(tmp_path, LatencyCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("LAT101", "shop/cli.py", 26),
        ("LAT101", "shop/views.py", 7),
    ]
