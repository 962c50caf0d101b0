-- Cross-assessment (每月交叉考核): every entered score names the station
-- that scored it, never the station scored. Rows saved before have ''
-- (scored by no one recorded), so a month with them is not final.
alter table assessment_entries
    add column scored_by text not null default '',
    add constraint assessment_entries_not_self check (scored_by <> station_id);
comment on column assessment_entries.scored_by is 'The station that scored station_id for the month (cross-assessment); empty for entries saved before it was recorded. Not a foreign key: a retired scoring station keeps its scores readable.';
