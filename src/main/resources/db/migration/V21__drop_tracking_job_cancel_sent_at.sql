-- Replaced by cancel_confirmed_at in V5 and written by no release since; dropped as V5 said it would be.
ALTER TABLE tracking_job DROP COLUMN cancel_sent_at;
