-- A team's monthly spending limit. Only the limit is stored: what the month has spent and reserved is derived from the
-- month's trainings whenever it is asked, so nothing has to be reset when a month turns over and nothing can drift.
CREATE TABLE team_budget (
    team_id           uuid           PRIMARY KEY REFERENCES team (id),
    monthly_usd       numeric(12, 2) NOT NULL CHECK (monthly_usd >= 0),
    alert_at_percent  integer        NOT NULL CHECK (alert_at_percent BETWEEN 1 AND 100),
    updated_at        timestamptz    NOT NULL,
    updated_by        varchar(200)   NOT NULL
);
