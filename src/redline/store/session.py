"""Recording an audit result: which store, which scope, which branch and revision, and when.

Policy (documented in README): a run is recorded when ``--record`` or ``--store`` is given, or when the
configuration's ``[history]`` sets ``store`` (or ``record = true``); ``--no-record`` turns it off.
Without a configured store the history lives in ``.redline/history.db`` under the audited tree, which
the workspace walk never scans. A run with fatal tool errors is recorded as partial: an incomplete run
must not mark anything resolved.
"""

from __future__ import annotations

import os
import subprocess
import time
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from redline.core.config import Config
from redline.core.priority import HistoryView
from redline.core.result import AuditResult
from redline.store.engine import StoreError, open_store, safe_name, store_url
from redline.store.query import history_view
from redline.store.record import RunRecord, item_records, record_run
from redline.store.settings import DEFAULT_STORE_PATH, HISTORY_SECTION, HistorySettings

#: CI variables that name the branch and revision, tried before asking git
_BRANCH_VARS = ("GITHUB_HEAD_REF", "GITHUB_REF_NAME", "CI_COMMIT_REF_NAME", "BRANCH_NAME")
_REVISION_VARS = ("GITHUB_SHA", "CI_COMMIT_SHA", "GIT_COMMIT")


def store_spec(settings: HistorySettings, store: str | None) -> str:
    """The store to use: ``--store``, else ``[history] store``, else the default file."""
    return store or settings.store or DEFAULT_STORE_PATH


def scope_of(root: Path, select: tuple[str, ...] = (), ignore: tuple[str, ...] = ()) -> str:
    """What a run covered: the audited tree and the rule selection. Lifecycles are per scope, so a run of
    only the secret rules never resolves a Terraform finding."""
    scope = str(root.resolve())
    if select or ignore:
        scope += f" [select={','.join(sorted(select))};ignore={','.join(sorted(ignore))}]"
    return scope


def _git(root: Path, *args: str) -> str:
    try:
        out = subprocess.run(["git", "-C", str(root), *args], capture_output=True, text=True, timeout=10, check=False)
    except (OSError, subprocess.SubprocessError):
        return ""
    return out.stdout.strip() if out.returncode == 0 else ""


def branch_and_revision(root: Path) -> tuple[str, str]:
    branch = next((os.environ[v] for v in _BRANCH_VARS if os.environ.get(v)), "") or _git(
        root, "rev-parse", "--abbrev-ref", "HEAD"
    )
    revision = next((os.environ[v] for v in _REVISION_VARS if os.environ.get(v)), "") or _git(root, "rev-parse", "HEAD")
    return ("" if branch == "HEAD" else branch)[:255], revision[:64]


def run_record(
    result: AuditResult, scope: str, at: int | None = None, success: tuple[tuple[str, int], ...] = ()
) -> RunRecord:
    branch, revision = branch_and_revision(Path(result.root))
    return RunRecord(
        scope=scope,
        at=int(time.time()) if at is None else at,
        items=item_records(result.items, result.rules),
        full=not result.fatal_errors,
        branch=branch,
        revision=revision,
        success=success,
    )


def prior_view(config: Config, root: Path, spec: str, scope: str, now: int) -> HistoryView | None:
    """The history as scoring reads it before the run, or None when the store does not exist yet.
    Raises ``StoreError``."""
    url = store_url(spec, root)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return None
    engine = open_store(spec, root)
    try:
        return history_view(engine, scope, now, config.settings(HISTORY_SECTION))
    except SQLAlchemyError as exc:
        raise StoreError(f"history store {safe_name(url)}: cannot read: {type(exc).__name__}") from None
    finally:
        engine.dispose()


def record_result(
    result: AuditResult, spec: str, scope: str, at: int | None = None, success: tuple[tuple[str, int], ...] = ()
) -> tuple[int, str]:
    """Record ``result`` into the store ``spec`` (relative paths under the audited root) with the success
    criteria the run measured; returns the run id and the store's printable name. Raises ``StoreError``."""
    root = Path(result.root)
    name = safe_name(store_url(spec, root))
    engine = open_store(spec, root)
    try:
        record = run_record(result, scope, at, success)
        run_id = record_run(engine, record, result.config.settings(HISTORY_SECTION))
    except SQLAlchemyError as exc:
        raise StoreError(f"history store {name}: cannot record the run: {type(exc).__name__}") from None
    finally:
        engine.dispose()
    return run_id, name
