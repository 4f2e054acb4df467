-- Positions of each PostgreSQL sink, written in the same transaction as the
-- sink's rows: the row and the offset that produced it commit together, so a
-- crash can neither lose nor double a row. On assignment the sink's consumer
-- seeks to next_offset.
create table sluice_offsets (
  consumer_group text        not null,
  topic          text        not null,
  partition      integer     not null check (partition >= 0),
  next_offset    bigint      not null check (next_offset >= 0),
  updated_at     timestamptz not null default now(),
  primary key (consumer_group, topic, partition)
);
