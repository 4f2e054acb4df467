/**
 * `sql/001_sluice_offsets.sql` exactly as Sluice shipped it before it created
 * its own tables: users copied it into their `sql/`, so databases and
 * projects in the field hold it. Kept verbatim as the oracle for adopting
 * them (its checksum, the table it makes).
 */
export const OLD_SLUICE_OFFSETS_FILE = `-- Positions of each PostgreSQL sink, written in the same transaction as the
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
`;

/** The ledger table as Sluice created it ad hoc before versioning its own tables. */
export const OLD_LEDGER_DDL = `create table if not exists sluice_migrations (
  name       text primary key,
  checksum   text not null,
  applied_at timestamptz not null default now()
)`;
