"""A corrupt gzip export is never read short or wrong: DuckDB does not check gzip's CRC-32 and length,
so redline checks them beside the scan (sources/cost/gzipcheck.py) and leaves the file not covered."""

from __future__ import annotations

import gzip
import random
import threading
from pathlib import Path

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.gzipcheck import verify
from redline.sources.cost.settings import CostSettings

from .exports import focus_row, write_focus


def _export(tmp_path: Path, rows: int) -> tuple[bytes, tuple[int, float]]:
    """The export's gzip bytes (fixed header time, so the flipped positions are the same every run) and
    the row count and total cost read from the plain file."""
    plain = write_focus(
        tmp_path / "plain.csv",
        [focus_row(float(i % 97), resource=f"i-{i % 13}", day=f"2024-09-{1 + i % 28:02d}") for i in range(rows)],
    )
    ds = load_dataset([plain], [], CostSettings())
    assert not ds.problems
    data = gzip.compress(plain.read_bytes(), mtime=0)
    plain.unlink()
    return data, (sum(f.rows for f in ds.files), round(sum(line.cost for line in ds.lines), 6))


def _read(path: Path) -> tuple[tuple[int, float], dict[str, str]]:
    ds = load_dataset([path], [], CostSettings())
    totals = (sum(f.rows for f in ds.files), round(sum(line.cost for line in ds.lines), 6))
    return totals, {Path(p).name: reason for p, reason in ds.problems}


def test_flipped_bits_are_never_read_silently_wrong(tmp_path: Path) -> None:
    """Forty single-bit flips inside the deflate data: each is either a problem naming the file or reads the
    very same totals. Without the CRC check two of these forty read other costs with no error."""
    data, expected = _export(tmp_path, 5000)
    rng = random.Random(1)
    bad = tmp_path / "flipped.csv.gz"
    for _ in range(40):
        flipped = bytearray(data)
        flipped[rng.randrange(20, len(data) - 8)] ^= 1 << rng.randrange(8)
        bad.write_bytes(bytes(flipped))
        totals, problems = _read(bad)
        if problems:
            assert problems["flipped.csv.gz"].startswith("corrupt or truncated gzip file (")
            assert totals == (0, 0.0)
        else:
            assert totals == expected


def test_wrong_crc_is_not_covered(tmp_path: Path) -> None:
    data, _ = _export(tmp_path, 2000)
    crc = bytearray(data)
    crc[-6] ^= 0xFF  # the member's CRC-32 (the last 8 bytes: CRC-32, then the length)
    bad = tmp_path / "crc.csv.gz"
    bad.write_bytes(bytes(crc))
    totals, problems = _read(bad)
    assert totals == (0, 0.0)
    assert "CRC check failed" in problems["crc.csv.gz"]


def test_cut_in_the_trailer_is_not_covered(tmp_path: Path) -> None:
    data, _ = _export(tmp_path, 2000)
    bad = tmp_path / "cut.csv.gz"
    bad.write_bytes(data[:-3])  # every row is there; only the length field is cut
    totals, problems = _read(bad)
    assert totals == (0, 0.0)
    assert problems["cut.csv.gz"].startswith("corrupt or truncated gzip file")


def test_whole_and_multi_member_files_pass(tmp_path: Path) -> None:
    data, expected = _export(tmp_path, 2000)
    whole = tmp_path / "whole.csv.gz"
    whole.write_bytes(data)
    assert verify(whole) is None
    assert _read(whole) == (expected, {})
    text = gzip.decompress(data)
    cut = text.index(b"\n", len(text) // 2) + 1  # two gzip members, as `cat a.gz b.gz` makes
    members = tmp_path / "members.csv.gz"
    members.write_bytes(gzip.compress(text[:cut], mtime=0) + gzip.compress(text[cut:], mtime=0))
    assert verify(members) is None
    assert _read(members) == (expected, {})


def test_check_thread_ends_when_duckdb_fails_first(tmp_path: Path) -> None:
    """A gzip file whose CSV DuckDB rejects (a row cut in a quoted field): the reason is DuckDB's, and the
    checking thread is not left running."""
    plain = write_focus(tmp_path / "rows.csv", [focus_row(1.0), focus_row(2.0)])
    text = plain.read_text(encoding="utf-8")
    plain.unlink()
    bad = tmp_path / "rows.csv.gz"
    bad.write_bytes(gzip.compress((text[: len(text) - 40] + '"unterminated').encode()))
    totals, problems = _read(bad)
    assert totals == (0, 0.0)
    assert problems["rows.csv.gz"].startswith("cannot read")
    assert not [t for t in threading.enumerate() if t.name == "redline-gzip-check"]
