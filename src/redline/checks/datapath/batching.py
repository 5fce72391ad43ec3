"""One network round trip per item where the API takes a batch: boto3 single-item calls in loops, one
INSERT per loop iteration, a Kafka producer flushed (or waited on) per message."""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator

from redline.checks.interface import CheckContext, FileCheck
from redline.checks.resilience.astutil import (
    Hit,
    bound_calls,
    enclosing_loops,
    has_any_kw,
    hit_findings,
    imports_any,
    method,
    parents,
    receiver,
    string_parts,
)
from redline.core.filekinds import linter_rule_fixture, looks_like_test_or_sample
from redline.core.model import Area, Finding, Severity
from redline.core.rules import Rule, RuleDoc
from redline.sources.python import PythonModule

BOTO_SINGLE_IN_LOOP = Rule(
    code="DAT101",
    name="aws-single-item-call-in-loop",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="boto3 single-item call in a loop where a batch API exists",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds SQS `send_message`/`delete_message`, DynamoDB `put_item`/`delete_item`, Kinesis "
        "`put_record`, Firehose `put_record` and SNS `publish` called inside a loop (recognised by their "
        "AWS keyword arguments, in a module that imports boto3), unless the call goes through a DynamoDB "
        "`batch_writer()`.",
        why_bad="Each call is one HTTPS round trip (and one billed request): a loop over 500 items spends "
        "500 round trips of latency where 50 batch calls (SQS, SNS: 10 per call), 20 (DynamoDB: 25) or 1 "
        "(Kinesis: 500) would do, and it is throttled sooner.",
        example="for order in orders:\n    sqs.send_message(QueueUrl=url, MessageBody=order.json())",
        use_instead="for chunk in batched(orders, 10):\n    sqs.send_message_batch(QueueUrl=url, Entries=[\n"
        '        {"Id": str(i), "MessageBody": o.json()} for i, o in enumerate(chunk)])',
        references=(
            "https://docs.aws.amazon.com/AWSSimpleQueueService/latest/SQSDeveloperGuide/sqs-batch-api-actions.html",
            "https://boto3.amazonaws.com/v1/documentation/api/latest/guide/dynamodb.html#batch-writing",
            "https://docs.aws.amazon.com/kinesis/latest/APIReference/API_PutRecords.html",
        ),
    ),
)

INSERT_PER_ITERATION = Rule(
    code="DAT102",
    name="insert-per-loop-iteration",
    area=Area.PERFORMANCE,
    severity=Severity.LOW,
    summary="One INSERT per loop iteration",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does='Finds `execute("INSERT ...")` with a literal INSERT statement, and Django '
        "`Model.objects.create(...)` whose result is not used, inside a `for` loop or comprehension. A "
        "create whose object the loop goes on to use (its primary key, its many-to-many fields) is not a "
        "drop-in `bulk_create` and is left alone, and so are data migrations.",
        why_bad="Every row pays a round trip, a statement parse and (outside a transaction) a commit: "
        "inserting 10,000 rows one by one takes seconds where one `executemany`/`COPY`/`bulk_create` "
        "takes milliseconds, and holds locks far longer.",
        example='for row in rows:\n    cur.execute("INSERT INTO events (kind, at) VALUES (%s, %s)", row)',
        use_instead='cur.executemany("INSERT INTO events (kind, at) VALUES (%s, %s)", rows)\n'
        "# Django: Event.objects.bulk_create([Event(**r) for r in rows], batch_size=1000)",
        references=(
            "https://www.psycopg.org/psycopg3/docs/basic/copy.html",
            "https://docs.djangoproject.com/en/stable/ref/models/querysets/#bulk-create",
        ),
    ),
)

KAFKA_FLUSH_PER_MESSAGE = Rule(
    code="DAT103",
    name="kafka-flush-per-message",
    area=Area.PERFORMANCE,
    severity=Severity.MEDIUM,
    summary="Kafka producer flushed or waited on per message",
    tags=("STRIDE:D",),
    doc=RuleDoc(
        what_it_does="Finds a Kafka producer (`kafka.KafkaProducer`, `confluent_kafka.Producer`, "
        "`aiokafka.AIOKafkaProducer`, or a name like `producer`) whose `flush()` runs in the same loop as "
        "its `send`/`produce`, and kafka-python `send(...).get()` inside a loop.",
        why_bad="Flushing after each message defeats the producer's batching (`linger.ms`, `batch.size`): "
        "every message becomes its own request and waits a full broker round trip, so throughput drops "
        "by one to two orders of magnitude and compression has nothing to work on.",
        example='for event in events:\n    producer.send("events", event)\n    producer.flush()',
        use_instead='for event in events:\n    producer.send("events", event)\n'
        "producer.flush()  # once, after the loop",
        references=(
            "https://kafka.apache.org/documentation/#producerconfigs_linger.ms",
            "https://docs.confluent.io/platform/current/clients/confluent-kafka-python/html/index.html",
        ),
    ),
)

#: single-item call -> (the keyword arguments that make it an AWS call, the batch API to use)
_BOTO_SINGLE = {
    "send_message": (("QueueUrl",), "send_message_batch (10 per call)"),
    "delete_message": (("ReceiptHandle",), "delete_message_batch (10 per call)"),
    "put_item": (("Item",), "Table.batch_writer() or batch_write_item (25 per call)"),
    "delete_item": (("Key",), "Table.batch_writer() or batch_write_item (25 per call)"),
    "put_record": (("StreamName", "StreamARN", "DeliveryStreamName"), "put_records / put_record_batch (500 per call)"),
    "publish": (("TopicArn",), "publish_batch (10 per call)"),
}
_PRODUCERS = frozenset(
    {
        "kafka.KafkaProducer",
        "kafka.producer.KafkaProducer",
        "confluent_kafka.Producer",
        "confluent_kafka.SerializingProducer",
        "aiokafka.AIOKafkaProducer",
    }
)


def _relevant(module: PythonModule) -> bool:
    """A call one of the three rules starts from: an AWS single-item call, an INSERT, a manager's
    ``create``, or a Kafka send/flush."""
    aws = imports_any(module, ("boto3", "aioboto3", "aiobotocore", "botocore"))
    kafka = imports_any(module, ("kafka", "confluent_kafka", "aiokafka"))
    for call in module.calls:
        name = method(call)
        if (aws and name in _BOTO_SINGLE) or (kafka and name in {"flush", "send", "produce", "send_and_wait"}):
            return True
        if name == "execute" and call.args and string_parts(call.args[0]).lstrip()[:6].upper() == "INSERT":
            return True
        if name == "create" and isinstance(call.func, ast.Attribute) and _is_objects(call.func.value):
            return True
    return False


def _loop_of(call: ast.Call, parent_of: dict[int, ast.AST]) -> ast.AST | None:
    """The innermost ``for``/``async for``/comprehension the call repeats in (a ``while`` alone is a
    consumer or a poll, not a batch the code holds)."""
    for loop in enclosing_loops(call, parent_of):
        if not isinstance(loop, ast.While):
            return loop
    return None


def _batch_writers(module: PythonModule) -> set[str]:
    names: set[str] = set()
    for node in module.nodes:
        if isinstance(node, ast.With | ast.AsyncWith):
            for item in node.items:
                ctx = item.context_expr
                target = item.optional_vars
                if isinstance(ctx, ast.Call) and method(ctx) == "batch_writer" and isinstance(target, ast.Name):
                    names.add(target.id)
    return names


def _boto(module: PythonModule, parent_of: dict[int, ast.AST]) -> Iterator[Hit]:
    if not imports_any(module, ("boto3", "aioboto3", "aiobotocore", "botocore")):
        return
    writers = _batch_writers(module)
    seen: set[int] = set()
    for call in module.calls:
        name = method(call)
        if name not in _BOTO_SINGLE or receiver(call) in writers:
            continue
        keywords, batch = _BOTO_SINGLE[name]
        loop = _loop_of(call, parent_of)
        if loop is None or id(loop) in seen or not has_any_kw(call, keywords):
            continue
        seen.add(id(loop))
        yield Hit(
            BOTO_SINGLE_IN_LOOP,
            call,
            f"`{name}` is called once per loop iteration: one AWS round trip per item",
            f"Collect the items and send them with {batch}; retry the entries a batch response reports as failed.",
        )


def _inserts(module: PythonModule, parent_of: dict[int, ast.AST]) -> Iterator[Hit]:
    seen: set[int] = set()
    for call in module.calls:
        name = method(call)
        sql = name == "execute" and call.args and string_parts(call.args[0]).lstrip().upper().startswith("INSERT")
        orm = name == "create" and isinstance(call.func, ast.Attribute) and _is_objects(call.func.value)
        if orm and not isinstance(parent_of.get(id(call)), ast.Expr):
            continue  # the created object is used (its pk, its m2m): not a drop-in bulk_create
        if not (sql or orm):
            continue
        loop = _loop_of(call, parent_of)
        if loop is None or id(loop) in seen:
            continue
        seen.add(id(loop))
        fix = (
            "Collect the rows and insert them with one `executemany(sql, rows)` (or `COPY` for large loads)."
            if sql
            else "Build the objects in the loop and save them with one `bulk_create(objs, batch_size=1000)` "
            "(it skips `save()` and signals: check nothing relies on them)."
        )
        yield Hit(INSERT_PER_ITERATION, call, "one INSERT per loop iteration: one round trip per row", fix)


def _is_objects(node: ast.expr) -> bool:
    """``Model.objects`` (a manager attribute named ``objects`` on a capitalised name)."""
    return (
        isinstance(node, ast.Attribute)
        and node.attr == "objects"
        and isinstance(node.value, ast.Name)
        and node.value.id[:1].isupper()
    )


def _kafka(module: PythonModule, parent_of: dict[int, ast.AST]) -> Iterator[Hit]:
    if not imports_any(module, ("kafka", "confluent_kafka", "aiokafka")):
        return
    producers = set(bound_calls(module, _PRODUCERS))
    sends: dict[tuple[int, str], ast.Call] = {}
    for call in module.calls:
        rec = receiver(call)
        if rec is None or not (rec in producers or rec.rsplit(".", 1)[-1].lower().endswith("producer")):
            continue
        loop = _loop_of(call, parent_of)
        if loop is None:
            continue
        if method(call) in {"send", "produce", "send_and_wait"}:
            sends.setdefault((id(loop), rec), call)
            parent = parent_of.get(id(call))
            if isinstance(parent, ast.Attribute) and parent.attr == "get":
                yield Hit(
                    KAFKA_FLUSH_PER_MESSAGE,
                    call,
                    f"`{rec}.send(...).get()` waits for every message's acknowledgement inside the loop",
                    "Send the whole loop, keep the futures, and check them after one `flush()` at the end.",
                )
    for call in module.calls:
        rec = receiver(call)
        if method(call) == "flush" and rec is not None:
            loop = _loop_of(call, parent_of)
            if loop is not None and (id(loop), rec) in sends:
                yield Hit(
                    KAFKA_FLUSH_PER_MESSAGE,
                    call,
                    f"`{rec}.flush()` runs once per message: the producer cannot batch",
                    "Move `flush()` after the loop (or rely on `linger.ms`); use `poll(0)` in the loop to serve "
                    "delivery callbacks.",
                )


class BatchingCheck(FileCheck):
    name = "python-batching"
    rules = (BOTO_SINGLE_IN_LOOP, INSERT_PER_ITERATION, KAFKA_FLUSH_PER_MESSAGE)
    fact_types = (PythonModule,)

    def check_file(self, fact: PythonModule, ctx: CheckContext) -> Iterable[Finding]:
        if "/migrations/" in f"/{fact.path}" or looks_like_test_or_sample(fact.path):
            return []  # a data migration runs once; a test exercises the code under test
        if not _relevant(fact) or linter_rule_fixture(fact.lines):
            return []  # most modules: no call these rules look at, so no parent map to build
        parent_of = parents(fact)
        return hit_findings(
            self, fact, (hit for judge in (_boto, _inserts, _kafka) for hit in judge(fact, parent_of)), ctx.enabled
        )
