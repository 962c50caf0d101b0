-- The metrics role: a monitoring system's scraper, whose token reads the
-- server's metrics (GET /metrics) and nothing else.

alter table users drop constraint users_role_known;
alter table users add constraint users_role_known
    check (role in ('viewer', 'officer', 'planner', 'admin', 'metrics'));
