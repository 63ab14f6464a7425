-- Quality recordings: one stereo WAV per answered call of a recorded
-- queue (caller left, agent right). file is relative to the recordings
-- directory; the API finds a recording by call id, never by a path.
-- +goose Up
CREATE TABLE recordings (
    call_id     TEXT    NOT NULL PRIMARY KEY,
    queue       TEXT    NOT NULL DEFAULT '',
    agent       TEXT    NOT NULL DEFAULT '',
    file        TEXT    NOT NULL,
    started_ms  BIGINT  NOT NULL,
    duration_ms BIGINT  NOT NULL DEFAULT 0,
    bytes       BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX recordings_started ON recordings (started_ms);
CREATE INDEX recordings_queue ON recordings (queue, started_ms);

-- +goose Down
DROP TABLE recordings;
