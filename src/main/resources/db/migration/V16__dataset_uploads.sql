-- Uploads begun through fal's storage protocol on the proxy facade (fal.storage.upload): the token in the upload URL
-- is the credential of the PUTs that follow, which carry no key; it names the team and the dataset the bytes become.
-- Parts of a multipart upload wait in the artifact store (uploads/<token>/<n>) until it is completed.
CREATE TABLE dataset_upload (
    token         varchar(64)   PRIMARY KEY,
    team_id       uuid          NOT NULL REFERENCES team (id),
    created_by    varchar(200)  NOT NULL,
    dataset_id    varchar(40)   NOT NULL UNIQUE,
    file_name     varchar(255)  NOT NULL,
    multipart     boolean       NOT NULL,
    created_at    timestamptz   NOT NULL,
    expires_at    timestamptz   NOT NULL,
    completed_at  timestamptz
);
