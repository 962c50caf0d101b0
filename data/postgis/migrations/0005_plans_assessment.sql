-- The planner's saved plans, the audit of member changes, and the entered
-- metrics of the monthly station assessment (考评).

create table plans (
    gid            bigint generated always as identity primary key,
    created_at     timestamptz not null default now(),
    created_by     text not null default '',
    note           text not null default '',
    dataset        text not null constraint plans_dataset_not_empty check (dataset <> ''),
    grids          jsonb not null default '{}',
    officers       jsonb not null default '{}',
    -- json, not jsonb: the planner's documents come back byte for byte.
    summary        json,
    document       json not null,
    applied_at     timestamptz,
    applied_by     text
);
comment on table plans is 'Plans made by the planner: police grid -> station (grids) and station -> officers (officers), with the planner''s account (document). The plan id is gid.';
comment on column plans.dataset is 'Fingerprint of the dataset the plan was made against; applying it needs the same dataset in force.';
comment on column plans.applied_at is 'When the plan was applied (null: never).';

-- Who moved which member when: one row per member whose station or grids
-- changed, beside grid_audit for the grids.
create table member_audit (
    audit_id    bigint generated always as identity primary key,
    at          timestamptz not null default now(),
    actor       text not null,
    db_user     text not null default current_user,
    -- no foreign key: the audit outlives a member an import removes
    member_id   text not null,
    old_station text,
    new_station text,
    old_grids   text[] not null default '{}',
    new_grids   text[] not null default '{}',
    reason      text not null default ''
);
comment on table member_audit is 'Member reassignments (station and grid changes), e.g. when a plan is applied.';
create index member_audit_member_idx on member_audit (member_id, at);

-- One row per station and month: the four entered rates of the assessment
-- with their denominators. A zero denominator means "not measured".
create table assessment_entries (
    station_id        text not null references stations (id),
    month             date not null constraint assessment_entries_month_first check (extract(day from month) = 1),
    familiarity_num   double precision not null default 0,
    familiarity_den   double precision not null default 0,
    risk_warning_num  double precision not null default 0,
    risk_warning_den  double precision not null default 0,
    control_tasks_num double precision not null default 0,
    control_tasks_den double precision not null default 0,
    satisfaction_num  double precision not null default 0,
    satisfaction_den  double precision not null default 0,
    updated_at        timestamptz not null default now(),
    updated_by        text not null default '',
    primary key (station_id, month),
    constraint assessment_entries_ratios check (
        0 <= familiarity_num and familiarity_num <= familiarity_den
        and 0 <= risk_warning_num and risk_warning_num <= risk_warning_den
        and 0 <= control_tasks_num and control_tasks_num <= control_tasks_den
        and 0 <= satisfaction_num and satisfaction_num <= satisfaction_den)
);
comment on table assessment_entries is 'Entered metrics of the monthly assessment (考评): familiarity (警民双向熟悉率), risk warning (风险隐患预警率), control tasks (基础管控任务管处率), satisfaction (政务服务满意度), each numerator/denominator. month is the first day of the month.';
create index assessment_entries_month_idx on assessment_entries (month);
