"""Find trace files (files, directories, gzip) and turn each into spans, whatever its format.

A file that cannot be read or understood becomes a ``FileProblem`` naming it and the reason; the other
files are still read. JSON-lines files (the collector's file exporter) are streamed line by line."""

from __future__ import annotations

import gzip
import json
import zlib
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any

import orjson

from redline.sources.inputs import expand_inputs, open_text
from redline.sources.traces.classify import Row, classify
from redline.sources.traces.jaeger import is_jaeger, jaeger_spans
from redline.sources.traces.otlp import is_otlp, otlp_spans
from redline.sources.traces.otlp_rows import OtlpRows
from redline.sources.traces.spans import RawSpan, TraceFormatError
from redline.sources.traces.zipkin import is_zipkin, zipkin_spans

_OTLP_KEY = '"resourceSpans"'
SUFFIXES = (".json", ".jsonl", ".ndjson", ".json.gz", ".jsonl.gz", ".ndjson.gz")


@dataclass(frozen=True)
class FileProblem:
    """A trace file (or a part of it) that was not covered, and why."""

    path: str
    reason: str


def trace_files(paths: Iterable[Path]) -> Iterator[Path | FileProblem]:
    """The files named, and the trace files under the directories named, in a stable order."""
    files, problems = expand_inputs(paths, SUFFIXES, "folder holds no trace files (.json, .jsonl, .ndjson, or .gz)")
    yield from (FileProblem(path, reason) for path, reason in problems)
    yield from files


def read_rows(path: Path, problems: list[FileProblem], file_no: int) -> Iterator[Row]:
    """The classified rows (``classify.classify``) of one file's spans; what cannot be read is appended to
    ``problems`` (naming the file)."""
    try:
        with open_text(path) as stream:
            yield from _rows(stream, str(path), problems, OtlpRows(file_no))
    except OSError as exc:
        problems.append(FileProblem(str(path), f"cannot read: {exc.strerror or exc}"))
    except (EOFError, zlib.error, gzip.BadGzipFile) as exc:
        problems.append(FileProblem(str(path), f"corrupt gzip data: {exc}"))
    except UnicodeDecodeError:
        problems.append(FileProblem(str(path), "not UTF-8 text"))


def _rows(stream: IO[str], where: str, problems: list[FileProblem], fast: OtlpRows) -> Iterator[Row]:
    first = stream.readline()
    while first and not first.strip():
        first = stream.readline()
    if not first:
        problems.append(FileProblem(where, "empty file: no spans"))
        return
    # the first line is parsed once: by msgspec when it is an export request in the common shape (a
    # single-line document is a whole file), else by orjson, whose document is kept when nothing follows
    rows = fast.rows(first) if _OTLP_KEY in first[:4096] else None
    head = _try_json(first) if rows is None else None
    if rows is not None or is_otlp(head):  # JSON lines: one export request per line
        yield from rows if rows is not None else _request_rows(head, f"{where}:1", problems, fast.file_no)
        yield from _json_lines(stream, where, problems, fast)
        return
    rest = stream.read()
    if head is not None and not rest.strip():
        doc = head  # the whole (non-OTLP) document was on the first line
    else:
        text = first + rest
        rows = fast.rows(text) if _OTLP_KEY in text[:4096] else None
        if rows is not None:
            yield from rows
            return
        try:
            doc = _loads(text)
        except json.JSONDecodeError as exc:
            problems.append(FileProblem(where, f"invalid JSON (truncated or not JSON): {exc.msg} at line {exc.lineno}"))
            return
    reader = _reader(doc)
    if reader is None:
        problems.append(FileProblem(where, "unknown format: not OTLP JSON, Jaeger JSON or Zipkin v2 JSON"))
        return
    try:
        for span in reader(doc):
            yield classify(span, fast.file_no)
    except (TraceFormatError, AttributeError, TypeError) as exc:
        problems.append(FileProblem(where, f"unexpected structure: {exc}"))


def _json_lines(stream: IO[str], where: str, problems: list[FileProblem], fast: OtlpRows) -> Iterator[Row]:
    """The export requests after the first (line 1 is the first line that is not blank)."""
    for line_no, line in enumerate(stream, 2):
        if line.strip():
            rows = fast.rows(line)
            if rows is None:
                rows = _request_rows(_try_json(line), f"{where}:{line_no}", problems, fast.file_no)
            yield from rows


def _request_rows(doc: Any, where: str, problems: list[FileProblem], file_no: int) -> list[Row]:
    """One export request outside the common shape, read the general way (its problems worded here)."""
    if not is_otlp(doc):
        problems.append(FileProblem(where, "line is not an OTLP JSON export request (truncated?)"))
        return []
    rows: list[Row] = []
    try:
        for span in otlp_spans(doc):  # the spans before a broken one are kept, as they were read
            rows.append(classify(span, file_no))
    except (TraceFormatError, AttributeError, TypeError) as exc:
        problems.append(FileProblem(where, f"unexpected structure: {exc}"))
    return rows


def _loads(text: str) -> Any:
    """orjson (3x faster on export lines); what it refuses (integers beyond 64 bits, NaN, nesting over
    1024) goes through the standard library, which decides and words the error as before."""
    try:
        return orjson.loads(text)
    except orjson.JSONDecodeError:
        return json.loads(text)


def _try_json(text: str) -> Any:
    try:
        return _loads(text)
    except json.JSONDecodeError:
        return None


def _reader(doc: Any) -> Callable[[Any], Iterator[RawSpan]] | None:
    if is_otlp(doc):
        return otlp_spans
    if is_jaeger(doc):
        return jaeger_spans
    if is_zipkin(doc):
        return zipkin_spans
    return None
