-- Trainings whose kept output copies the retention never deletes: a team's or an admin's decision, undone by
-- removing the row. A pin belongs to a succeeded training.
CREATE TABLE output_pin (
    training_id  varchar(40)   PRIMARY KEY REFERENCES training (id),
    pinned_by    varchar(200)  NOT NULL,
    pinned_at    timestamptz   NOT NULL
);
