"""``redline init [PATH]``: write the starter configuration, CI jobs and PR template; never overwrite."""

from __future__ import annotations

import argparse
from pathlib import Path

from redline.cli import exit_codes
from redline.cli.common import UsageError


def register(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = sub.add_parser("init", help="write redline.toml, CI workflows and a PR template (never overwrites)")
    p.add_argument("path", nargs="?", type=Path, default=Path("."), help="the project (default: .)")
    p.set_defaults(func=run, verbose=0, quiet=False)


def run(args: argparse.Namespace) -> int:
    from redline.cli.scaffold import FILES

    root: Path = args.path
    if not root.is_dir():
        raise UsageError(f"{root}: not a directory")
    for rel, content, what in FILES:
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            with target.open("x", encoding="utf-8") as fh:  # "x": fails rather than overwrite, even in a race
                fh.write(content)
        except FileExistsError:
            print(f"  kept    {rel} (exists; not overwritten)")
            continue
        except OSError as exc:
            raise UsageError(f"{target}: cannot write: {exc.strerror}") from None
        print(f"  wrote   {rel}: {what}")
    return exit_codes.OK
