-- events-pipeline (topologies/events-pipeline.ts).

-- The normalized event log; idempotent on event_id (insert-ignore), so a
-- replayed or re-sent event is stored once.
create table raw_events (
  event_id   uuid             primary key,
  event_type text             not null,
  user_id    text             not null,
  session_id text             not null,
  amount     double precision,
  timestamp  timestamptz      not null
);
create index raw_events_timestamp_idx on raw_events (timestamp);
create index raw_events_type_timestamp_idx on raw_events (event_type, timestamp);

-- The mart: events per minute bucket and event type.
create table agg_events_minute (
  event_type   text        not null,
  window_start timestamptz not null,
  window_end   timestamptz not null,
  events       bigint      not null,
  primary key (event_type, window_start)
);
create index agg_events_minute_window_start_idx on agg_events_minute (window_start);

-- Invalid events with the reason, one row per dead-letter record of the
-- events_dlq topic. The columns mirror the sluice.error.* and
-- sluice.source.* headers; (source_topic, source_partition, source_offset)
-- identifies the rejected record, so re-reading the DLQ is idempotent.
-- Nothing writes this table yet: the DSL has no sink on a dead-letter topic
-- (proposed: .deadLetter('events_dlq', { sink: postgres({ table: 'dlq_events' }) })).
create table dlq_events (
  source_topic     text        not null,
  source_partition integer     not null,
  source_offset    bigint      not null,
  reason           text        not null,  -- invalid, late, bad-magic, unknown-schema, …
  step             text        not null,  -- the step that rejected it, e.g. event-rules
  message          text        not null,  -- e.g. unknown event_type "pageview"
  key              bytea,
  payload          bytea,                 -- the original value bytes (Confluent wire format when decodable)
  failed_at        timestamptz not null default now(),
  primary key (source_topic, source_partition, source_offset)
);
create index dlq_events_reason_idx on dlq_events (reason, failed_at);
