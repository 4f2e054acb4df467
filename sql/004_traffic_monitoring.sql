-- traffic-monitoring (topologies/traffic-monitoring.ts).

-- Per road segment, 5-minute windows advancing every minute (table topic
-- traffic.segment-stats.5m). Density is derived here from what the stream
-- measures: flow (vehicles per hour the sensors counted) over the average
-- speed gives vehicles per km.
create table traffic_segment_stats (
  segment_id     text             not null,
  window_start   timestamptz      not null,
  window_end     timestamptz      not null,
  readings       bigint           not null,
  avg_speed_kmh  double precision,
  vehicles       bigint           not null,
  density_veh_per_km double precision generated always as (
    case when avg_speed_kmh > 0
      then vehicles / (extract(epoch from (window_end - window_start)) / 3600.0) / avg_speed_kmh
    end
  ) stored,
  primary key (segment_id, window_start)
);
create index traffic_segment_stats_window_start_idx on traffic_segment_stats (window_start);

-- Congestion alerts: windows whose average speed fell below 25 km/h. A view
-- until the DSL can continue a table as a stream (then: a topic and a table).
create view traffic_congestion_alerts as
  select segment_id, window_start, window_end, avg_speed_kmh, density_veh_per_km
  from traffic_segment_stats
  where avg_speed_kmh < 25;

-- Reported accidents (stream traffic.accidents), idempotent on incident_id.
create table traffic_accidents (
  incident_id   uuid             primary key,
  segment_id    text             not null,
  incident_type text             not null,
  severity      integer          not null check (severity between 1 and 5),
  reported_by   text             not null,
  latitude      double precision not null,
  longitude     double precision not null,
  timestamp     timestamptz      not null
);
create index traffic_accidents_timestamp_idx on traffic_accidents (timestamp);
