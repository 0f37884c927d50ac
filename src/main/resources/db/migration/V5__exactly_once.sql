-- Nothing billed twice, nothing lost. fal's submit is not idempotent and fal bills every request that succeeds, so a
-- submit that may have reached fal is an open attempt until evidence settles it.

-- submit_attempted_at: when the open attempt was permitted (now cleared when fal answered without taking it).
-- submit_attempts: the number of the latest attempt, which its answer must name to be taken.
-- submit_unconfirmed_at: the open attempt's answer was lost; set until a fal webhook, fal's request listing, the late
-- answer or an admin settles it.
ALTER TABLE training
    ADD COLUMN submit_attempts        integer        NOT NULL DEFAULT 0,
    ADD COLUMN submit_unconfirmed_at  timestamptz,
    ADD COLUMN fal_unreachable_since  timestamptz,
    -- how many of fal's log lines are on the timeline: where the next status reading goes on
    ADD COLUMN log_lines              integer        NOT NULL DEFAULT 0,
    -- what fal billed (its billing events), 0 where fal bills nothing, null until known
    ADD COLUMN cost_usd               numeric(18, 9);

-- A pending training of an earlier release whose submit got no stored answer is an open attempt: it may be at fal.
UPDATE training SET submit_attempts = 1 WHERE submit_attempted_at IS NOT NULL;
UPDATE training SET submit_unconfirmed_at = submit_attempted_at
    WHERE status = 'pending' AND fal_request_id IS NULL AND submit_attempted_at IS NOT NULL;

-- The reconciliation's question: which pending trainings have a submit open?
CREATE INDEX training_open_submit ON training (submit_attempted_at)
    WHERE status = 'pending' AND fal_request_id IS NULL AND submit_attempted_at IS NOT NULL;

-- The dashboard's fal health: trainings waiting for evidence or failing at fal. Both marks are cleared when a training
-- finishes, so this index holds only the trainings in trouble now.
CREATE INDEX training_fal_trouble ON training (submit_attempted_at)
    WHERE submit_unconfirmed_at IS NOT NULL OR fal_unreachable_since IS NOT NULL;

-- claim_count: counts claims and fences every write of one; nudged_at: a nudge that arrived while claimed, honoured
-- when the claim is released; cancel_confirmed_at replaces cancel_sent_at, which was set even when fal answered an
-- error (the old column is no longer written and goes in a later release).
ALTER TABLE tracking_job
    ADD COLUMN claim_count          bigint       NOT NULL DEFAULT 0,
    ADD COLUMN nudged_at            timestamptz,
    ADD COLUMN cancel_confirmed_at  timestamptz;

-- fal requests no training follows: duplicates the gateway found (a late answer, a webhook) and requests fal's listing
-- or billing shows that no training owns. Each is canceled until fal confirms it, in case it still runs.
CREATE TABLE fal_orphan (
    request_id           varchar(100)  PRIMARY KEY,
    -- live or sandbox: where its cancel goes
    mode                 varchar(16)   NOT NULL CHECK (mode IN ('live', 'sandbox')),
    -- the training whose submit made it, when the gateway knows
    training_id          varchar(40)   REFERENCES training (id),
    found_by             varchar(16)   NOT NULL CHECK (found_by IN ('submit_answer', 'fal_webhook', 'listing', 'billing')),
    found_at             timestamptz   NOT NULL,
    sent_at              timestamptz,
    ended_at             timestamptz,
    status_code          integer,
    billed_usd           numeric(18, 9),
    -- due while a cancel is to be sent; null once fal confirmed it or none is needed
    cancel_due_at        timestamptz,
    cancel_attempts      integer       NOT NULL DEFAULT 0,
    cancel_outcome       varchar(32),
    cancel_confirmed_at  timestamptz,
    last_failure         varchar(500),
    lease_owner          varchar(100),
    lease_until          timestamptz,
    claim_count          bigint        NOT NULL DEFAULT 0
);
CREATE INDEX fal_orphan_cancel_due ON fal_orphan (cancel_due_at) WHERE cancel_due_at IS NOT NULL;
CREATE INDEX fal_orphan_found ON fal_orphan (found_at DESC, request_id DESC);

-- Work that one instance at a time does for all (fal's request listing and billing events), claimed like the
-- tracker's jobs; state keeps what the task needs between runs, such as how far it has read.
CREATE TABLE cluster_task (
    name         varchar(64)   PRIMARY KEY,
    due_at       timestamptz   NOT NULL,
    lease_owner  varchar(100),
    lease_until  timestamptz,
    claim_count  bigint        NOT NULL DEFAULT 0,
    state        jsonb         NOT NULL DEFAULT '{}',
    last_run_at  timestamptz,
    last_error   varchar(500)
);

-- The key of the HMAC that makes each training's fal webhook URL secret; one for all replicas.
CREATE TABLE fal_webhook_key (
    id          smallint     PRIMARY KEY CHECK (id = 1),
    secret      bytea        NOT NULL,
    created_at  timestamptz  NOT NULL
);

-- Simulated requests are forgotten a while after they completed.
CREATE INDEX sandbox_request_completed ON sandbox_request (completed_at);
