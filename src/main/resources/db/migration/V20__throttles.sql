-- Throttles shared by all replicas. Bucket4j's token buckets (its PostgreSQL schema, with a text key: the bucket's
-- kind and subject) ...
create table throttle_bucket (
    id         varchar(200) primary key,
    state      bytea,
    -- Epoch milliseconds at which the bucket is full again and its row worth nothing.
    expires_at bigint
);

-- ... and their refusals grouped into bursts, one audit row each.
create table throttle_burst (
    subject         varchar(200) primary key,
    started_at      timestamptz not null,
    last_refused_at timestamptz not null,
    refusals        integer     not null
);
