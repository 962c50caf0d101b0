-- Access control: users with roles and password hashes; credentials (API
-- tokens, web sessions, one-time login links) stored as SHA-256 hashes of
-- their secrets; and an append-only audit log of every write and every
-- read of personal data.

create table users (
    name          text primary key
                  constraint users_name_format check (name ~ '^[A-Za-z0-9][A-Za-z0-9._@-]{0,63}$'),
    role          text not null
                  constraint users_role_known check (role in ('viewer', 'officer', 'planner', 'admin')),
    officer_id    text
                  constraint users_officer_only check (officer_id is null or role = 'officer'),
    password_hash text not null default '',
    disabled      boolean not null default false,
    created_at    timestamptz not null default now()
);
comment on table users is 'People and machines that may sign in. Roles: admin ⊇ planner ⊇ viewer; officer separate. password_hash is Argon2id in PHC format, empty for token-only users.';
comment on column users.officer_id is 'For officers: the member id whose patrol pings the user may post.';

create table credentials (
    id           text primary key,
    kind         text not null
                 constraint credentials_kind_known check (kind in ('token', 'session', 'login_link')),
    user_name    text not null references users (name),
    label        text not null default '',
    secret_hash  bytea not null unique
                 constraint credentials_hash_length check (length(secret_hash) = 32),
    created_at   timestamptz not null default now(),
    expires_at   timestamptz,
    revoked_at   timestamptz,
    last_used_at timestamptz
);
comment on table credentials is 'API tokens, web sessions and one-time login links. Only the SHA-256 of each secret is kept; a login link is revoked when used.';
create index credentials_user_idx on credentials (user_name, kind);

create table audit_log (
    seq        bigint generated always as identity primary key,
    at         timestamptz not null,
    actor      text not null default '',
    role       text not null default '',
    credential text not null default '',
    action     text not null,
    method     text not null default '',
    target     text not null default '',
    remote     text not null default '',
    request_id text not null default '',
    status     integer not null default 0,
    detail     text not null default '',
    logged_at  timestamptz not null default now()
);
comment on table audit_log is 'Who did what, when, from where: every write and every read of personal data. Append-only: UPDATE, DELETE and TRUNCATE are refused.';
create index audit_log_at_idx on audit_log (at);
create index audit_log_actor_idx on audit_log (actor, seq);
create index audit_log_action_idx on audit_log (action, seq);

create function audit_log_append_only() returns trigger
    language plpgsql
    set search_path from current
as $$
begin
    raise exception 'the audit log is append-only: % is not allowed', tg_op
        using errcode = 'JG003';
end
$$;
create trigger audit_log_no_update before update or delete on audit_log
    for each row execute function audit_log_append_only();
create trigger audit_log_no_truncate before truncate on audit_log
    for each statement execute function audit_log_append_only();
