-- A grid's own terrain region. Until now a grid's terrain was its
-- station's region, so a grid moved to a station of another region (by a
-- plan) changed terrain with it, though the place did not change. Null
-- means "not recorded": a community grid then takes its police grid's,
-- and a police grid its station's region. Applying a plan writes the
-- terrain a moved grid had into its new version.
alter table grids add column terrain text
    constraint grids_terrain_known check (terrain in ('hill', 'plateau', 'plain', 'mountain'));
comment on column grids.terrain is 'Terrain region of the grid''s place: hill (岭中), plateau (塬上), plain (川下) or mountain (山间); null: its police grid''s, else its station''s region.';

-- Grid history stays append-only: a version's terrain cannot change either.
create or replace function grids_keep_history() returns trigger
    language plpgsql
    set search_path from current
as $$
begin
    if (new.id, new.version, new.level, new.name, new.station_id, new.parent_id, new.township, new.population, new.terrain, new.valid_from)
        is distinct from
       (old.id, old.version, old.level, old.name, old.station_id, old.parent_id, old.township, old.population, old.terrain, old.valid_from)
       or not ST_OrderingEquals(new.geom, old.geom)
       or (old.valid_to is not null and new.valid_to is distinct from old.valid_to) then
        raise exception 'grid % version % is history and cannot be changed; insert a new version instead', old.id, old.version
            using errcode = 'JG001';
    end if;
    return new;
end
$$;

-- The views show the column (a replaced view may only add columns at the
-- end). grids_at(t) returns whole grids rows and has it already.
create or replace view current_grids as
    select gid, id, version, level, name, station_id, parent_id, township, population, geom, valid_from, terrain
    from grids
    where valid_to is null;
create or replace view current_police_grids as
    select * from current_grids where level = 'police';
create or replace view current_community_grids as
    select * from current_grids where level = 'community';
