"""Functions Django runs on ``manage.py migrate`` (connected to ``post_migrate``/``pre_migrate``) serve no request:
ralph's ``create_permissions`` looks up permissions once per model on each migrate. Connected with ``@receiver`` or
``signal.connect(name)``, in the same module or another; a request-time signal (``post_save``) and a function of the
same name elsewhere keep their findings."""

from __future__ import annotations

from pathlib import Path

from audit_helpers import findings_of
from redline.checks.latency.check import LatencyCheck

MODELS = (
    "from django.db import models\n\n\nclass Permission(models.Model):\n    codename = models.CharField(max_length=9)\n"
)
LOOP = "    for name in sender.codenames:\n        Permission.objects.get_or_create(codename=name)\n"
PERMISSIONS = (
    "from django.db.models.signals import post_migrate, post_save, pre_migrate\n"
    "from django.dispatch import receiver\n"
    "from shop.models import Permission\n"
    "names = ['a', 'b']\n\n\n"
    "@receiver(post_migrate)\n"
    f"def create_permissions(sender, **kwargs):\n{LOOP}\n\n"  # lines 7-10: on migrate
    "def update_extra_permissions(sender, **kwargs):\n"  # line 13, connected at line 29
    f"{LOOP}\n\n"
    "@receiver(post_save, sender=Permission)\n"
    f"def on_save(sender, instance, **kwargs):\n{LOOP}\n\n"  # lines 19-22: every save
    "def sync(sender, **kwargs):\n"  # line 24: connected to post_save in apps.py
    f"{LOOP}\n\n"
    "post_migrate.connect(update_extra_permissions)\n"
    "pre_migrate.connect(signals_elsewhere)\n"  # a name the project does not define: nothing
)
APPS = (
    "from django.apps import AppConfig\n"
    "from django.db.models.signals import post_migrate, post_save\n\n\n"
    "class ShopConfig(AppConfig):\n"
    "    def ready(self):\n"
    "        from shop.tasks import refresh\n"
    "        from shop.permissions import sync\n"
    "        post_migrate.connect(refresh)\n"
    "        post_save.connect(sync)\n"
)
TASKS = "from shop.models import Permission\nnames = ['a']\n\n\ndef refresh(sender, **kwargs):\n" + LOOP
VIEWS = (
    "from shop.models import Permission\nnames = ['a']\n\n\n"
    "def update_extra_permissions(sender):\n" + LOOP  # the same name as the receiver, in a view: kept
)


def test_functions_connected_to_migrate_signals_run_on_deploy(tmp_path: Path) -> None:
    shop = tmp_path / "shop"
    shop.mkdir()
    for name, text in {
        "__init__.py": "",
        "models.py": MODELS,
        "permissions.py": PERMISSIONS,
        "apps.py": APPS,
        "tasks.py": TASKS,
        "views.py": VIEWS,
    }.items():
        (shop / name).write_text(text)
    got = sorted((f.rule, f.location.path, f.location.start_line) for f in findings_of(tmp_path, LatencyCheck()))
    assert got == [
        ("LAT101", "shop/permissions.py", 21),  # post_save: on every save
        ("LAT101", "shop/permissions.py", 26),  # sync, connected to post_save
        ("LAT101", "shop/views.py", 7),  # shares the receiver's name, in another module: not the one connected
    ]
