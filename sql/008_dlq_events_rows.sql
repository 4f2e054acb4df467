-- dlq_events (sql/003) becomes the table of events-pipeline's dead-letter
-- sink: .deadLetter('events_dlq', { sink: ['dlq-pg', postgres({ table: 'dlq_events', … })] }).
-- One row per dead-letter record (see DeadLetterRow in src/runtime/dead-letter-row.ts).

-- The value decoded with its own writer schema, as JSON; null when the bytes
-- do not decode (bad magic, unknown schema id, corrupt). `payload` keeps the
-- original bytes either way, so a fixed event can be re-sent as it was.
alter table dlq_events add column payload_json jsonb;

-- The rejected record's own timestamp; failed_at is when it was dead-lettered
-- (the dead-letter record's timestamp, written by the sink).
alter table dlq_events add column source_timestamp timestamptz;

-- One source record can be rejected by two steps (late in two windowed arms
-- of a split), never twice by the same step: the step belongs to the identity.
alter table dlq_events drop constraint dlq_events_pkey;
alter table dlq_events add primary key (source_topic, source_partition, source_offset, step);

create index dlq_events_step_idx on dlq_events (step, failed_at);
