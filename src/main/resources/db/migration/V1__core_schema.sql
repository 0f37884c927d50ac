-- Teams and the API keys they call the gateway with. Keys are stored as SHA-256 digests only: they carry
-- 256 bits of randomness, so a fast hash is as safe as a slow one and keeps authentication cheap.
CREATE TABLE team (
    id          uuid         PRIMARY KEY,
    slug        varchar(40)  NOT NULL UNIQUE,
    name        varchar(200) NOT NULL,
    created_at  timestamptz  NOT NULL
);

CREATE TABLE api_key (
    id            uuid         PRIMARY KEY,
    team_id       uuid         REFERENCES team (id),
    role          varchar(16)  NOT NULL CHECK (role IN ('team', 'admin')),
    mode          varchar(16)  CHECK (mode IN ('live', 'sandbox')),
    name          varchar(100) NOT NULL,
    prefix        varchar(32)  NOT NULL,
    secret_sha256 bytea        NOT NULL UNIQUE,
    bootstrap     boolean      NOT NULL DEFAULT false,
    created_at    timestamptz  NOT NULL,
    last_used_at  timestamptz,
    revoked_at    timestamptz,
    CHECK ((role = 'team' AND team_id IS NOT NULL AND mode IS NOT NULL) OR (role = 'admin' AND team_id IS NULL))
);
CREATE INDEX api_key_team ON api_key (team_id, created_at);

CREATE TABLE training (
    id                   varchar(40)   PRIMARY KEY,
    team_id              uuid          NOT NULL REFERENCES team (id),
    mode                 varchar(16)   NOT NULL CHECK (mode IN ('live', 'sandbox')),
    status               varchar(16)   NOT NULL
                         CHECK (status IN ('pending', 'queued', 'running', 'succeeded', 'failed', 'canceled')),
    input                jsonb         NOT NULL,
    number_of_steps      integer       NOT NULL,
    estimated_cost_usd   numeric(12, 4) NOT NULL,
    metadata             jsonb         NOT NULL DEFAULT '{}',
    webhook_url          varchar(2048),
    fal_request_id       varchar(100),
    fal_status_url       varchar(2048),
    fal_response_url     varchar(2048),
    fal_cancel_url       varchar(2048),
    queue_position       integer,
    output               jsonb,
    error                jsonb,
    cancel_requested_at  timestamptz,
    -- set before the submit call is made, so a successor knows fal may already have the request
    submit_attempted_at  timestamptz,
    created_at           timestamptz   NOT NULL,
    submitted_at         timestamptz,
    started_at           timestamptz,
    finished_at          timestamptz,
    version              bigint        NOT NULL DEFAULT 0
);
-- Listing is newest first with a (created_at, id) keyset cursor, per team and optionally per status.
CREATE INDEX training_team_created ON training (team_id, created_at DESC, id DESC);
CREATE INDEX training_team_status_created ON training (team_id, status, created_at DESC, id DESC);
CREATE INDEX training_created ON training (created_at DESC, id DESC);
CREATE INDEX training_metadata ON training USING gin (metadata jsonb_path_ops);
CREATE UNIQUE INDEX training_fal_request ON training (fal_request_id) WHERE fal_request_id IS NOT NULL;

CREATE TABLE training_event (
    id           bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    training_id  varchar(40)  NOT NULL REFERENCES training (id),
    type         varchar(32)  NOT NULL,
    at           timestamptz  NOT NULL,
    status       varchar(16),
    message      text,
    -- fal repeats every log line on each status reading; the key makes storing them idempotent
    dedup_key    varchar(64)
);
CREATE INDEX training_event_training ON training_event (training_id, id);
CREATE UNIQUE INDEX training_event_dedup ON training_event (training_id, dedup_key) WHERE dedup_key IS NOT NULL;

CREATE TABLE idempotency_record (
    team_id          uuid         NOT NULL REFERENCES team (id),
    idempotency_key  varchar(255) NOT NULL,
    request_sha256   bytea        NOT NULL,
    training_id      varchar(40)  NOT NULL REFERENCES training (id),
    response_status  integer      NOT NULL,
    response_body    text         NOT NULL,
    created_at       timestamptz  NOT NULL,
    PRIMARY KEY (team_id, idempotency_key)
);
CREATE INDEX idempotency_record_created ON idempotency_record (created_at);

-- The tracker's work queue: one row per training that still needs something from fal. Instances claim due
-- rows with FOR UPDATE SKIP LOCKED and hold them under a lease; a dead instance's leases simply run out.
CREATE TABLE tracking_job (
    training_id      varchar(40)  PRIMARY KEY REFERENCES training (id) ON DELETE CASCADE,
    due_at           timestamptz  NOT NULL,
    lease_owner      varchar(100),
    lease_until      timestamptz,
    poll_interval_ms bigint       NOT NULL DEFAULT 0,
    last_fal_state   varchar(32),
    cancel_sent_at   timestamptz,
    failing_since    timestamptz,
    failed_attempts  integer      NOT NULL DEFAULT 0,
    last_failure     varchar(500)
);
CREATE INDEX tracking_job_due ON tracking_job (due_at);

-- Requests held by the built-in fal simulator. Their state follows from the clock, so any instance can answer.
CREATE TABLE sandbox_request (
    request_id    uuid          PRIMARY KEY,
    input         jsonb         NOT NULL,
    webhook_url   varchar(2048),
    fail          boolean       NOT NULL,
    created_at    timestamptz   NOT NULL,
    started_at    timestamptz   NOT NULL,
    completed_at  timestamptz   NOT NULL,
    canceled_at   timestamptz
);

CREATE TABLE audit_log (
    id      bigint       GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    at      timestamptz  NOT NULL,
    actor   varchar(200) NOT NULL,
    action  varchar(64)  NOT NULL,
    target  varchar(200),
    details jsonb
);
CREATE INDEX audit_log_at ON audit_log (at DESC, id DESC);
