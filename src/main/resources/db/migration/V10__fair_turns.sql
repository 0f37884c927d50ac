-- Fair turns at fal. A team's limit on its trainings at fal at once; the account's is configuration
-- (gateway.fal.max-concurrent). Which training goes next is derived from the trainings whenever a submit is about to
-- be made, never kept as a queue that could drift.
CREATE TABLE team_limit (
    team_id         uuid          PRIMARY KEY REFERENCES team (id),
    max_concurrent  integer       NOT NULL CHECK (max_concurrent BETWEEN 1 AND 1000),
    updated_at      timestamptz   NOT NULL,
    updated_by      varchar(200)  NOT NULL
);

-- Why a pending training has not been submitted yet: set when its turn was refused, cleared when it is submitted or
-- finishes.
ALTER TABLE training ADD COLUMN waiting_reason varchar(16) CHECK (waiting_reason IN ('team_limit', 'account_limit'));

-- The turn decision reads every unfinished live training: the ones at fal are counted, the others ranked.
CREATE INDEX training_unfinished_live ON training (team_id, created_at)
    WHERE status IN ('pending', 'queued', 'running') AND mode = 'live';

-- The trainings held back, for the dashboard and for letting a team's go when its limit is removed: only those rows.
CREATE INDEX training_waiting_for_turn ON training (team_id, created_at) WHERE waiting_reason IS NOT NULL AND status = 'pending';
