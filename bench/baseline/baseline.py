#!/usr/bin/python3
"""The hand-written baseline of the benchmark (issue 9, bench/CONTRACT.md).

The way the seeds do it (/work/shared/seeds/001-kafka-postgres-dlq-pipeline):
kafka-python consumer, one message at a time, invalid events to a DLQ topic,
aggregates kept in a dict, one INSERT ... ON CONFLICT per aggregate update
through psycopg2. At-least-once like seed 001: the database transaction is
committed after each poll batch (<= max_poll_records, kafka-python's default
500 — the seed's "batch write"), then the DLQ producer is flushed and the
offsets of that batch are committed ("offsets are committed only after a
successful database commit").

Run with Debian's Python and its packages (python3-kafka 2.0.2,
python3-psycopg2, python3-avro):

    /usr/bin/python3 bench/baseline/baseline.py --input bench.events \\
        --dlq bench.events.baseline-dlq --table bench_baseline --group bench-baseline

It reads the end offset of every partition at start, consumes until each
partition reached it (or --max-seconds passed, or SIGTERM/SIGINT came), and
prints one JSON line:

    {"consumed": N, "invalid": M, "positions": {"0": 12345, ...}, "seconds": S, ...}

`positions` are next offsets per partition: every record before them is in
the table, none after. `seconds` runs from the first record received to the
last batch committed (connect, group join and table creation excluded).

Table: key text, window_start/window_end bigint epoch milliseconds (exactly
the contract's `ts - ts % 60000`, no time-zone or rounding questions when
compared with the oracle), count bigint, sum/avg/max double precision,
primary key (key, window_start).

The aggregates start empty: run each round with a fresh group and table.
"""

import argparse
import datetime
import io
import json
import math
import os
import signal
import struct
import sys
import time
import urllib.error
import urllib.request

import avro.io
import avro.schema
import psycopg2
from psycopg2 import sql
from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.admin import KafkaAdminClient, NewTopic
from kafka.errors import TopicAlreadyExistsError
from kafka.structs import OffsetAndMetadata

WINDOW_MS = 60_000
GRACE_MS = 5_000
EPOCH = datetime.datetime(1970, 1, 1, tzinfo=datetime.timezone.utc)
ONE_MS = datetime.timedelta(milliseconds=1)
# kafka-python 2.0.2 hands transaction markers to the application as records
# (it never looks at the batch's control flag): key = version int16 0 + type
# int16 (0 abort, 1 commit), value = version int16 0 + coordinator epoch int32.
# Contract keys are "k-%05d", so nothing real has this shape.
CONTROL_KEYS = (b"\x00\x00\x00\x00", b"\x00\x00\x00\x01")


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bootstrap", default=os.environ.get("KAFKA_BOOTSTRAP_SERVERS", "127.0.0.1:9092"))
    parser.add_argument("--registry", default=os.environ.get("SCHEMA_REGISTRY_URL", "http://127.0.0.1:8081/apis/ccompat/v7"))
    parser.add_argument("--database-url", default=os.environ.get("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/postgres"))
    parser.add_argument("--input", default="bench.events")
    parser.add_argument("--dlq", required=True)
    parser.add_argument("--table", required=True)
    parser.add_argument("--group", required=True)
    parser.add_argument("--max-seconds", type=float, default=None)
    return parser.parse_args(argv)


class Undecodable(Exception):
    def __init__(self, reason, message):
        super().__init__(message)
        self.reason = reason


class WriterSchemas:
    """Writer schemas by id from the registry, each fetched once."""

    def __init__(self, registry_url):
        self.url = registry_url.rstrip("/")
        self.readers = {}

    def reader(self, schema_id):
        reader = self.readers.get(schema_id)
        if reader is None:
            try:
                with urllib.request.urlopen(f"{self.url}/schemas/ids/{schema_id}", timeout=10) as response:
                    text = json.load(response)["schema"]
            except urllib.error.HTTPError as error:
                # Only a definite "no such id" is the record's fault; an outage must stop us, not dead-letter data.
                if error.code == 404:
                    raise Undecodable("unknown-schema", f"schema id {schema_id} is not in the registry") from error
                raise
            reader = avro.io.DatumReader(avro.schema.parse(text))
            self.readers[schema_id] = reader
        return reader

    def decode(self, payload):
        if payload is None or len(payload) < 5 or payload[0] != 0:
            raise Undecodable("bad-magic", "not in the Confluent wire format")
        (schema_id,) = struct.unpack_from(">i", payload, 1)
        reader = self.reader(schema_id)
        try:
            return reader.read(avro.io.BinaryDecoder(io.BytesIO(payload[5:])))
        except Exception as error:  # avro raises a mix of struct, Unicode and its own errors on bad bytes
            raise Undecodable("corrupt", f"Avro body does not decode with schema {schema_id}: {error}") from error


def validate(event):
    """None when valid, else the reason (the contract's check on `value`)."""
    value = event.get("value") if isinstance(event, dict) else None
    if not isinstance(value, (int, float)) or isinstance(value, bool):
        return "value is missing or not a number"
    if not math.isfinite(value):
        return "value is not finite"
    if value < 0 or value > 1000:
        return "value out of range [0, 1000]"
    if not isinstance(event.get("ts"), int) or not isinstance(event.get("key"), str):
        return "key or ts missing"
    return None


def epoch_millis(event):
    """Event time in epoch ms; python3-avro reads timestamp-millis as an aware datetime, converted back exactly."""
    ts = event.get("ts")
    if isinstance(ts, datetime.datetime):
        event["ts"] = ts = (ts - EPOCH) // ONE_MS
    return event


def connect_database(url, table):
    connection = psycopg2.connect(url)
    name = sql.Identifier(*table.split(".", 1))
    with connection.cursor() as cursor:
        cursor.execute(
            sql.SQL(
                "create table if not exists {} ("
                " key text not null,"
                " window_start bigint not null,"
                " window_end bigint not null,"
                " count bigint not null,"
                " sum double precision not null,"
                " avg double precision not null,"
                " max double precision not null,"
                " primary key (key, window_start))"
            ).format(name)
        )
    connection.commit()
    upsert = sql.SQL(
        "insert into {} (key, window_start, window_end, count, sum, avg, max) values (%s, %s, %s, %s, %s, %s, %s)"
        " on conflict (key, window_start) do update set window_end = excluded.window_end, count = excluded.count,"
        " sum = excluded.sum, avg = excluded.avg, max = excluded.max"
    ).format(name).as_string(connection)
    return connection, upsert


def ensure_dlq_topic(bootstrap, topic):
    """Creates the DLQ topic (1 partition, like seed 001's events_dlq) when missing: brokers may not auto-create."""
    admin = KafkaAdminClient(bootstrap_servers=bootstrap)
    try:
        if topic not in admin.list_topics():
            try:
                admin.create_topics([NewTopic(topic, num_partitions=1, replication_factor=1)])
            except TopicAlreadyExistsError:
                pass  # created meanwhile by someone else
    finally:
        admin.close()


def end_offsets_at_start(consumer, topic):
    partitions = None
    deadline = time.monotonic() + 30
    while not partitions:
        partitions = consumer.partitions_for_topic(topic)
        if not partitions:
            if time.monotonic() > deadline:
                raise SystemExit(f"topic {topic} does not exist")
            time.sleep(0.2)
    tps = [TopicPartition(topic, p) for p in sorted(partitions)]
    return consumer.end_offsets(tps)


def main(argv):
    args = parse_args(argv)
    writers = WriterSchemas(args.registry)
    connection, upsert = connect_database(args.database_url, args.table)
    cursor = connection.cursor()
    consumer = KafkaConsumer(
        bootstrap_servers=args.bootstrap,
        group_id=args.group,
        auto_offset_reset="earliest",
        enable_auto_commit=False,
    )
    ensure_dlq_topic(args.bootstrap, args.dlq)
    producer = KafkaProducer(bootstrap_servers=args.bootstrap)
    ends = end_offsets_at_start(consumer, args.input)
    consumer.subscribe([args.input])

    positions = {}  # TopicPartition -> next offset processed (and, after a commit, in the table)
    aggregates = {}  # partition -> {(key, window_start): [count, sum, max]}
    stream_time = {}  # partition -> highest ts seen
    closed_before = {}  # partition -> window starts below this are closed and evicted
    consumed = invalid = undecodable = late = control = 0
    started = finished = None

    def drained():
        return all(positions.get(tp, -1) >= end for tp, end in ends.items())

    # SIGTERM/SIGINT end the run like --max-seconds: the batch in hand is cut, committed and reported.
    stopping = []
    signal.signal(signal.SIGTERM, lambda *_: stopping.append(True))
    signal.signal(signal.SIGINT, lambda *_: stopping.append(True))

    def out_of_time():
        if stopping:
            return True
        return args.max_seconds is not None and started is not None and time.monotonic() - started >= args.max_seconds

    while not drained() and not out_of_time():
        batch = consumer.poll(timeout_ms=500)
        for tp in consumer.assignment():
            if tp not in positions:
                positions[tp] = consumer.position(tp) if tp in ends else 0
        if not batch:
            continue
        if started is None:
            started = time.monotonic()
        committed = {}
        stop = False
        for tp, records in batch.items():
            end = ends.get(tp, 0)
            for record in records:
                if out_of_time():
                    stop = True
                    break
                if record.offset >= end:
                    break  # produced after we started: not part of this run
                positions[tp] = record.offset + 1
                if record.key in CONTROL_KEYS and record.value is not None and len(record.value) == 6 and record.value[:2] == b"\x00\x00":
                    control += 1
                    continue
                consumed += 1
                try:
                    event = writers.decode(record.value)
                    reason = validate(epoch_millis(event))
                    kind = "invalid"
                except Undecodable as error:
                    reason, kind = str(error), error.reason
                    undecodable += 1
                if reason is not None:
                    invalid += 1
                    producer.send(
                        args.dlq,
                        key=record.key,
                        value=record.value,
                        headers=(record.headers or [])
                        + [
                            ("error.reason", kind.encode()),
                            ("error.message", reason.encode()),
                            ("source.topic", record.topic.encode()),
                            ("source.partition", str(record.partition).encode()),
                            ("source.offset", str(record.offset).encode()),
                        ],
                    )
                    continue
                ts = event["ts"]
                partition = record.partition
                now = max(stream_time.get(partition, ts), ts)
                stream_time[partition] = now
                window_start = ts - ts % WINDOW_MS
                if now >= window_start + WINDOW_MS + GRACE_MS:
                    late += 1
                    continue
                windows = aggregates.setdefault(partition, {})
                # Grouped by the Kafka record key (contract step 3); the workload puts the same string in the value.
                slot = (record.key.decode() if record.key is not None else event["key"], window_start)
                aggregate = windows.get(slot)
                value = float(event["value"])
                if aggregate is None:
                    aggregate = windows[slot] = [1, value, value]
                else:
                    aggregate[0] += 1
                    aggregate[1] += value
                    if value > aggregate[2]:
                        aggregate[2] = value
                count, total, maximum = aggregate
                cursor.execute(upsert, (slot[0], window_start, window_start + WINDOW_MS, count, total, total / count, maximum))
                # Closed windows can never change again: drop them so memory follows open windows, not input size.
                horizon = (now - WINDOW_MS - GRACE_MS) // WINDOW_MS * WINDOW_MS + WINDOW_MS
                if horizon > closed_before.get(partition, -math.inf):
                    closed_before[partition] = horizon
                    for stale in [s for s in windows if s[1] < horizon]:
                        del windows[stale]
            committed[tp] = positions[tp]
            if stop:
                break
        connection.commit()
        producer.flush()
        consumer.commit({tp: OffsetAndMetadata(offset, None) for tp, offset in committed.items()})
        finished = time.monotonic()
        if stop:
            break
        # A drained partition would keep fetching what others produce after our start.
        done = [tp for tp in committed if positions[tp] >= ends.get(tp, 0)]
        if done:
            consumer.pause(*done)

    consumer.close(autocommit=False)
    producer.close()
    cursor.close()
    connection.close()
    result = {
        "consumed": consumed,
        "invalid": invalid,
        "positions": {str(tp.partition): positions.get(tp, 0) for tp in sorted(ends, key=lambda t: t.partition)},
        "seconds": round((finished or 0) - (started or 0), 3),
        "undecodable": undecodable,
        "late": late,
        "control": control,
        "commit": "per poll batch (max_poll_records 500): database, then DLQ flush, then offsets",
    }
    print(json.dumps(result), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
