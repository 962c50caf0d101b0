-- "Grid not visited by its officers for N days" events (grid_unvisited).
--
-- The kind joins the geofence events. The check is dropped and created
-- again with the full list of kinds, so this file stays right whichever
-- other migration adding kinds runs first.
alter table patrol_events drop constraint if exists patrol_events_kind_known;
alter table patrol_events add constraint patrol_events_kind_known
    check (kind in ('resumed', 'grid_leave', 'grid_enter', 'area_leave', 'area_return', 'silent',
                    'overlay_enter', 'overlay_leave', 'grid_unvisited'));

-- Per police grid, its latest grid_unvisited event. A grid is raised again
-- only after a visit later than raised_at; servers read and write these
-- rows under one advisory lock, so two servers checking at once raise an
-- absence once.
create table if not exists grid_unvisited (
    police_grid_id text primary key,
    raised_at      timestamptz not null,
    event_id       bigint not null
);
comment on table grid_unvisited is 'Each police grid''s latest "not visited by its officers for N days" event; a later visit lets the grid be raised again.';
