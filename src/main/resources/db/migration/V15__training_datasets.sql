-- A training created from an uploaded dataset names it; the dataset cannot be deleted while such a training may still
-- need its zip. A live dataset is uploaded to fal's storage once and its fal URL reused.
ALTER TABLE training ADD COLUMN dataset_id varchar(40) REFERENCES dataset (id);
CREATE INDEX training_dataset ON training (dataset_id) WHERE dataset_id IS NOT NULL;
ALTER TABLE dataset ADD COLUMN fal_file_url varchar(2048), ADD COLUMN fal_uploaded_at timestamptz;
