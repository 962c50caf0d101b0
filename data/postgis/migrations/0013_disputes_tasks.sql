-- Disputes (矛盾纠纷) and stations' task lists (任务清单): small records of
-- the prevention work, like visits. Disputes are attributed when written
-- to the grids and station in force where and when they were reported;
-- their level only moves up (open, group, village, township, county), which
-- the application checks under a row lock. A few thousand a year for a
-- county, so plain tables without partitions.
create table disputes (
    id                bigint generated always as identity primary key,
    reported_at       timestamptz not null,
    location          geometry(Point, 4326) not null,
    kind              text not null
                      constraint disputes_kind_known check (kind in ('neighbour', 'family', 'land', 'labour', 'debt', 'other')),
    parties           text not null default '',
    summary           text not null default '',
    level             text not null
                      constraint disputes_level_known check (level in ('open', 'group', 'village', 'township', 'county')),
    method            text
                      constraint disputes_method_known check (method in ('mediation_brand', 'people_mediation', 'judicial_office', 'referral')),
    mediation_brand   text not null default '',
    settled_at        timestamptz,
    community_grid_id text,
    police_grid_id    text,
    station_id        text,
    recorded_at       timestamptz not null default now(),
    recorded_by       text not null default '',
    updated_at        timestamptz,
    updated_by        text not null default '',
    constraint disputes_attributed check (community_grid_id is not null or police_grid_id is not null),
    constraint disputes_settled check ((level = 'open') = (settled_at is null) and (level = 'open') = (method is null))
);
comment on table disputes is 'Disputes (矛盾纠纷), attributed on write to the grids and station in force at their place and report time, and the level they were settled at (组, 村, 镇/街道, 县). Grid and station ids are kept as written, without foreign keys.';
comment on column disputes.parties is 'The people in dispute, free text; masked for roles that see masked data.';
create index disputes_reported_id_idx on disputes (reported_at, id);
create index disputes_settled_idx on disputes (settled_at) where settled_at is not null;
create index disputes_station_idx on disputes (station_id, reported_at);
create index disputes_police_grid_idx on disputes (police_grid_id, reported_at);
create index disputes_community_grid_idx on disputes (community_grid_id, reported_at);

create table dispute_keys (
    scope      text not null,
    key        text not null,
    digest     bytea not null,
    dispute_id bigint not null references disputes (id),
    created_at timestamptz not null default now(),
    primary key (scope, key)
);
comment on table dispute_keys is 'Idempotency keys of recorded disputes and the dispute each stored.';

create table tasks (
    id          bigint generated always as identity primary key,
    station_id  text not null,
    grid_id     text,
    officer_id  text,
    title       text not null,
    detail      text not null default '',
    due         timestamptz not null,
    done_at     timestamptz,
    done_by     text not null default '',
    recorded_at timestamptz not null default now(),
    recorded_by text not null default '',
    constraint tasks_assigned check (grid_id is not null or officer_id is not null)
);
comment on table tasks is 'Stations'' task lists (任务清单): each task is assigned to a grid, an officer or both, with the moment it falls due; done once.';
create index tasks_due_id_idx on tasks (due, id);
create index tasks_station_idx on tasks (station_id, due);
create index tasks_grid_idx on tasks (grid_id, due);
create index tasks_officer_idx on tasks (officer_id, due);

create table task_keys (
    scope      text not null,
    key        text not null,
    digest     bytea not null,
    task_id    bigint not null references tasks (id),
    created_at timestamptz not null default now(),
    primary key (scope, key)
);
comment on table task_keys is 'Idempotency keys of recorded tasks and the task each stored.';
