-- fal's webhooks, verified and kept until they are applied. A delivery is answered once its row is committed, so fal
-- is never kept waiting on the training's transitions (and never delivers again for want of an answer), and the
-- instance applies what fal reported in the same turns as its tracker's steps, behind the callers it is serving.
-- Rows are claimed like tracking jobs: FOR UPDATE SKIP LOCKED under a lease; due_at moves past the lease with it.
CREATE TABLE fal_webhook_inbox (
    training_id  varchar(40)   NOT NULL REFERENCES training (id) ON DELETE CASCADE,
    request_id   text          NOT NULL,
    body         bytea         NOT NULL,
    received_at  timestamptz   NOT NULL,
    due_at       timestamptz   NOT NULL,
    lease_owner  varchar(100),
    claim_count  bigint        NOT NULL DEFAULT 0,
    -- A repeated delivery of a report not yet applied adds nothing: fal sends the same report again.
    PRIMARY KEY (training_id, request_id)
);
CREATE INDEX fal_webhook_inbox_due ON fal_webhook_inbox (due_at);
