-- Webhooks to teams: the endpoints teams register, the secrets deliveries are signed with, and the outbox of
-- deliveries with every attempt made.

-- Registered endpoints. Deleting one keeps its row (deleted_at), so its deliveries still say where they went.
CREATE TABLE webhook_endpoint (
    id               uuid          PRIMARY KEY,
    team_id          uuid          NOT NULL REFERENCES team (id),
    url              varchar(2048) NOT NULL,
    events           text[]        NOT NULL,
    created_at       timestamptz   NOT NULL,
    disabled_at      timestamptz,
    disabled_reason  varchar(500),
    deleted_at       timestamptz
);
CREATE INDEX webhook_endpoint_team ON webhook_endpoint (team_id, created_at) WHERE deleted_at IS NULL;

-- Signing secrets must be read back to sign, so they cannot be hashed: they are stored AES-GCM encrypted with
-- gateway.webhooks.encryption-key. A rotated secret is retired, and keeps signing alongside its successor for
-- gateway.webhooks.secret-overlap.
CREATE TABLE webhook_secret (
    id          uuid         PRIMARY KEY,
    team_id     uuid         NOT NULL REFERENCES team (id),
    ciphertext  bytea        NOT NULL,
    created_at  timestamptz  NOT NULL,
    retired_at  timestamptz
);
CREATE UNIQUE INDEX webhook_secret_current ON webhook_secret (team_id) WHERE retired_at IS NULL;

-- The outbox: one row per event and destination, written in the transaction of the status change. The payload
-- is frozen then, and event_id is the webhook-id every attempt carries. Dispatchers on every instance claim due
-- rows with FOR UPDATE SKIP LOCKED under a lease held in due_at; attempts counts claims and fences their updates.
CREATE TABLE webhook_delivery (
    id           varchar(40)   PRIMARY KEY,
    event_id     varchar(40)   NOT NULL,
    event_type   varchar(32)   NOT NULL,
    training_id  varchar(40)   NOT NULL REFERENCES training (id),
    team_id      uuid          NOT NULL REFERENCES team (id),
    -- null for the training's own webhook_url
    endpoint_id  uuid          REFERENCES webhook_endpoint (id),
    url          varchar(2048) NOT NULL,
    payload      text          NOT NULL,
    status       varchar(16)   NOT NULL CHECK (status IN ('pending', 'delivered', 'failed')),
    attempts     integer       NOT NULL DEFAULT 0,
    -- failed attempts since the delivery was created or redelivered: the position in the retry schedule
    failures     integer       NOT NULL DEFAULT 0,
    due_at       timestamptz   NOT NULL,
    lease_owner  varchar(100),
    lease_until  timestamptz,
    last_error   varchar(500),
    created_at   timestamptz   NOT NULL,
    finished_at  timestamptz
);
CREATE INDEX webhook_delivery_due ON webhook_delivery (due_at) WHERE status = 'pending';
CREATE INDEX webhook_delivery_status ON webhook_delivery (status, id DESC);
CREATE INDEX webhook_delivery_training ON webhook_delivery (training_id, id DESC);
CREATE INDEX webhook_delivery_endpoint ON webhook_delivery (endpoint_id) WHERE status = 'pending';

CREATE TABLE webhook_attempt (
    delivery_id  varchar(40)   NOT NULL REFERENCES webhook_delivery (id),
    attempt      integer       NOT NULL,
    at           timestamptz   NOT NULL,
    sent_by      varchar(100)  NOT NULL,
    http_status  integer,
    latency_ms   integer       NOT NULL,
    error        varchar(500),
    PRIMARY KEY (delivery_id, attempt)
);
