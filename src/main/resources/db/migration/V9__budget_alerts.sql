-- Budget alerts: each is sent once per month, which the month it was last sent for records.
ALTER TABLE team_budget
    ADD COLUMN alerted_for    date,
    ADD COLUMN exhausted_for  date;

-- A budget event concerns a team, not one training.
ALTER TABLE webhook_delivery ALTER COLUMN training_id DROP NOT NULL;
