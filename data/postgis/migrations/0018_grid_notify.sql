-- A grid edit names its grid in the change notification, so the servers
-- following the store read that grid alone and derive their index from the
-- one in force instead of reading the whole dataset. The edit's transaction
-- sets jingge.edited_grid (transaction-local); every other change, and a
-- change to another table in the same transaction, sends the bare schema as
-- before, which means "anything may have changed". The payload is the
-- schema, a tab, "grid", a tab and the grid's id.
create or replace function notify_dataset_change() returns trigger
    language plpgsql
    set search_path from current
as $$
declare
    edited text := coalesce(current_setting('jingge.edited_grid', true), '');
begin
    if TG_TABLE_NAME = 'grids' and edited <> '' then
        perform pg_notify('jingge_dataset', current_schema() || E'\tgrid\t' || edited);
    else
        perform pg_notify('jingge_dataset', current_schema());
    end if;
    return null;
end
$$;
