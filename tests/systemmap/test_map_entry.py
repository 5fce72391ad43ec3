"""Components built from one context run different code: each gets the flows of the modules its command
reaches (compose command, else the Dockerfile's ENTRYPOINT/CMD), imports followed."""

from __future__ import annotations

from pathlib import Path

import pytest

from redline.synthesis.map.entry import entry_modules

from .helpers import system_map


@pytest.mark.parametrize(
    ("words", "modules"),
    [
        (["python", "-m", "app.consumer"], ["app.consumer"]),
        (["gunicorn", "--workers", "2", "--bind", "0.0.0.0:8000", "app.wsgi:app"], ["app.wsgi"]),
        (["uvicorn", "main:create_app()", "--port", "80"], ["main"]),
        (["celery", "-A", "app.tasks", "beat"], ["app.tasks"]),
        (["flask", "--app=web:app", "run"], ["web"]),
        (["/usr/local/bin/tini", "--", "python", "manage.py", "runserver"], ["manage.py"]),
        (["sleep", "infinity"], []),
        (["redis-server", "--port", "6379"], []),
    ],
)
def test_entry_modules(words: list[str], modules: list[str]) -> None:
    assert entry_modules(words) == modules


def _shared_context(root: Path) -> Path:
    (root / "app").mkdir(parents=True)
    (root / "Dockerfile").write_text(
        'FROM python:3.12-slim\nCMD ["gunicorn", "--bind", "0.0.0.0:80", "app.wsgi:app"]\n'
    )
    (root / "docker-compose.yml").write_text(
        "services:\n"
        "  web:\n    build: .\n    ports: ['80:80']\n"
        "  worker:\n    build: .\n    command: python -m app.consumer\n"
        "  beat:\n    build: .\n    command: [celery, -A, app.tasks, beat]\n"
        "  shell:\n    build: .\n    command: sleep infinity\n"
        "  cache:\n    image: redis:7\n  mq:\n    image: rabbitmq:3.13\n  db:\n    image: postgres:16\n"
    )
    files = {
        "__init__.py": "",
        "wsgi.py": "from app.views import app\n",
        "views.py": "import redis\n\napp = object()\nclient = redis.Redis(host='cache')\n",
        "consumer.py": (
            "import pika\n\nfrom app.db import connect\n\npika.BlockingConnection(pika.ConnectionParameters('mq'))\n"
        ),
        "db.py": "import psycopg\n\n\ndef connect():\n    return psycopg.connect('dbname=app host=db')\n",
        "tasks.py": "import stripe\n\n\ndef charge():\n    stripe.Charge.create(amount=1)\n",
    }
    for name, text in files.items():
        (root / "app" / name).write_text(text)
    return root


def test_each_component_gets_the_flows_of_the_code_it_runs(tmp_path: Path) -> None:
    m = system_map(_shared_context(tmp_path))
    got = sorted((f.source, f.target, str(f.seen[0])) for f in m.flows if f.source != "internet")
    assert got == [
        ("beat", "stripe", "app/tasks.py:5"),
        # `sleep infinity` names no module: the shell may run any file of the context
        ("shell", "cache", "app/views.py:4"),
        ("shell", "db", "app/db.py:5"),
        ("shell", "mq", "app/consumer.py:5"),
        ("shell", "stripe", "app/tasks.py:5"),
        ("web", "cache", "app/views.py:4"),  # Dockerfile CMD: gunicorn app.wsgi:app -> app.views
        ("worker", "db", "app/db.py:5"),  # python -m app.consumer -> app.db
        ("worker", "mq", "app/consumer.py:5"),
    ]


def test_django_loads_apps_by_name_so_every_file_counts(tmp_path: Path) -> None:
    root = _shared_context(tmp_path)
    (root / "app" / "wsgi.py").write_text("from django.core.wsgi import get_wsgi_application\n\napp = 1\n")
    m = system_map(root)
    web = sorted(f.target for f in m.flows if f.source == "web")
    assert web == ["cache", "db", "mq", "stripe"]  # settings and INSTALLED_APPS are no import chain
