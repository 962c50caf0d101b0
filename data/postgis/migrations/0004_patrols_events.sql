-- Patrols: each officer's latest state, the geofence events derived from
-- the pings, and the idempotency keys of ping batches.
--
-- Ping ingestion is the heaviest write of the system (goal: 100,000 pings/s
-- through the API). The B-tree on patrol_pings (at) cost a quarter of COPY
-- time; a BRIN index answers the same time-range scans on this append-
-- mostly table (pings arrive roughly in time order) for almost nothing.
-- Tracks use (officer_id, at); the GiST index stays for spatial questions.
drop index patrol_pings_at_idx;
create index patrol_pings_at_brin on patrol_pings using brin (at);

-- One row per officer who ever reported: the latest position (the ping
-- with the latest time) and where it puts them. Every ingest transaction
-- locks the rows of its officers (select ... for update), so the states
-- and the events derived from them are serialised per officer across
-- every server sharing the database.
create table patrol_officers (
    officer_id  text primary key,
    version     bigint not null default 0,
    -- The transaction that last changed the row (pg_current_xact_id), so
    -- servers can read "every row changed since my last read" exactly.
    change_xid  bigint not null default 0,
    at          timestamptz,
    location    geometry(Point, 4326),
    speed_mps   real,
    heading_deg real,
    grid_id     text,
    in_area     boolean not null default false,
    silent      boolean not null default false,
    updated_at  timestamptz not null default now()
);
comment on table patrol_officers is 'Each officer''s latest patrol position (by time) and state: grid, inside their assigned area, silent (stopped reporting). Officer ids are member ids; no foreign key, since an import may replace members while their history stays.';
create index patrol_officers_change_idx on patrol_officers (change_xid);
create index patrol_officers_reporting_idx on patrol_officers (at) where not silent;

-- Events get their ids under a transaction-level advisory lock held until
-- commit, so ids are committed in increasing order and "every event after
-- id n" is a complete answer for any reader.
create sequence patrol_events_id_seq;
create table patrol_events (
    id             bigint primary key,
    kind           text not null constraint patrol_events_kind_known
                   check (kind in ('resumed', 'grid_leave', 'grid_enter', 'area_leave', 'area_return', 'silent')),
    officer_id     text not null,
    at             timestamptz not null,
    location       geometry(Point, 4326),
    grid_id        text,
    police_grid_id text,
    station_id     text,
    created_at     timestamptz not null default now()
);
alter sequence patrol_events_id_seq owned by patrol_events.id;
comment on table patrol_events is 'Geofence events: an officer entered or left a grid, left or regained their assigned area, went silent or resumed reporting. Ids increase in commit order.';
create index patrol_events_officer_idx on patrol_events (officer_id, id);
create index patrol_events_at_idx on patrol_events (at);

-- Idempotency keys of committed ping batches: a batch sent again under its
-- key is acknowledged without being stored twice.
create table patrol_batches (
    key        text primary key,
    digest     bytea not null,
    created_at timestamptz not null default now()
);
comment on table patrol_batches is 'Idempotency keys of committed ping batches; rows older than a day are deleted by the servers.';
create index patrol_batches_created_idx on patrol_batches (created_at);
