-- Incidents (警情) and patrol positions, both partitioned by month of their
-- time. Each table has a default partition, so a row never fails for want
-- of a partition; ensure_month_partitions adds the monthly ones.

create table incident_categories (
    id      text primary key,
    name_zh text not null,
    name_en text not null,
    ord     integer not null default 0
);
comment on table incident_categories is 'Incident categories; add rows to configure more.';
insert into incident_categories (id, name_zh, name_en, ord) values
    ('criminal', '刑事', 'Criminal', 1),
    ('public_order', '治安', 'Public order', 2),
    ('traffic', '交通', 'Traffic', 3),
    ('dispute', '纠纷', 'Dispute', 4),
    ('assistance', '求助', 'Assistance', 5),
    ('fire', '火灾', 'Fire', 6),
    ('other', '其他', 'Other', 7);

create sequence incidents_id_seq;

create table incidents (
    id                     bigint not null default nextval('incidents_id_seq'),
    occurred_at            timestamptz not null,
    reported_at            timestamptz not null,
    category               text not null references incident_categories (id),
    severity               smallint not null default 3 constraint incidents_severity_range check (severity between 1 and 5),
    status                 text not null default 'reported'
                           constraint incidents_status_known check (status in ('reported', 'dispatched', 'on_scene', 'closed')),
    cleared                boolean not null default false,
    location               geometry(Point, 4326) not null,
    community_grid_id      text,
    community_grid_version integer,
    police_grid_id         text,
    police_grid_version    integer,
    station_id             text references stations (id),
    source                 text not null default '',
    source_ref             text not null default '',
    summary                text not null default '',
    created_at             timestamptz not null default now(),
    updated_at             timestamptz not null default now(),
    primary key (id, occurred_at),
    foreign key (community_grid_id, community_grid_version) references grids (id, version),
    foreign key (police_grid_id, police_grid_version) references grids (id, version)
) partition by range (occurred_at);
alter sequence incidents_id_seq owned by incidents.id;
comment on table incidents is 'Incidents, each attributed to the grid versions in force when it occurred. Partitioned by month of occurred_at.';
comment on column incidents.severity is '1 (minor) to 5 (most severe).';
comment on column incidents.cleared is 'Clearance flag for criminal cases (破案).';
create index incidents_occurred_idx on incidents (occurred_at);
create index incidents_location_gix on incidents using gist (location);
create index incidents_community_grid_idx on incidents (community_grid_id, occurred_at);
create index incidents_station_idx on incidents (station_id, occurred_at);
create table incidents_default partition of incidents default;

create table patrol_pings (
    officer_id  text not null,
    at          timestamptz not null,
    location    geometry(Point, 4326) not null,
    speed_mps   real constraint patrol_pings_speed_not_negative check (speed_mps >= 0),
    heading_deg real constraint patrol_pings_heading_range check (heading_deg >= 0 and heading_deg < 360),
    grid_id     text,
    received_at timestamptz not null default now()
) partition by range (at);
comment on table patrol_pings is 'Patrol positions as reported (speed in m/s, heading in degrees clockwise from north), with the grid they fell in. Partitioned by month of at.';
create index patrol_pings_officer_idx on patrol_pings (officer_id, at);
create index patrol_pings_at_idx on patrol_pings (at);
create index patrol_pings_location_gix on patrol_pings using gist (location);
create table patrol_pings_default partition of patrol_pings default;

-- ensure_month_partitions creates the monthly partitions of tbl (incidents
-- or patrol_pings) for every month from the one holding from_t to the one
-- holding to_t, skipping months that exist. A month whose rows already sit
-- in the default partition is skipped with a notice (move them first).
create function ensure_month_partitions(tbl text, from_t timestamptz, to_t timestamptz) returns integer
    language plpgsql
    set search_path from current
as $$
declare
    m date := date_trunc('month', from_t at time zone 'UTC')::date;
    last date := date_trunc('month', to_t at time zone 'UTC')::date;
    part text;
    col text;
    made integer := 0;
    stuck boolean;
begin
    if tbl = 'incidents' then col := 'occurred_at';
    elsif tbl = 'patrol_pings' then col := 'at';
    else raise exception 'ensure_month_partitions: unknown table %', tbl;
    end if;
    while m <= last loop
        part := tbl || '_' || to_char(m, 'YYYY_MM');
        if to_regclass(quote_ident(current_schema()) || '.' || quote_ident(part)) is null then
            execute format('select exists (select 1 from %I where %I >= %L and %I < %L)',
                           tbl || '_default', col, (m::timestamp at time zone 'UTC'), col, ((m + interval '1 month')::timestamp at time zone 'UTC'))
                into stuck;
            if stuck then
                raise notice 'partition % not created: rows of that month are in %_default', part, tbl;
            else
                execute format('create table %I partition of %I for values from (%L) to (%L)',
                               part, tbl, (m::timestamp at time zone 'UTC'), ((m + interval '1 month')::timestamp at time zone 'UTC'));
                made := made + 1;
            end if;
        end if;
        m := (m + interval '1 month')::date;
    end loop;
    return made;
end
$$;
