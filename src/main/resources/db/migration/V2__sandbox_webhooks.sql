-- The key the fal simulator signs its webhooks with, one for all replicas: the first to need it inserts it, the
-- others find it. It vouches for sandbox trainings only, which cost nothing.
CREATE TABLE sandbox_signing_key (
    id           smallint     PRIMARY KEY CHECK (id = 1),
    kid          varchar(64)  NOT NULL,
    private_key  bytea        NOT NULL,
    public_key   bytea        NOT NULL,
    created_at   timestamptz  NOT NULL
);

-- Webhook delivery of simulated requests. webhook_due_at is when the next attempt is due: the completion time at
-- first; a claim (FOR UPDATE SKIP LOCKED) moves it past a lease, so a replica that dies while delivering leaves it
-- to another; a failure moves it by a backoff; it is null once delivered or given up.
ALTER TABLE sandbox_request
    ADD COLUMN webhook_due_at    timestamptz,
    ADD COLUMN webhook_attempts  integer      NOT NULL DEFAULT 0,
    ADD COLUMN webhook_sent_at   timestamptz;
CREATE INDEX sandbox_request_webhook_due ON sandbox_request (webhook_due_at) WHERE webhook_due_at IS NOT NULL;
