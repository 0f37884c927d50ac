-- The parts a multipart upload has put in the artifact store, so an upload abandoned before it was completed can be
-- cleaned up once its ticket expired.
ALTER TABLE dataset_upload ADD COLUMN parts integer[] NOT NULL DEFAULT '{}';
