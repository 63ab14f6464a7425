-- Quality recordings: one stereo WAV per answered call of a recorded
-- queue (caller left, agent right). file is relative to the recordings
-- directory; the API finds a recording by call id, never by a path.
-- +goose Up
CREATE TABLE recordings (
    call_id     VARCHAR(255) NOT NULL PRIMARY KEY,
    queue       VARCHAR(128) NOT NULL DEFAULT '',
    agent       VARCHAR(128) NOT NULL DEFAULT '',
    file        VARCHAR(512) NOT NULL,
    started_ms  BIGINT       NOT NULL,
    duration_ms BIGINT       NOT NULL DEFAULT 0,
    bytes       BIGINT       NOT NULL DEFAULT 0,
    INDEX recordings_started (started_ms),
    INDEX recordings_queue (queue, started_ms)
) ENGINE = InnoDB DEFAULT CHARSET = utf8mb4;

-- +goose Down
DROP TABLE recordings;
