-- parking-occupancy (topologies/parking-occupancy.ts): cars in and out per lot and minute.
-- Sluice creates its own tables (sluice_offsets, …) itself; this folder holds only yours.
create table lot_activity (
  lot_id       text        not null,
  window_start timestamptz not null,
  window_end   timestamptz not null,
  events       bigint      not null,
  entered      bigint      not null,
  exited       bigint      not null,
  primary key (lot_id, window_start)
);
