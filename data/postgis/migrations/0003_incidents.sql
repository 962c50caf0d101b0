-- Indexes for the incident queries of the API: newest-first pages are
-- read by (occurred_at, id), the key the cursor carries; police-grid
-- filters get the index community grids and stations already have.

drop index incidents_occurred_idx;
create index incidents_occurred_id_idx on incidents (occurred_at, id);
create index incidents_police_grid_idx on incidents (police_grid_id, occurred_at);

comment on column incidents.community_grid_version is 'The version of community_grid_id in force when the incident occurred (for incidents older than the first grids: the first version).';
comment on column incidents.police_grid_version is 'The version of police_grid_id in force when the incident occurred (for incidents older than the first grids: the first version).';

-- Idempotency keys of committed incident batches: a batch sent again under
-- its key (the client never heard back) is answered with the first
-- batch's ids instead of being stored twice.
create table incident_batches (
    key        text primary key,
    digest     bytea not null,
    ids        bigint[] not null default '{}',
    created_at timestamptz not null default now()
);
comment on table incident_batches is 'Idempotency keys of committed incident batches and the ids they were given; rows may be deleted once clients no longer retry (e.g. after a week).';
