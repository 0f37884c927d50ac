-- A training's priority at fal (x-fal-queue-priority). The default keeps inserts of the earlier release working during a
-- rolling upgrade, and is what every earlier training was submitted with.
ALTER TABLE training ADD COLUMN priority varchar(8) NOT NULL DEFAULT 'normal' CHECK (priority IN ('normal', 'low'));
