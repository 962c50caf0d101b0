-- Idempotency keys of the writes a client may retry across a failover
-- (grid edits, plan applies, assessment entries), per caller as for
-- incident batches, with the answer the first request got: a write that
-- returned an error may still have committed, and its retry must get that
-- answer, not make a second write. Each row commits in the transaction of
-- its write.
create table answer_keys (
    scope        text not null,
    key          text not null,
    digest       bytea not null,
    status       integer not null,
    content_type text not null,
    body         bytea not null,
    created_at   timestamptz not null default now(),
    primary key (scope, key)
);
comment on table answer_keys is 'Idempotency keys of grid edits, plan applies and assessment entries with the answer each got; jingge prune deletes rows older than --key-days, after which a retry would write again.';
create index answer_keys_created_at_idx on answer_keys (created_at);
