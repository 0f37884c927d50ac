-- Every create of a team on a budget summed the month's trainings under the budget row's lock, so a team's creates
-- slowed as its month filled (at 10,000 trainings, 11-16 % of the rate without a budget: docs/performance.md). The
-- budget row now also keeps the sum of the estimates of the month's live trainings, which bounds what the month has
-- spent and reserved from above, with what fal billed above an estimate (rare; its own index). A create checks that
-- bound, and the month is summed only for a create that comes near the alert or the budget.
ALTER TABLE team_budget
    ADD COLUMN estimated_for  date,
    ADD COLUMN estimated_usd  numeric(16, 4);

-- Every insert adds to the bound, by a trigger so that no writer of the table can leave it out, whichever release it
-- runs. A training of another month than the one counted is left for that month's first create, which counts afresh.
CREATE FUNCTION training_adds_to_budget_estimates() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE team_budget SET estimated_usd = estimated_usd + NEW.estimated_cost_usd
    WHERE team_id = NEW.team_id AND estimated_for = date_trunc('month', NEW.created_at AT TIME ZONE 'UTC')::date;
    RETURN NULL;
END
$$;

CREATE TRIGGER training_adds_to_budget_estimates AFTER INSERT ON training
    FOR EACH ROW WHEN (NEW.mode = 'live') EXECUTE FUNCTION training_adds_to_budget_estimates();

CREATE INDEX training_billed_above_estimate ON training (team_id, created_at)
    WHERE mode = 'live' AND cost_usd > estimated_cost_usd;
