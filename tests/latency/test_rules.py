"""LAT101-LAT131 over the fixture application: the exact lines of the true positives; the look-alikes
(prefetched relations, queries that do not use the loop variable, pipelines, writes, awaits that use the
previous result, loops that carry a cursor or stop early, own services) stay silent."""

from __future__ import annotations

from pathlib import Path

import pytest

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck
from redline.checks.latency.offline import runs_by_hand
from redline.core.model import Finding

FIXTURES = Path(__file__).parent / "fixtures" / "app"


def findings(root: Path = FIXTURES) -> list[Finding]:
    found: list[Finding] = findings_of(root, LatencyCheck())
    return found


def test_each_rule_fires_exactly_at_its_lines() -> None:
    got = sorted((f.rule, f.location.path, f.location.start_line) for f in findings())
    assert got == [
        ("LAT101", "orm_peewee.py", 17),
        ("LAT101", "orm_sqla.py", 35),
        ("LAT101", "orm_sqla.py", 58),  # through customer_by_id's filter(Customer.id == customer_id)
        ("LAT101", "shop/cleanup.py", 22),  # iterated; lines 8 and 16 are only a subquery and a delete
        ("LAT101", "shop/cleanup.py", 29),  # read by .exists()
        ("LAT101", "shop/cleanup.py", 36),  # handed over to list()
        ("LAT101", "shop/cleanup.py", 42),  # values() read; the values_list() chain on its line is only deleted
        ("LAT101", "shop/cleanup.py", 51),  # read by first(); the Exists and __in subqueries (48, 50) run inside theirs
        ("LAT101", "shop/cleanup.py", 68),  # the caller's data under a constant's name; line 62 loops over the constant
        ("LAT101", "shop/cleanup.py", 82),  # stored under the key of another mapping than the one checked
        ("LAT101", "shop/cleanup.py", 83),  # stored, never checked first; 77 and 79 run once per distinct key
        # nothing stored under the key; line 90's branch (``if not k in types:``, then ``types[k] = ...``) runs
        # once per distinct key, its query assigned to a local first
        ("LAT101", "shop/cleanup.py", 93),
        ("LAT101", "shop/jobs.py", 53),  # a Celery task called directly runs here; huey's (48-50) only enqueue
        ("LAT101", "shop/jobs.py", 54),  # a plain helper
        ("LAT101", "shop/locks.py", 17),  # a chain over lines without a lock; line 10 locks its row
        ("LAT101", "shop/reports.py", 23),  # through author_name (shop/pricing.py)
        ("LAT101", "shop/reports.py", 25),  # through byline -> author_name
        ("LAT101", "shop/reports.py", 43),  # through self.label -> author_name
        ("LAT101", "shop/reports.py", 47),  # a method of the iterated model (Book.shelf_mates) that queries
        # shelf_warning queries when shelf is given; not line 55: overlap_warning's query is the branch its
        # ``overlaps`` parameter's None takes, and the loop passes it (pretalx's bulk get_talk_warnings)
        ("LAT101", "shop/reports.py", 56),
        ("LAT101", "shop/views.py", 34),
        ("LAT101", "shop/views.py", 112),  # not 108: a list the function writes out runs a fixed count
        ("LAT102", "orm_peewee.py", 14),
        ("LAT102", "orm_sqla.py", 24),
        ("LAT102", "shop/retag.py", 13),  # not 7: a related manager only written (tags.add) loads nothing
        ("LAT102", "shop/views.py", 9),
        ("LAT102", "shop/views.py", 22),
        ("LAT102", "shop/views.py", 57),
        ("LAT102", "shop/views.py", 70),
        ("LAT103", "shop/templates/shop/books.html", 3),  # book.author; `loaded` and `authors` are loaded
        ("LAT103", "shop/templates/shop/books.html", 4),  # book.tags.all in the inner loop
        ("LAT104", "per_item.py", 14),
        ("LAT104", "shop/reports.py", 26),  # through shelf_count's cursor
        ("LAT105", "per_item.py", 23),
        ("LAT106", "per_item.py", 33),
        ("LAT106", "per_item.py", 34),
        ("LAT111", "async_code.py", 11),
        ("LAT111", "async_code.py", 12),
        ("LAT111", "async_code.py", 13),
        ("LAT111", "async_code.py", 14),
        ("LAT121", "async_code.py", 27),
        ("LAT122", "async_code.py", 37),
        ("LAT131", "handlers.py", 11),
        ("LAT131", "handlers.py", 20),
    ]


def test_findings_say_what_and_how_to_fix() -> None:
    by_line = {(f.rule, f.location.path, f.location.start_line): f for f in findings()}
    fk = by_line[("LAT102", "shop/views.py", 9)]
    assert (fk.evidence["model"], fk.evidence["relation"]) == ("Book", "author")
    assert 'select_related("author")' in fk.remediation
    serial = by_line[("LAT121", "async_code.py", 27)]
    assert serial.evidence["lines"] == "27, 28, 29"  # the fourth await reads the third one's result
    assert serial.location.end_line == 29
    route = by_line[("LAT131", "handlers.py", 11)]
    assert (route.evidence["route"], route.evidence["host"]) == ("POST /checkout", "api.stripe.com")
    assert by_line[("LAT105", "per_item.py", 23)].evidence["command"] == "get"
    helper = by_line[("LAT101", "shop/reports.py", 25)]
    assert helper.evidence["helper"] == "byline (shop/pricing.py:13)"
    assert (helper.evidence["query"], helper.evidence["query_at"]) == ("Author.objects.get", "shop/pricing.py:10")
    assert helper.evidence["via"] == "author_name (shop/pricing.py:9)"
    assert "`byline`" in helper.remediation
    page = by_line[("LAT103", "shop/templates/shop/books.html", 3)]
    assert page.evidence["view"] == "shop/views.py:89"
    assert 'select_related("author")' in page.remediation
    assert all(f.remediation for f in by_line.values())


@pytest.mark.parametrize(
    ("url", "host"),
    [
        ("https://api.stripe.com/v1/charges", "api.stripe.com"),
        ("http://inventory:8000/stock", None),  # a single-label service name: one of the system's own
        ("http://billing.internal/api", None),
        ("http://users.default.svc.cluster.local/api", None),
        ("http://10.0.3.7/api", None),
        ("http://localhost:8080/", None),
        ("https://{host}/api", None),
        ("http://8.8.8.8/dns", "8.8.8.8"),
    ],
)
def test_which_hosts_are_third_parties(url: str, host: str | None) -> None:
    from redline.checks.latency.handlers import third_party_host

    assert third_party_host(url) == host


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("saleor/core/management/commands/cleardb.py", "management command"),
        ("shop/management/commands/resetdemo.py", "management command"),
        ("shop/migrations/0002_fill_titles.py", "migration"),
        ("dojo/db_migrations/0049_create_endpoint_status.py", "migration"),  # DefectDojo's MIGRATION_MODULES
        ("dojo/db_migrations/helpers.py", ""),  # not numbered
        ("awx/main/migrations/_dab_rbac.py", "migration"),  # a helper the migrations call (Django skips `_` names)
        ("awx/main/migrations/__init__.py", ""),
        ("dojo/migrationsx/0001_x.py", ""),  # a folder that only starts alike
        ("alembic/versions/a1b2c3_add_index.py", ""),  # a hash-named revision: not told from the name
        ("alembic/versions/001_add_index.py", "migration"),
        ("shop/management/views.py", ""),
        ("shop/commands/handlers.py", ""),  # a command bus in the app, not a management command
        ("shop/views.py", ""),
    ],
)
def test_management_commands_and_migrations_run_by_hand(path: str, expected: str) -> None:
    assert runs_by_hand(path) == expected
