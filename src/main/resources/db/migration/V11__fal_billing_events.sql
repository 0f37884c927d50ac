-- fal's billing events as read, one per billed request, kept so that what fal billed each day can be compared with
-- what the gateway expected. Read again in overlapping windows, so inserted only once.
CREATE TABLE fal_billing_event (
    request_id   varchar(100)    PRIMARY KEY,
    endpoint_id  varchar(200)    NOT NULL,
    billed_at    timestamptz     NOT NULL,
    cost_usd     numeric(18, 9)  NOT NULL,
    recorded_at  timestamptz     NOT NULL
);
CREATE INDEX fal_billing_event_billed ON fal_billing_event (billed_at);

-- The comparison's other side: the live trainings that succeeded each day (fal bills successes).
CREATE INDEX training_succeeded_live ON training (finished_at) WHERE status = 'succeeded' AND mode = 'live';
