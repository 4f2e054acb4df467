-- bus-telemetry (topologies/bus-telemetry.ts).

-- Raw telemetry, one row per reading. A unit reports once per instant, so
-- (bus_id, timestamp) identifies a reading: the sink inserts with
-- ON CONFLICT DO NOTHING on it.
create table bus_telemetry (
  bus_id     text             not null,
  route_id   text             not null,
  latitude   double precision not null,
  longitude  double precision not null,
  speed_kmh  double precision not null,
  passengers integer          not null,
  timestamp  timestamptz      not null,
  primary key (bus_id, timestamp)
);
-- Dashboards ask "the last N minutes" across all buses, and per route.
create index bus_telemetry_timestamp_idx on bus_telemetry (timestamp);
create index bus_telemetry_route_timestamp_idx on bus_telemetry (route_id, timestamp);

-- Per route and minute (table topic bus.route-stats.1m), upserted on every
-- update of the window.
create table bus_route_minute (
  route_id       text             not null,
  window_start   timestamptz      not null,
  window_end     timestamptz      not null,
  events         bigint           not null,
  avg_speed_kmh  double precision,
  max_speed_kmh  double precision,
  avg_passengers double precision,
  max_passengers integer,
  primary key (route_id, window_start)
);
create index bus_route_minute_window_start_idx on bus_route_minute (window_start);
