-- The three consumers of the order-events topic (topologies/order-*.ts).

-- order-processing: each order's lifecycle (table topic orders.lifecycle).
-- One row per order session; window_start is the first event, window_end
-- the last (session windows end inclusive). Sessions that merge are deleted
-- by their tombstones, so an order keeps one row.
create table order_lifecycle (
  order_id               uuid             not null,
  window_start           timestamptz      not null,
  window_end             timestamptz      not null,
  events                 bigint           not null,
  status                 text             not null,
  impossible_transitions integer          not null,
  primary key (order_id, window_start)
);
create index order_lifecycle_status_idx on order_lifecycle (status);

-- order-analytics: order events per status per minute, split by source
-- (table topic orders.status-counts.1m).
create table order_status_minute (
  status       text             not null,
  window_start timestamptz      not null,
  window_end   timestamptz      not null,
  events       bigint           not null,
  web          bigint           not null,
  mobile       bigint           not null,
  api          bigint           not null,
  primary key (status, window_start)
);
create index order_status_minute_window_start_idx on order_status_minute (window_start);

-- order-storage: every event as received (the audit log), idempotent on event_id.
create table order_events (
  event_id   uuid        primary key,
  event_type text        not null,
  order_id   uuid        not null,
  user_id    text        not null,
  status     text        not null,
  source     text        not null,
  timestamp  timestamptz not null
);
create index order_events_order_idx on order_events (order_id, timestamp);
create index order_events_timestamp_idx on order_events (timestamp);
