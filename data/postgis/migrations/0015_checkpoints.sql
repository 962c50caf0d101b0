-- Checkpoints (查控点): control points on the roads, the checkpoint circle
-- of the three circles (三层三圈). Like areas and places, every version is
-- kept: the version in force has version_to null.

create table checkpoints (
    gid           bigint generated always as identity primary key,
    id            text not null constraint checkpoints_id_not_empty check (id <> ''),
    version       integer not null check (version > 0),
    name          text not null,
    station_id    text not null references stations (id),
    road          text not null default '',
    notes         text not null default '',
    location      geometry(Point, 4326) not null,
    ord           integer not null default 0,
    version_from  timestamptz not null,
    version_to    timestamptz,
    unique (id, version),
    constraint checkpoints_version_period check (version_to is null or version_to >= version_from)
);
comment on table checkpoints is 'Checkpoints on the roads, every version; the version in force has version_to null. Use current_checkpoints for today''s.';
comment on column checkpoints.road is 'The road the checkpoint controls.';
create unique index checkpoints_one_current_version on checkpoints (id) where version_to is null;
create index checkpoints_current_location_gix on checkpoints using gist (location) where version_to is null;

create view current_checkpoints as select * from checkpoints where version_to is null;
comment on view current_checkpoints is 'The checkpoints in force now. Key column: gid.';

create trigger checkpoints_notify after insert or update or delete on checkpoints for each statement execute function notify_dataset_change();
