-- Special areas (园区, 景区, 饮用水源保护区, works sites, school zones) and
-- key places (schools, markets, hospitals, 重点单位, 重点村居): the overlays
-- beside the grid partition. Like grids, every version is kept: the
-- version in force has version_to null, and a version was in force at t
-- when version_from <= t < version_to. valid_from/valid_to are the
-- feature's own period (a works site ends), part of its content.
-- Areas may overlap grids and each other, so nothing rejects overlaps.

create table areas (
    gid           bigint generated always as identity primary key,
    id            text not null constraint areas_id_not_empty check (id <> ''),
    version       integer not null check (version > 0),
    name          text not null,
    kind          text not null constraint areas_kind_known check (kind in
                  ('park', 'scenic', 'water_protection', 'works', 'school_zone', 'other')),
    station_id    text not null references stations (id),
    liaison_name  text not null default '',
    liaison_phone text not null default '',
    opening       text not null default '',
    valid_from    timestamptz,
    valid_to      timestamptz,
    geom          geometry(MultiPolygon, 4326) not null
                  constraint areas_geom_valid check (ST_IsValid(geom))
                  constraint areas_geom_not_empty check (not ST_IsEmpty(geom)),
    ord           integer not null default 0,
    version_from  timestamptz not null,
    version_to    timestamptz,
    unique (id, version),
    constraint areas_valid_period check (valid_to is null or valid_from is null or valid_to > valid_from),
    constraint areas_version_period check (version_to is null or version_to >= version_from)
);
comment on table areas is 'Special areas, every version; the version in force has version_to null. Use current_areas for today''s.';
comment on column areas.valid_from is 'When the area itself starts (null: always was), e.g. a works site''s start.';
comment on column areas.valid_to is 'When the area itself ends (null: open), e.g. a works site''s end.';
comment on column areas.version_from is 'When this version came into force.';
comment on column areas.version_to is 'When this version was replaced or deleted; null while in force.';
create unique index areas_one_current_version on areas (id) where version_to is null;
create index areas_current_geom_gix on areas using gist (geom) where version_to is null;

create table places (
    gid           bigint generated always as identity primary key,
    id            text not null constraint places_id_not_empty check (id <> ''),
    version       integer not null check (version > 0),
    name          text not null,
    kind          text not null constraint places_kind_known check (kind in
                  ('school', 'market', 'hospital', 'petrol_station', 'key_unit', 'village', 'other')),
    station_id    text not null references stations (id),
    liaison_name  text not null default '',
    liaison_phone text not null default '',
    opening       text not null default '',
    valid_from    timestamptz,
    valid_to      timestamptz,
    location      geometry(Point, 4326) not null,
    ord           integer not null default 0,
    version_from  timestamptz not null,
    version_to    timestamptz,
    unique (id, version),
    constraint places_valid_period check (valid_to is null or valid_from is null or valid_to > valid_from),
    constraint places_version_period check (version_to is null or version_to >= version_from)
);
comment on table places is 'Key places, every version; the version in force has version_to null. Use current_places for today''s.';
create unique index places_one_current_version on places (id) where version_to is null;
create index places_current_location_gix on places using gist (location) where version_to is null;

create view current_areas as select * from areas where version_to is null;
comment on view current_areas is 'The special areas in force now. Key column: gid.';
create view current_places as select * from places where version_to is null;
comment on view current_places is 'The key places in force now. Key column: gid.';

create trigger areas_notify after insert or update or delete on areas for each statement execute function notify_dataset_change();
create trigger places_notify after insert or update or delete on places for each statement execute function notify_dataset_change();
