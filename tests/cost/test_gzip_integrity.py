"""A corrupt gzip export is never read short or wrong: DuckDB does not check gzip's CRC-32 and length,
so redline inflates the file itself into a FIFO DuckDB reads (sources/cost/gzipcheck.py), checks both on
the way and leaves the file not covered; the FIFO's folder and thread never outlive the read."""

from __future__ import annotations

import csv
import gzip
import os
import random
import tempfile
import threading
import time
from pathlib import Path

import pytest

from redline.sources.cost.dataset import load_dataset
from redline.sources.cost.gzipcheck import GzipCheck, GzipFeed, verify
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
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-gzip")]


@pytest.fixture
def private_tmp(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The process's temporary folder, here, so what the read leaves in it can be listed."""
    folder = tmp_path / "tmp"
    folder.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(folder))
    return folder


def test_fifo_folder_removed_after_good_and_bad_reads(tmp_path: Path, private_tmp: Path) -> None:
    data, expected = _export(tmp_path, 2000)
    good = tmp_path / "good.csv.gz"
    good.write_bytes(data)
    bad = tmp_path / "bad.csv.gz"
    bad.write_bytes(data[: len(data) // 2])
    ds = load_dataset([good, bad], [], CostSettings())
    assert [Path(f.path).name for f in ds.files] == ["good.csv.gz"]
    assert [Path(p).name for p, _ in ds.problems] == ["bad.csv.gz"]
    assert sum(f.rows for f in ds.files) == expected[0]
    assert not [p for p in private_tmp.rglob("*") if "gzip" in p.name]
    assert not [t for t in threading.enumerate() if t.name.startswith("redline-gzip")]


def test_gzip_tsv_export_reads_like_its_csv(tmp_path: Path) -> None:
    _, expected = _export(tmp_path, 500)
    rows = [focus_row(float(i % 97), resource=f"i-{i % 13}", day=f"2024-09-{1 + i % 28:02d}") for i in range(500)]
    tsv = tmp_path / "export.tsv.gz"
    with gzip.open(tsv, "wt", newline="", encoding="utf-8") as fh:
        writer = csv.DictWriter(fh, fieldnames=list(rows[0]), delimiter="\t", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    assert _read(tsv) == (expected, {})


def test_feed_stops_when_no_reader_ever_opens(tmp_path: Path) -> None:
    whole = tmp_path / "whole.csv.gz"
    whole.write_bytes(gzip.compress(b"a,b\n1,2\n"))
    feed = GzipFeed(whole, tmp_path / "fifo.csv")
    started = time.monotonic()
    assert feed.finish() == (None, False)
    assert time.monotonic() - started < 5
    assert not (tmp_path / "fifo.csv").exists()


def test_feed_stops_when_the_reader_stops_reading(tmp_path: Path) -> None:
    """A reader that keeps the FIFO open and reads no further (DuckDB after an error): ``finish`` drains
    it and the thread ends; one that closes it early: the feeder's write fails, not the run."""
    big = tmp_path / "big.csv.gz"
    big.write_bytes(gzip.compress(os.urandom(1 << 20).hex().encode() * 8, compresslevel=1))
    for keep_open in (True, False):
        feed = GzipFeed(big, tmp_path / "fifo.csv")
        fd = os.open(feed.fifo, os.O_RDONLY)
        assert os.read(fd, 1024)
        if not keep_open:
            os.close(fd)
        assert feed.finish() == (None, False)
        if keep_open:
            os.close(fd)
        assert not [t for t in threading.enumerate() if t.name == "redline-gzip-feed"]


def test_feed_reports_a_cut_stream_after_feeding_what_it_could(tmp_path: Path) -> None:
    text = b"a,b\n" + b"".join(b"%d,%d\n" % (i, i) for i in range(2_000_000))  # several 4 MB pieces
    cut = tmp_path / "cut.csv.gz"
    cut.write_bytes(gzip.compress(text, compresslevel=1)[:-100])
    feed = GzipFeed(cut, tmp_path / "fifo.csv")
    with open(feed.fifo, "rb") as fh:
        read = fh.read()
    assert 0 < len(read) < len(text) and text.startswith(read)  # a short read, which the error flags
    error, complete = feed.finish()
    assert error is not None and "end-of-stream" in error
    assert not complete


def test_check_thread_without_fifos(tmp_path: Path) -> None:
    """Where FIFOs do not exist DuckDB reads the file and ``GzipCheck`` verifies it beside the scan."""
    data, _ = _export(tmp_path, 300)
    whole = tmp_path / "whole.csv.gz"
    whole.write_bytes(data)
    assert GzipCheck(whole).result() is None
    crc = bytearray(data)
    crc[-6] ^= 0xFF
    whole.write_bytes(bytes(crc))
    reason = GzipCheck(whole).result()
    assert reason is not None and "CRC check failed" in reason
