-- order-processing tracks each order's state (table topic orders.state, a
-- non-windowed table: one row per order, its latest state). Impossible
-- transitions are no longer counted here: they go to order-processing.dlq
-- with reason `rejected`. It replaces order_lifecycle (005), which only
-- approximated the lifecycle with session windows and is written no more.
create table order_status (
  order_id    uuid        primary key,
  status      text        not null,
  user_id     text        not null,
  source      text        not null,
  transitions integer     not null,
  placed_at   timestamptz not null,
  updated_at  timestamptz not null
);
create index order_status_status_idx on order_status (status);

drop table if exists order_lifecycle;
