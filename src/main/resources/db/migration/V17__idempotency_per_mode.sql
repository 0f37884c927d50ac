-- Idempotency keys are scoped per team and key mode: a sandbox key must never replay a live training's answer.
-- body_sha256 fingerprints the body as sent, so a replay is recognised before the body is validated again.
ALTER TABLE idempotency_record ADD COLUMN mode varchar(10), ADD COLUMN body_sha256 bytea;
UPDATE idempotency_record r SET mode = t.mode FROM training t WHERE t.id = r.training_id;
UPDATE idempotency_record SET mode = 'live' WHERE mode IS NULL;
ALTER TABLE idempotency_record ALTER COLUMN mode SET NOT NULL;
ALTER TABLE idempotency_record DROP CONSTRAINT idempotency_record_pkey;
ALTER TABLE idempotency_record ADD PRIMARY KEY (team_id, mode, idempotency_key);
