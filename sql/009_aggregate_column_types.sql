-- Sluice checks at start-up that each sink column fits its field's Avro type
-- (issue 18). Three example columns held aggregates that are Avro doubles in
-- their table topics: max() is a double (bus_route_minute.max_passengers), and
-- so is sum() (order_status_minute.web/mobile/api, traffic_segment_stats.vehicles).
-- Their values were whole numbers, so nothing was lost, but a fraction would
-- have been truncated or refused. The columns take the Avro type rather than
-- the aggregates becoming longs (sum(f, { type: 'long' }), countWhere(p)):
-- that would change the table topics' value schemas, which the registry
-- refuses (BACKWARD: a double cannot be read as a long) on a stack that
-- already holds them. Whole numbers read back as whole numbers.
alter table bus_route_minute alter column max_passengers type double precision;

alter table order_status_minute
  alter column web    type double precision,
  alter column mobile type double precision,
  alter column api    type double precision;

-- vehicles feeds the generated density column, and that the congestion view:
-- both are rebuilt as they were (004).
drop view traffic_congestion_alerts;
alter table traffic_segment_stats drop column density_veh_per_km;
alter table traffic_segment_stats alter column vehicles type double precision;
alter table traffic_segment_stats add column density_veh_per_km double precision generated always as (
  case when avg_speed_kmh > 0
    then vehicles / (extract(epoch from (window_end - window_start)) / 3600.0) / avg_speed_kmh
  end
) stored;
create view traffic_congestion_alerts as
  select segment_id, window_start, window_end, avg_speed_kmh, density_veh_per_km
  from traffic_segment_stats
  where avg_speed_kmh < 25;
