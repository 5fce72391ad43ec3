"""Bytes sent or stored uncompressed: Kafka producers with no compression codec, Parquet written with
compression switched off."""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable, Iterator
from typing import NamedTuple

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import (
    assigned_values,
    has_star,
    imports_any,
    is_disabled,
    kw,
    location,
    method,
)
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.python import PythonModule

KAFKA_NO_COMPRESSION = Rule(
    code="DAT104",
    name="kafka-producer-without-compression",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Kafka producer without a compression codec",
    tags=(),
    doc=RuleDoc(
        what_it_does="Finds `kafka.KafkaProducer(...)` and `aiokafka.AIOKafkaProducer(...)` without "
        "`compression_type`, and `confluent_kafka.Producer({...})` whose configuration (a dict literal, or "
        "a name bound to one in the module) has no `compression.type`/`compression.codec`.",
        why_bad="Producers send uncompressed batches by default: JSON or Avro events typically shrink 4–10× "
        "with zstd or lz4, so the default pays for several times the network, broker disk and cross-zone "
        "transfer, and brokers hold fewer hours of retention per disk.",
        example='producer = KafkaProducer(bootstrap_servers="kafka:9092")',
        use_instead='producer = KafkaProducer(bootstrap_servers="kafka:9092", compression_type="zstd", linger_ms=20)',
        references=(
            "https://kafka.apache.org/documentation/#producerconfigs_compression.type",
            "https://blog.cloudflare.com/squeezing-the-firehose/",
        ),
    ),
)

PARQUET_UNCOMPRESSED = Rule(
    code="DAT105",
    name="parquet-written-uncompressed",
    area=Area.COST,
    severity=Severity.LOW,
    summary="Parquet written with compression disabled",
    tags=(),
    doc=RuleDoc(
        what_it_does="Finds `pyarrow.parquet.write_table`/`ParquetWriter`, pandas/polars `to_parquet`/"
        '`write_parquet` with `compression=None`/`"none"`/`"uncompressed"`, and `fastparquet.write` '
        "without `compression` (its default is none).",
        why_bad="Uncompressed Parquet is typically 2–5× larger than Snappy or Zstandard: more storage, more "
        "egress and slower scans, since readers are usually I/O bound rather than CPU bound.",
        example='pq.write_table(table, "events.parquet", compression=None)',
        use_instead='pq.write_table(table, "events.parquet", compression="zstd")',
        references=(
            "https://arrow.apache.org/docs/python/generated/pyarrow.parquet.write_table.html",
            "https://pandas.pydata.org/docs/reference/api/pandas.DataFrame.to_parquet.html",
        ),
    ),
)

_KAFKA_KW = frozenset({"kafka.KafkaProducer", "kafka.producer.KafkaProducer", "aiokafka.AIOKafkaProducer"})
_CONFLUENT = frozenset({"confluent_kafka.Producer", "confluent_kafka.SerializingProducer"})
_CONFLUENT_KEYS = frozenset({"compression.type", "compression.codec", "compression_type"})
_ARROW = frozenset({"pyarrow.parquet.write_table", "pyarrow.parquet.ParquetWriter", "pyarrow.parquet.write_to_dataset"})
_FASTPARQUET = frozenset({"fastparquet.write"})


def _kafka(module: PythonModule) -> Iterator[tuple[ast.Call, str]]:
    values = assigned_values(module)
    for call in module.calls:
        qual = module.qualname(call.func)
        if qual in _KAFKA_KW and not has_star(call) and kw(call, "compression_type") is None:
            yield call, f"`{qual}` sends uncompressed batches (no compression_type)"
        elif qual in _CONFLUENT and call.args and not has_star(call):
            conf = call.args[0]
            if isinstance(conf, ast.Name):
                conf = values.get(conf.id, conf)
            if isinstance(conf, ast.Dict) and None not in conf.keys:
                keys = {k.value for k in conf.keys if isinstance(k, ast.Constant)}
                if not keys & _CONFLUENT_KEYS:
                    yield call, f"`{qual}` configuration sets no compression.type"


def _parquet(module: PythonModule) -> Iterator[tuple[ast.Call, str]]:
    for call in module.calls:
        qual = module.qualname(call.func)
        setting = kw(call, "compression")
        if qual in _FASTPARQUET and not has_star(call) and (setting is None or is_disabled(setting.value)):
            yield call, "`fastparquet.write` writes uncompressed Parquet (its default compression is none)"
        elif (qual in _ARROW or method(call) in {"to_parquet", "write_parquet"}) and _disabled(setting):
            yield call, "Parquet is written with compression disabled"


def _disabled(setting: ast.keyword | None) -> bool:
    return setting is not None and is_disabled(setting.value)


class _Judge(NamedTuple):
    rule: Rule
    roots: tuple[str, ...]
    #: the offending calls with their message, for a module importing one of ``roots``
    calls: Callable[[PythonModule], Iterator[tuple[ast.Call, str]]]
    remediation: str


_JUDGES = (
    _Judge(
        KAFKA_NO_COMPRESSION,
        ("kafka", "confluent_kafka", "aiokafka"),
        _kafka,
        'Set `compression_type="zstd"` (`"compression.type": "zstd"` for confluent-kafka; '
        "lz4 where CPU is tight) with a small `linger_ms` so batches have something to compress.",
    ),
    _Judge(
        PARQUET_UNCOMPRESSED,
        ("pyarrow", "pandas", "polars", "fastparquet"),
        _parquet,
        'Write with `compression="zstd"` (or `"snappy"` for the fastest reads).',
    ),
)


class CompressionCheck(FileCheck):
    name = "python-compression"
    rules = tuple(judge.rule for judge in _JUDGES)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        judges = [judge for judge in _JUDGES if imports_any(fact, judge.roots)]
        if not judges or looks_like_test_or_sample(fact.path) or linter_rule_fixture(fact.lines):
            return []
        return [
            self.finding(judge.rule, message, location(fact, call), remediation=judge.remediation)
            for judge in judges
            for call, message in judge.calls(fact)
        ]
