-- The gateway's copies of what trainings produced. A row per output file of a succeeded training, written in the
-- transaction that records the success; copied by whichever instance claims it (a lease, renewed while the copy runs,
-- fenced by claim_count), retried with backoff until stored, unless the file is gone at its source (lost) or is not
-- from an allowed source (refused).
CREATE TABLE output_copy (
    training_id    varchar(40)    NOT NULL REFERENCES training (id),
    name           varchar(20)    NOT NULL,
    source_url     varchar(2048)  NOT NULL,
    content_type   varchar(200),
    file_name      varchar(300),
    -- fal's file_size: the copy must have exactly this many bytes
    expected_size  bigint,
    state          varchar(10)    NOT NULL CHECK (state IN ('pending', 'stored', 'lost', 'refused')),
    size_bytes     bigint,
    sha256         varchar(64),
    attempts       integer        NOT NULL DEFAULT 0,
    last_error     varchar(500),
    -- due while pending; null once settled
    due_at         timestamptz,
    lease_owner    varchar(100),
    lease_until    timestamptz,
    claim_count    bigint         NOT NULL DEFAULT 0,
    created_at     timestamptz    NOT NULL,
    settled_at     timestamptz,
    PRIMARY KEY (training_id, name)
);
CREATE INDEX output_copy_due ON output_copy (due_at) WHERE due_at IS NOT NULL;

-- A succeeded training is announced to its receivers (training.succeeded) once its copies are settled, or once they
-- took too long: the row says it was, so it is announced exactly once whichever instance gets there.
CREATE TABLE output_announcement (
    training_id   varchar(40)  PRIMARY KEY REFERENCES training (id),
    announced_at  timestamptz  NOT NULL
);
