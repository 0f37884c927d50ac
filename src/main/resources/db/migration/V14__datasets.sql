-- Training datasets uploaded through the gateway: the zip is in the artifact store under datasets/<id>/dataset.zip,
-- the inspection's outcome here. A deleted dataset keeps its row (trainings may name it) without its zip.
CREATE TABLE dataset (
    id          varchar(40)    PRIMARY KEY,
    team_id     uuid           NOT NULL REFERENCES team (id),
    file_name   varchar(255)   NOT NULL,
    size_bytes  bigint         NOT NULL,
    sha256      varchar(64)    NOT NULL,
    status      varchar(10)    NOT NULL CHECK (status IN ('ready', 'invalid')),
    -- [{path, frames, frame_rate, width, height, caption}], clips in the zip's order
    clips       jsonb          NOT NULL,
    captions    integer        NOT NULL,
    -- [{path, message}]
    problems    jsonb          NOT NULL,
    created_by  varchar(200)   NOT NULL,
    created_at  timestamptz    NOT NULL,
    deleted_at  timestamptz
);
CREATE INDEX dataset_listing ON dataset (team_id, created_at DESC, id DESC) WHERE deleted_at IS NULL;
CREATE INDEX dataset_listing_all ON dataset (created_at DESC, id DESC) WHERE deleted_at IS NULL;
