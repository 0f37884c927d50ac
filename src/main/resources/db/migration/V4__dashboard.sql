-- People who sign in to the admin dashboard. Unlike API keys, passwords are chosen by people, so they are stored
-- with a slow, salted hash ({id}-prefixed, as Spring Security's DelegatingPasswordEncoder writes them).
CREATE TABLE dashboard_user (
    id             uuid         PRIMARY KEY,
    username       varchar(100) NOT NULL UNIQUE,
    password_hash  varchar(500) NOT NULL,
    created_at     timestamptz  NOT NULL
);

-- The dashboard's overview: failures by finish time, the oldest training still waiting for fal, recent fal outages.
CREATE INDEX training_finished ON training (finished_at) WHERE finished_at IS NOT NULL;
CREATE INDEX training_waiting ON training (created_at) WHERE status IN ('pending', 'queued');
CREATE INDEX training_event_fal_unavailable ON training_event (at) WHERE type = 'fal_unavailable';
