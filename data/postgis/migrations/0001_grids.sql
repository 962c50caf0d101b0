-- The dataset jingge serves: its description, county outline, townships,
-- stations, grids with their full history, members and the grid audit.
-- Every object is created in the schema jingge runs in (the first entry of
-- its search_path); PostGIS must be on the search_path too.

create extension if not exists postgis;

-- One row: the dataset's description (geo.Meta) and datum.
create table dataset_meta (
    singleton  boolean primary key default true check (singleton),
    name       text not null default '',
    datum      text not null default 'wgs84' check (datum in ('wgs84', 'gcj02', 'bd09')),
    meta       jsonb not null default '{}',
    updated_at timestamptz not null default now()
);
comment on table dataset_meta is 'One row: the name, datum and full description (meta, as JSON) of the dataset.';

-- At most one row: the outline of the whole territory.
create table county (
    singleton boolean primary key default true check (singleton),
    name      text not null default '',
    geom      geometry(MultiPolygon, 4326) not null
              constraint county_geom_valid check (ST_IsValid(geom))
);
comment on table county is 'The outline of the whole territory; grids must cover it without gaps.';

create table stations (
    gid        bigint generated always as identity unique,
    id         text primary key constraint stations_id_not_empty check (id <> ''),
    name       text not null,
    name_en    text not null default '',
    region     text not null constraint stations_region_known check (region in ('hill', 'plateau', 'plain', 'mountain')),
    brand      text not null default '',
    phone      text not null default '',
    location   geometry(Point, 4326) not null,
    ord        integer not null default 0,
    retired_at timestamptz
);
comment on table stations is 'Police stations (派出所). A station absent from the latest import is kept with retired_at set, because past grid versions name it.';
comment on column stations.region is 'Terrain region: hill (岭中), plateau (塬上), plain (川下) or mountain (山间).';
comment on column stations.ord is 'Position in the imported dataset; exports keep this order.';
create index stations_location_gix on stations using gist (location);

create table townships (
    gid  bigint generated always as identity unique,
    code text primary key constraint townships_code_not_empty check (code <> ''),
    name text not null,
    geom geometry(MultiPolygon, 4326) not null
         constraint townships_geom_valid check (ST_IsValid(geom)),
    ord  integer not null default 0
);
comment on table townships is 'Township-level units (乡镇/街道), for base maps and codes.';
create index townships_geom_gix on townships using gist (geom);

create table township_stations (
    township_code text not null references townships (code) on delete cascade,
    station_id    text not null references stations (id),
    ord           integer not null,
    primary key (township_code, station_id)
);

-- Every grid code ever used. Grid versions, parents, member assignments and
-- the audit refer to codes, which outlive any one version.
create table grid_codes (
    id         text primary key constraint grid_codes_id_not_empty check (id <> ''),
    created_at timestamptz not null default now()
);

-- Every version of every grid. The version in force has valid_to null; a
-- version is in force at t when valid_from <= t < valid_to. Rows are never
-- changed except to close them (set valid_to once) or reorder them (ord).
create table grids (
    gid        bigint generated always as identity primary key,
    id         text not null references grid_codes (id),
    version    integer not null check (version > 0),
    level      text not null constraint grids_level_known check (level in ('police', 'community')),
    name       text not null default '',
    station_id text not null references stations (id),
    parent_id  text references grid_codes (id),
    township   text not null default '',
    population integer not null default 0 constraint grids_population_not_negative check (population >= 0),
    geom       geometry(MultiPolygon, 4326) not null
               constraint grids_geom_valid check (ST_IsValid(geom))
               constraint grids_geom_not_empty check (not ST_IsEmpty(geom)),
    ord        integer not null default 0,
    valid_from timestamptz not null,
    valid_to   timestamptz,
    unique (id, version),
    constraint grids_valid_period check (valid_to is null or valid_to >= valid_from),
    constraint grids_parent_only_for_community check (parent_id is null or level = 'community')
);
comment on table grids is 'Police grids (警格) and community grids (网格), every version. Use current_grids for today''s map, grids_at(t) for the map in force at t.';
comment on column grids.id is 'The grid code: 12-digit village/community code + 2-digit sequence for community grids; township code + 000 + 2-digit sequence for police grids.';
comment on column grids.parent_id is 'The police grid of a community grid.';
comment on column grids.valid_from is 'When this version came into force.';
comment on column grids.valid_to is 'When this version was replaced or retired; null while in force.';
create unique index grids_one_current_version on grids (id) where valid_to is null;
create index grids_geom_gix on grids using gist (geom);
create index grids_current_geom_gix on grids using gist (geom) where valid_to is null;
create index grids_period_idx on grids (valid_from, valid_to);
create index grids_station_idx on grids (station_id) where valid_to is null;

create view current_grids as
    select gid, id, version, level, name, station_id, parent_id, township, population, geom, valid_from
    from grids
    where valid_to is null;
comment on view current_grids is 'The grids in force now, both levels (filter on level). Key column: gid.';

create view current_police_grids as
    select * from current_grids where level = 'police';
create view current_community_grids as
    select * from current_grids where level = 'community';

-- The grids in force at a moment, e.g. select * from grids_at('2025-01-01').
create function grids_at(t timestamptz) returns setof grids
    language sql stable
    set search_path from current
as $$
    select * from grids where valid_from <= t and (valid_to is null or t < valid_to)
$$;

create table members (
    gid        bigint generated always as identity unique,
    id         text primary key constraint members_id_not_empty check (id <> ''),
    name       text not null,
    role       text not null constraint members_role_known check (role in
               ('community_officer', 'auxiliary_officer', 'grid_worker', 'village_cadre', 'security_guard', 'building_head')),
    phone      text not null default '',
    station_id text references stations (id),
    ord        integer not null default 0
);
comment on table members is 'People attached to grids (一格多元): officers, auxiliaries, grid workers, cadres.';

create table member_grids (
    member_id text not null references members (id) on delete cascade,
    grid_id   text not null references grid_codes (id),
    ord       integer not null,
    primary key (member_id, grid_id)
);
create index member_grids_grid_idx on member_grids (grid_id);

create table grid_audit (
    audit_id    bigint generated always as identity primary key,
    at          timestamptz not null default now(),
    actor       text not null,
    db_user     text not null default current_user,
    action      text not null check (action in ('create', 'update', 'retire')),
    grid_id     text not null references grid_codes (id),
    old_version integer,
    new_version integer,
    reason      text not null default ''
);
comment on table grid_audit is 'Who changed which grid when: one row per created, updated or retired grid version.';
create index grid_audit_grid_idx on grid_audit (grid_id, at);

-- Grid history is append-only: only valid_to (once, from null) and ord may change.
create function grids_keep_history() returns trigger
    language plpgsql
    set search_path from current
as $$
begin
    if (new.id, new.version, new.level, new.name, new.station_id, new.parent_id, new.township, new.population, new.valid_from)
        is distinct from
       (old.id, old.version, old.level, old.name, old.station_id, old.parent_id, old.township, old.population, old.valid_from)
       or not ST_OrderingEquals(new.geom, old.geom)
       or (old.valid_to is not null and new.valid_to is distinct from old.valid_to) then
        raise exception 'grid % version % is history and cannot be changed; insert a new version instead', old.id, old.version
            using errcode = 'JG001';
    end if;
    return new;
end
$$;
create trigger grids_keep_history before update on grids
    for each row execute function grids_keep_history();

-- No two grids of the same level in force at once may share interior area.
-- Writers serialise on an advisory lock (the same one the jingge write path
-- takes), so two concurrent transactions cannot each add half of an overlap.
create function grids_reject_overlaps() returns trigger
    language plpgsql
    set search_path from current
as $$
declare
    a text;
    b text;
    lvl text;
begin
    perform pg_advisory_xact_lock(1785292900, hashtext(current_schema()));
    select n.id, g.id, n.level into a, b, lvl
    from new_rows n
    join grids g on g.valid_to is null and g.level = n.level and g.id <> n.id and g.geom && n.geom
    where n.valid_to is null and ST_Relate(g.geom, n.geom, '2********')
    limit 1;
    if found then
        raise exception 'grid % overlaps grid % (both % grids in force)', a, b, lvl
            using errcode = 'JG002', detail = a || ' ' || b;
    end if;
    return null;
end
$$;
create trigger grids_reject_overlaps after insert on grids
    referencing new table as new_rows
    for each statement execute function grids_reject_overlaps();

-- Every committed change to the dataset wakes the servers watching it. The
-- payload is the schema, so stores in other schemas of the same database
-- ignore it; NOTIFY folds repeats within one transaction into one.
create function notify_dataset_change() returns trigger
    language plpgsql
    set search_path from current
as $$
begin
    perform pg_notify('jingge_dataset', current_schema());
    return null;
end
$$;
create trigger dataset_meta_notify after insert or update or delete on dataset_meta for each statement execute function notify_dataset_change();
create trigger county_notify after insert or update or delete on county for each statement execute function notify_dataset_change();
create trigger townships_notify after insert or update or delete on townships for each statement execute function notify_dataset_change();
create trigger township_stations_notify after insert or update or delete on township_stations for each statement execute function notify_dataset_change();
create trigger stations_notify after insert or update or delete on stations for each statement execute function notify_dataset_change();
create trigger grids_notify after insert or update or delete on grids for each statement execute function notify_dataset_change();
create trigger members_notify after insert or update or delete on members for each statement execute function notify_dataset_change();
create trigger member_grids_notify after insert or update or delete on member_grids for each statement execute function notify_dataset_change();
