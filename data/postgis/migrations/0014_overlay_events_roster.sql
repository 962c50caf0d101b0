-- Geofence events of special areas: an officer entering or leaving a
-- fenced area (a drinking-water protection zone, a works site) is an
-- overlay_enter or overlay_leave event naming the area. The name is kept
-- as it was then, since an area may be renamed or retired later.
-- The list of kinds is the full one every version of this migration
-- agrees on, so changes that add kinds at the same time merge.
alter table patrol_events drop constraint if exists patrol_events_kind_known;
alter table patrol_events add constraint patrol_events_kind_known
    check (kind in ('resumed', 'grid_leave', 'grid_enter', 'area_leave', 'area_return', 'silent',
                    'overlay_enter', 'overlay_leave', 'grid_unvisited'));
alter table patrol_events add column if not exists area_id text;
alter table patrol_events add column if not exists area_name text;
comment on column patrol_events.area_id is 'The special area entered or left (overlay_enter, overlay_leave); null for the other kinds. No foreign key: areas are versioned and may be retired while their events stay.';
comment on column patrol_events.area_name is 'The area''s name when the event happened.';

-- One grid, many forces (一格多元): the roles the bureau's plan names
-- beside the police and the village's own people (司法所 staff, township
-- comprehensive staff, 治安协理员, 群防群治 volunteers), and a member's
-- further roles beside their first (一员多能).
alter table members drop constraint if exists members_role_known;
alter table members add constraint members_role_known check (role in
    ('community_officer', 'auxiliary_officer', 'grid_worker', 'village_cadre', 'security_guard', 'building_head',
     'justice_staff', 'township_staff', 'security_assistant', 'volunteer'));
alter table members add column if not exists roles text[] not null default '{}';
alter table members drop constraint if exists members_roles_known;
alter table members add constraint members_roles_known check (roles <@ array[
    'community_officer', 'auxiliary_officer', 'grid_worker', 'village_cadre', 'security_guard', 'building_head',
    'justice_staff', 'township_staff', 'security_assistant', 'volunteer']::text[] and not (role = any(roles)));
comment on column members.roles is 'Further roles the member holds beside role, each once (a cadre who is also a grid worker).';
