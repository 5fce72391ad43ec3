"""A Django queryset OR-ed into one per loop item runs once, after the loop: pontoon's ``latest_activity`` builds
``translations |= Translation.objects.filter(...)`` for each translated resource, then iterates ``translations``
(one query). Still reported: a filter evaluated per item, a combined queryset the loop itself counts, and a
combination bound to a new name each time (``qs = qs | ...``, read per item)."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

MODELS = (
    "from django.db import models\n\n\n"
    "class Translation(models.Model):\n    date = models.DateTimeField()\n    locale = models.CharField(max_length=9)\n"
)
TAGS = """from django.db.models import Q

from shop.models import Translation


def latest_activity(resources):
    translations = Translation.objects.none()
    for tr in resources:
        translations |= Translation.objects.filter(Q(date=tr["date"], locale=tr["locale"])).prefetch_related("user")
    return [t.date for t in translations]


def counted(resources):
    translations = Translation.objects.none()
    for tr in resources:
        translations |= Translation.objects.filter(locale=tr["locale"])
        print(translations.count())
    return translations


def per_item(resources):
    found = []
    for tr in resources:
        found += list(Translation.objects.filter(locale=tr["locale"]))
    return found
"""


def test_a_queryset_combined_per_item_runs_once_after_the_loop(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    (shop / "__init__.py").write_text("")
    (shop / "models.py").write_text(MODELS)
    (shop / "tags.py").write_text(TAGS)
    found = findings_of(tmp_path, LatencyCheck())
    assert [(f.rule, f.location.path, f.location.start_line) for f in found] == [
        ("LAT101", "shop/tags.py", 16),
        ("LAT101", "shop/tags.py", 24),
    ]


def test_the_index_records_what_a_call_is_combined_into() -> None:
    """Since index format 58: ``x |= call`` and ``x &= call`` name ``x``; ``x += call`` and ``x = x | call`` do not."""
    from redline.core.workspace import FileText, SourceFile
    from redline.sources.code.source import CodeIndexSource

    text = "def f(a, b):\n    a |= g()\n    a &= h()\n    a += k()\n    b = b | m()\n"
    data = text.encode()
    index = CodeIndexSource().parse(FileText(SourceFile("m.py", "m.py", "python", len(data)), data, text))
    assert [(c.raw, c.combined_into) for c in index.calls] == [("g", "a"), ("h", "a"), ("k", None), ("m", None)]
