-- Idempotency keys belong to the caller who sent them: the same key from
-- two users names two batches (data.ScopeCommandLine, data/batchkey.go).
-- Until now a key was global, so one user could make another's batch fail
-- with 409, or be answered as a replay, by sending its key first.
--
-- Existing keys cannot be traced to a user, with one exception: the keys
-- `jingge import incidents` derives from a file ('import:' and a SHA-256)
-- are the command line's, so importing a file again still stores it once.
-- Every other existing key keeps the empty scope, which no signed-in user
-- has: a retry of such a batch sent before the upgrade and retried after
-- it would be stored again. Ping keys live a day; incident keys only
-- matter while a client retries.
alter table incident_batches add column scope text not null default '';
update incident_batches set scope = 'jingge:cli' where key ~ '^import:[0-9a-f]{64}$';
alter table incident_batches drop constraint incident_batches_pkey, add primary key (scope, key);
comment on column incident_batches.scope is 'Whose key it is: the user name of the API caller, jingge:cli for the command line, empty for a server without access control or a key from before keys had scopes.';

alter table patrol_batches add column scope text not null default '';
alter table patrol_batches drop constraint patrol_batches_pkey, add primary key (scope, key);
comment on column patrol_batches.scope is 'Whose key it is: the user name of the API caller, empty for a server without access control or a key from before keys had scopes.';
