-- Quality reviews: one evaluation per recorded call, filled in by a
-- supervisor against a form of the configuration. answers is a JSON
-- object question id → value; critical_failed a comma-separated list of
-- the critical questions answered 0. started_ms is the call's start, by
-- which reviews are counted to a month; acknowledged_ms 0 means the agent
-- has not acknowledged it yet.
-- +goose Up
CREATE TABLE reviews (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    call_id         TEXT    NOT NULL UNIQUE,
    agent           TEXT    NOT NULL,
    queue           TEXT    NOT NULL DEFAULT '',
    form            TEXT    NOT NULL,
    answers         TEXT    NOT NULL DEFAULT '{}',
    score           DOUBLE  NOT NULL,
    raw_score       DOUBLE  NOT NULL,
    critical_failed TEXT    NOT NULL DEFAULT '',
    comment         TEXT    NOT NULL DEFAULT '',
    reviewer        TEXT    NOT NULL,
    started_ms      BIGINT  NOT NULL,
    reviewed_ms     BIGINT  NOT NULL,
    acknowledged_ms BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX reviews_agent ON reviews (agent, started_ms);
CREATE INDEX reviews_started ON reviews (started_ms);

-- +goose Down
DROP TABLE reviews;
