-- Visits and contacts (走访, 上门服务, 回访, 宣传): small records of the
-- prevention work officers do in their grids, attributed when written to
-- the community grid, police grid and station in force where and when
-- they happened, like incidents. A few hundred a day for a county, so one
-- table without partitions; pages are read newest first by (at, id).
create table visits (
    id                bigint generated always as identity primary key,
    officer_id        text not null,
    at                timestamptz not null,
    location          geometry(Point, 4326) not null,
    kind              text not null
                      constraint visits_kind_known check (kind in ('visit', 'home_service', 'follow_up', 'publicity', 'other')),
    whom              text not null default '',
    key_place_id      text,
    outcome           text not null default '',
    community_grid_id text,
    police_grid_id    text,
    station_id        text,
    recorded_at       timestamptz not null default now(),
    recorded_by       text not null default '',
    constraint visits_attributed check (community_grid_id is not null or police_grid_id is not null)
);
comment on table visits is 'Visits and contacts by officers (走访/上门服务), attributed on write to the grids and station in force at their place and time. Grid and station ids are kept as written, without foreign keys: a visit stays where it was when the grids change.';
comment on column visits.whom is 'The household or place visited, free text; may hold a phone number, masked for roles that see masked data.';
comment on column visits.key_place_id is 'The key place visited, by id, when it is one (null: none).';
create index visits_at_id_idx on visits (at, id);
create index visits_police_grid_idx on visits (police_grid_id, at);
create index visits_community_grid_idx on visits (community_grid_id, at);
create index visits_station_idx on visits (station_id, at);
create index visits_officer_idx on visits (officer_id, at);

-- Idempotency keys of recorded visits, per caller as for incident batches.
create table visit_keys (
    scope      text not null,
    key        text not null,
    digest     bytea not null,
    visit_id   bigint not null references visits (id),
    created_at timestamptz not null default now(),
    primary key (scope, key)
);
comment on table visit_keys is 'Idempotency keys of recorded visits and the visit each stored; rows may be deleted once clients no longer retry.';
