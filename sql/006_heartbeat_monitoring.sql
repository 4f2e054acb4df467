-- heartbeat-monitoring (topologies/heartbeat-monitoring.ts).

-- Valid readings, one per customer and instant (insert-ignore on the key),
-- indexed on timestamp for time-range queries and dashboards.
create table heart_rates (
  customer_id text        not null,
  heart_rate  integer     not null check (heart_rate between 25 and 250),
  timestamp   timestamptz not null,
  primary key (customer_id, timestamp)
);
create index heart_rates_timestamp_idx on heart_rates (timestamp);

-- Anomalies: readings below 50 or above 120 bpm (stream heartbeats.alerts).
create table heart_rate_alerts (
  customer_id text        not null,
  heart_rate  integer     not null,
  anomaly     text        not null check (anomaly in ('TOO_LOW', 'TOO_HIGH')),
  threshold   integer     not null,
  timestamp   timestamptz not null,
  primary key (customer_id, timestamp)
);
create index heart_rate_alerts_timestamp_idx on heart_rate_alerts (timestamp);

-- Per customer per minute (table topic heartbeats.per-minute).
create table heart_rate_minute (
  customer_id  text             not null,
  window_start timestamptz      not null,
  window_end   timestamptz      not null,
  readings     bigint           not null,
  min_bpm      double precision,
  avg_bpm      double precision,
  max_bpm      double precision,
  primary key (customer_id, window_start)
);
create index heart_rate_minute_window_start_idx on heart_rate_minute (window_start);
