-- One first upload of a dataset to fal's storage at a time, whichever replica a sweep's creates reach: the caller that
-- sets this lease uploads, the others wait for its URL (or for the lease to run out, if its instance died).
ALTER TABLE dataset ADD COLUMN fal_upload_until timestamptz;
