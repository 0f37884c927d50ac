-- The price per step each training's estimate used: fal's own price for the account when the gateway knew it, else
-- the configured rate. Earlier trainings were all estimated at one configured rate, which their estimates give back.
-- Nullable, so that instances of the earlier release, which do not know the column, can go on creating trainings
-- during a rolling upgrade; the gateway itself always sets it.
ALTER TABLE training ADD COLUMN unit_price_usd numeric(12, 6);
UPDATE training SET unit_price_usd = estimated_cost_usd / greatest(number_of_steps, 1);
